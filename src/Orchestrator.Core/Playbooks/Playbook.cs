namespace Orchestrator.Core.Playbooks;

/// <summary>One playbook as an admin wrote it, checked and ready for the engine: what it listens to, when it fires, what it runs.</summary>
public sealed class Playbook
{
    public required string Id { get; init; }

    public string? Description { get; init; }

    /// <summary>The event kinds it subscribes to (<c>on:</c>), at least one.</summary>
    public required IReadOnlyList<string> On { get; init; }

    /// <summary>The <c>when</c> condition, or null to match every event of the kinds.</summary>
    public ConditionSource? When { get; init; }

    /// <summary>Field names (<c>event.source.ip</c>) whose values form one window per group; empty for one global window.</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = [];

    public Threshold? Threshold { get; init; }

    /// <summary>At most one run per group within this time, or null for no throttle.</summary>
    public TimeSpan? Throttle { get; init; }

    public PlaybookMode Mode { get; init; } = PlaybookMode.Enforce;

    public required IReadOnlyList<PlaybookStep> Steps { get; init; }

    /// <summary>Steps run when a step fails and does not continue on error.</summary>
    public IReadOnlyList<PlaybookStep> OnFailure { get; init; } = [];

    /// <summary>Where the playbook starts (its first key), for messages about it.</summary>
    public required SourceLocation Location { get; init; }
}

/// <summary>Whether a playbook's steps act or are only simulated.</summary>
public enum PlaybookMode
{
    Enforce,
    DryRun,
}

/// <summary>
/// Fires when <see cref="Count"/> events (or, with <see cref="Distinct"/>, that many distinct values of
/// that field) fall in one group within <see cref="Within"/> of event time.
/// </summary>
public sealed record Threshold(int Count, string? Distinct, TimeSpan Within);

/// <summary>A condition as written, with where its text starts, so the compiler's errors can point into the file.</summary>
public sealed record ConditionSource(string Text, SourceLocation Location);
