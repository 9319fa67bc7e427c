namespace Orchestrator.Core.Detection.FirstSeen;

/// <summary>What the registry learnt from one process start; <see cref="Key"/> is null when the event named no process.</summary>
/// <param name="Key">The <see cref="ProcessKey"/>.</param>
/// <param name="Host">The host (lowercased <c>host.name</c>, else <c>host.ip</c>), or null when the event named none.</param>
/// <param name="IsNewInFleet">The first time this executable was seen anywhere.</param>
/// <param name="IsNewOnHost">The first time it was seen on <paramref name="Host"/> (always false without a host).</param>
/// <param name="AllowedBy">
/// Why the allowlist allows it, or null. Judged on this event when it is new somewhere (the only time it
/// could raise); otherwise the verdict on the earliest sighting.
/// </param>
/// <param name="Prevalence">On how many distinct hosts it has run, this one included.</param>
/// <param name="FirstSeen">Event time of its earliest sighting in the fleet.</param>
public readonly record struct FirstSeenObservation(
    string? Key,
    string? Host,
    bool IsNewInFleet,
    bool IsNewOnHost,
    string? AllowedBy,
    int Prevalence,
    DateTimeOffset FirstSeen);
