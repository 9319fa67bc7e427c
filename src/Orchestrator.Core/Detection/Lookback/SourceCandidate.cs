using System.Net;

namespace Orchestrator.Core.Detection.Lookback;

/// <summary>One remote host that connected into the victim within the lookback: a possible source of its infection.</summary>
/// <param name="Ip">The initiator's address.</param>
/// <param name="Name">The initiator's host name when one was learned.</param>
/// <param name="Ports">The victim's ports it connected to, ascending (unknown ports left out).</param>
/// <param name="Connections">How many connections it opened into the victim within the lookback.</param>
/// <param name="FirstSeen">Event time of its first connection within the lookback.</param>
/// <param name="LastSeen">Event time of its last connection within the lookback.</param>
/// <param name="FileSharing">Whether one of <see cref="Ports"/> is a file-sharing port.</param>
/// <param name="LastEventId">Store id of its last connection event, to open the evidence.</param>
/// <param name="Local">The victim's own address: the infection may have come from the host itself (local host).</param>
public sealed record SourceCandidate(
    IPAddress Ip,
    string? Name,
    IReadOnlyList<int> Ports,
    int Connections,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    bool FileSharing,
    long LastEventId,
    bool Local = false);
