namespace Orchestrator.Core.Detection.FirstSeen;

/// <summary>What the fleet knows about one executable: when and where it was first seen, how widely it runs.</summary>
/// <param name="Id">Its number in the registry and the store, in the order executables were first recorded (0, 1, ...).</param>
/// <param name="Key">The <see cref="ProcessKey"/>.</param>
/// <param name="Sha256">The lowercase SHA-256, when the key is one.</param>
/// <param name="Path">The executable path of the earliest sighting (as the event spelled it).</param>
/// <param name="Name">The process name of the earliest sighting.</param>
/// <param name="Signer">The code-signing subject of the earliest sighting.</param>
/// <param name="FirstSeen">Event time of the earliest sighting in the fleet (an event that arrives late with an earlier time lowers it).</param>
/// <param name="FirstHost">The host of the earliest sighting (lowercased name, else IP), when it named one.</param>
/// <param name="FirstEventId">The store id of the event of the earliest sighting.</param>
/// <param name="LastSeen">Event time of the latest sighting.</param>
/// <param name="HostCount">Prevalence: on how many distinct hosts it ran.</param>
/// <param name="AllowedBy">Why the allowlist allows it, judged on the earliest sighting with the allowlist in force; null when it does not.</param>
public sealed record FirstSeenEntry(
    int Id,
    string Key,
    string? Sha256,
    string? Path,
    string? Name,
    string? Signer,
    DateTimeOffset FirstSeen,
    string? FirstHost,
    long FirstEventId,
    DateTimeOffset LastSeen,
    int HostCount,
    string? AllowedBy);

/// <summary>An executable's first run on one host at a time when it was still unknown in the fleet (for <c>report pinpoint</c>).</summary>
/// <param name="Host">The host (lowercased name, else IP).</param>
/// <param name="Entry">The executable.</param>
/// <param name="FirstSeenOnHost">Event time of its first run on <paramref name="Host"/>.</param>
public sealed record UnknownRun(string Host, FirstSeenEntry Entry, DateTimeOffset FirstSeenOnHost);
