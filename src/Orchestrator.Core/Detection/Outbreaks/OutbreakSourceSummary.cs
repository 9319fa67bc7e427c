using System.Net;

namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>What an infection's source is: a machine, nobody known, or the victim itself.</summary>
public enum OutbreakSourceKind
{
    /// <summary>A machine named by IP or name; the only kind that can raise <c>outbreak.source</c>.</summary>
    Host,

    /// <summary>Detections for which no source was reported or traced, listed together.</summary>
    Unknown,

    /// <summary>Detections whose source is the victim itself (same IP or name, or loopback), listed together.</summary>
    LocalHost,
}

/// <summary>One source in the ranking of <see cref="OutbreakCorrelator.Sources"/>, over the range asked for.</summary>
/// <param name="Id">The source's identity: its IP, else its name's first DNS label in lower case; <c>unknown</c> or <c>local host</c> for those kinds.</param>
/// <param name="Kind">A machine, or the unknown or local host group.</param>
/// <param name="Ip">The source's IP when it was reported by IP.</param>
/// <param name="Name">The name last reported for the source, if any.</param>
/// <param name="Victims">The distinct victims (host name as reported, else IP), in the order they were first hit.</param>
/// <param name="Detections">Detections in the range naming this source.</param>
/// <param name="FirstSeen">The earliest of those detections (event time).</param>
/// <param name="LastSeen">The latest of those detections (event time).</param>
/// <param name="Threats">The distinct threat names, in the order they were first seen.</param>
/// <param name="RaisedAt">The event time of the latest <c>outbreak.source</c> raised for this source within the range.</param>
public sealed record OutbreakSourceSummary(
    string Id,
    OutbreakSourceKind Kind,
    IPAddress? Ip,
    string? Name,
    IReadOnlyList<string> Victims,
    int Detections,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    IReadOnlyList<string> Threats,
    DateTimeOffset? RaisedAt)
{
    public int DistinctVictims => Victims.Count;

    public bool Raised => RaisedAt is not null;
}
