namespace Orchestrator.Core.Playbooks;

/// <summary>One step of a playbook: a single action (<see cref="Type"/>) with its parameters, and how to run it.</summary>
public sealed class PlaybookStep
{
    /// <summary>The id later steps use to read its outputs (<c>steps.ID.port</c>); null when none was given.</summary>
    public string? Id { get; init; }

    /// <summary>The action, by the name playbooks use: <c>log</c>, <c>notify</c>, <c>approve</c>, <c>firewall.block</c>, ...</summary>
    public required string Type { get; init; }

    /// <summary>The action's parameters; string values are Liquid templates.</summary>
    public required ParameterMap Parameters { get; init; }

    /// <summary>The step runs only when this condition holds; null to always run.</summary>
    public ConditionSource? If { get; init; }

    public TimeSpan? Timeout { get; init; }

    public RetryPolicy? Retry { get; init; }

    /// <summary>When true, a failure of this step is recorded and the run goes on to the next step.</summary>
    public bool ContinueOnError { get; init; }

    /// <summary>For an <c>approve</c> step: how long to wait and what to do then; null for other steps.</summary>
    public ApprovalSettings? Approval { get; init; }

    public required SourceLocation Location { get; init; }

    /// <summary>The id, or the type and position (<c>notify#2</c>) for messages about a step without one.</summary>
    public string Name(int index) => Id ?? $"{Type}#{index + 1}";
}

/// <summary>
/// Retries after a failure: up to <see cref="Attempts"/> tries in all, waiting <see cref="InitialBackoff"/>
/// and doubling each time up to <see cref="MaxBackoff"/> (the runner adds jitter).
/// </summary>
public sealed record RetryPolicy(int Attempts, TimeSpan InitialBackoff, TimeSpan MaxBackoff)
{
    /// <summary>The cap used when <c>backoff</c> is written as a single duration.</summary>
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromMinutes(5);

    /// <summary>The first wait when <c>backoff</c> is not written.</summary>
    public static readonly TimeSpan DefaultInitialBackoff = TimeSpan.FromSeconds(1);
}

/// <summary>What an <c>approve</c> step does when nobody answers in time.</summary>
public enum ApprovalDefault
{
    Abort,
    Proceed,
}

/// <summary>The settings of an <c>approve</c> step: how long the run waits for a person, and what happens then.</summary>
public sealed record ApprovalSettings(TimeSpan Timeout, ApprovalDefault Default);
