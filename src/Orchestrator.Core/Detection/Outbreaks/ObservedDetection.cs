using System.Net;

namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>
/// The part of one observed detection the correlator keeps (not the event itself, which holds far more).
/// Timelines order detections by event time, and equal times by arrival (a newcomer goes after its equals),
/// so the oldest of all detections is always the oldest of its source too.
/// </summary>
internal sealed class ObservedDetection
{
    public required DateTimeOffset Time { get; init; }

    public required SourceTrack Source { get; init; }

    /// <summary>The source as this detection reported it (names of one source may vary between reports).</summary>
    public string? SourceName { get; init; }

    public IPAddress? SourceIp { get; init; }

    /// <summary>The victim's identity: its name key, else its IP.</summary>
    public required string VictimKey { get; init; }

    /// <summary>The victim as an admin reads it: host name as reported, else IP.</summary>
    public required string VictimLabel { get; init; }

    public string? VictimName { get; init; }

    public IPAddress? VictimIp { get; init; }

    public string? Threat { get; init; }
}
