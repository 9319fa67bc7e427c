namespace Orchestrator.Core.Ingestion;

/// <summary>Filters for reading stored events; null means "any". Results are newest first.</summary>
public sealed record EventQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 100_000;

    public string? Kind { get; init; }

    /// <summary>Matches host.name (case-insensitive) or host.ip.</summary>
    public string? Host { get; init; }

    public System.Net.IPAddress? SourceIp { get; init; }

    /// <summary>Inclusive lower bound on @timestamp.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive upper bound on @timestamp.</summary>
    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = DefaultLimit;
}
