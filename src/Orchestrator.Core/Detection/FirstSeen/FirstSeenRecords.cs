namespace Orchestrator.Core.Detection.FirstSeen;

/// <summary>
/// The registry in the form a store keeps it: everything (to load) or what changed since the last
/// save (<see cref="FirstSeenRegistry.TakeChanges"/>). Ids are dense: hosts and entries are numbered
/// 0, 1, ... in the order they were first recorded, and a snapshot to load holds all of them.
/// </summary>
/// <param name="Checkpoint">The highest event id the registry has observed; a restart replays the events after it.</param>
/// <param name="Hosts">Hosts by id (new ones, in a change set).</param>
/// <param name="Entries">Executables (new or changed ones, as they are now, in a change set).</param>
/// <param name="Sightings">The first run of an executable on a host (new or lowered ones, in a change set).</param>
public sealed record FirstSeenRecords(
    long Checkpoint,
    IReadOnlyList<FirstSeenHost> Hosts,
    IReadOnlyList<FirstSeenEntry> Entries,
    IReadOnlyList<FirstSeenOnHost> Sightings)
{
    /// <summary>Nothing recorded.</summary>
    public static FirstSeenRecords Empty { get; } = new(0, [], [], []);

    /// <summary>No host, entry or sighting (the checkpoint alone is not worth a commit: replaying known events raises nothing).</summary>
    public bool IsEmpty => Hosts.Count == 0 && Entries.Count == 0 && Sightings.Count == 0;
}

/// <summary>A host as the registry numbers it.</summary>
/// <param name="Id">Its number, in the order hosts were first recorded.</param>
/// <param name="Name">Lowercased <c>host.name</c>, else <c>host.ip</c>.</param>
public readonly record struct FirstSeenHost(int Id, string Name);

/// <summary>The first run of one executable on one host.</summary>
/// <param name="EntryId">The <see cref="FirstSeenEntry.Id"/>.</param>
/// <param name="HostId">The <see cref="FirstSeenHost.Id"/>.</param>
/// <param name="FirstSeen">Event time of the earliest run there.</param>
public readonly record struct FirstSeenOnHost(int EntryId, int HostId, DateTimeOffset FirstSeen);
