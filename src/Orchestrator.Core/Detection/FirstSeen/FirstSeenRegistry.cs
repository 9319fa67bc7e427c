using System.Globalization;
using System.Runtime.InteropServices;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Detection.FirstSeen;

/// <summary>
/// The fleet-wide first-seen record of executables (by <see cref="ProcessKey"/>): the one place of
/// truth at run time for what ran where and when first, which raises <c>process.unknown</c> and answers
/// the reports. One thread observes; any thread may query (one lock guards everything).
/// </summary>
/// <remarks>
/// Times are event times. Executables and hosts are numbered; each executable keeps the hosts it ran
/// on (a short list, or a bit per host once widespread), and the first run of each (executable, host)
/// pair is kept under one long. An event for a known executable on a known host reads its entry and
/// its host set only, and allocates nothing.
/// </remarks>
public sealed class FirstSeenRegistry
{
    /// <summary>The detector name derived events carry (<see cref="DerivedEvents.DetectorLabel"/>).</summary>
    public const string DetectorName = "first-seen";

    /// <summary>Label: <c>fleet</c> (first run anywhere) or <c>host</c> (first run on this host).</summary>
    public const string ScopeLabel = "unknown.scope";

    public const string KeyLabel = "process.key";

    /// <summary>Label: the fleet-wide first-seen time, UTC, round-trip format.</summary>
    public const string FirstSeenLabel = "process.first_seen";

    /// <summary>Label: on how many distinct hosts the executable has run.</summary>
    public const string PrevalenceLabel = "process.prevalence";

    public const string FleetScope = "fleet";

    public const string HostScope = "host";

    private const int NoHost = -1;

    private readonly Lock _gate = new();
    private readonly FirstSeenOptions _options;
    // Hash keys are looked up by their 32 bytes (hashed and compared in the dictionary's own slot, not
    // through a 71-character string elsewhere in memory); path and name keys by their text.
    private readonly Dictionary<Sha256Bits, Entry> _bySha256 = [];
    private readonly Dictionary<string, Entry> _byText = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _byTextSpan;
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<string, int> _hostIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _hostIdsBySpan;
    private readonly List<string> _hosts = [];

    // (entry id << 32 | host id) → UTC ticks of the first run of that executable on that host.
    private readonly Dictionary<long, long> _firstOnHost = new(PairComparer.Instance);

    private readonly List<int> _changedEntries = [];
    private readonly List<long> _changedSightings = [];
    private int _savedHosts;
    private long _checkpoint;

    // The earliest first-seen and the latest last-seen time in the record (UTC ticks): the learning period
    // starts at the first and is over for LearningUntil once the second reaches its end. Both follow from
    // the entries, so a reload finds the same learning period without storing it.
    private long _earliestTicks = long.MaxValue;
    private long _latestTicks = long.MinValue;

    // Scratch for the lowercased key and host of the event being observed (used under the lock only).
    private char[] _keyBuffer = new char[256];
    private char[] _hostBuffer = new char[256];

    public FirstSeenRegistry(FirstSeenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _byTextSpan = _byText.GetAlternateLookup<ReadOnlySpan<char>>();
        _hostIdsBySpan = _hostIds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public FirstSeenOptions Options => _options;

    /// <summary>How many executables are recorded.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// While the learning period (<see cref="FirstSeenOptions.LearnFor"/>) lasts, the event time from which
    /// <c>process.unknown</c> is raised again. Null without a learning period, before the first process
    /// start is recorded (learning starts then), and once a process start at or after it is recorded.
    /// </summary>
    public DateTimeOffset? LearningUntil
    {
        get
        {
            lock (_gate)
            {
                var end = LearningEndTicks();
                return end != long.MinValue && _latestTicks < end ? new DateTimeOffset(end, TimeSpan.Zero) : null;
            }
        }
    }

    /// <summary>
    /// A registry holding <paramref name="snapshot"/> (from <see cref="IFirstSeenStore.LoadAsync"/>), with
    /// nothing to save. The allowlist of <paramref name="options"/> is applied afresh to every entry.
    /// </summary>
    /// <exception cref="InvalidDataException">The ids are not dense or a sighting names an unknown id.</exception>
    public static FirstSeenRegistry Load(FirstSeenRecords snapshot, FirstSeenOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var registry = new FirstSeenRegistry(options);
        foreach (var host in snapshot.Hosts.OrderBy(h => h.Id))
        {
            if (host.Id != registry._hosts.Count || !registry._hostIds.TryAdd(host.Name, host.Id))
            {
                throw new InvalidDataException($"first-seen host {host.Id} '{host.Name}' breaks the numbering (expected id {registry._hosts.Count}, names unique).");
            }

            registry._hosts.Add(host.Name);
        }

        foreach (var saved in snapshot.Entries.OrderBy(e => e.Id))
        {
            if (saved.Id != registry._entries.Count || registry.Find(saved.Key) is not null)
            {
                throw new InvalidDataException($"first-seen entry {saved.Id} '{saved.Key}' breaks the numbering (expected id {registry._entries.Count}, keys unique).");
            }

            var entry = new Entry(saved.Id, saved.Key, Sha256Of(saved.Key))
            {
                Path = saved.Path,
                Name = saved.Name,
                Signer = saved.Signer,
                FirstSeenTicks = saved.FirstSeen.UtcTicks,
                FirstHost = saved.FirstHost,
                FirstEventId = saved.FirstEventId,
                LastSeenTicks = saved.LastSeen.UtcTicks,
            };
            entry.AllowedBy = options.Allowlist.Match(entry.Sha256, entry.Path, entry.Signer);
            registry.Register(entry);
            registry._earliestTicks = Math.Min(registry._earliestTicks, entry.FirstSeenTicks);
            registry._latestTicks = Math.Max(registry._latestTicks, entry.LastSeenTicks);
        }

        registry._firstOnHost.EnsureCapacity(snapshot.Sightings.Count);
        foreach (var sighting in snapshot.Sightings)
        {
            if ((uint)sighting.EntryId >= (uint)registry._entries.Count || (uint)sighting.HostId >= (uint)registry._hosts.Count)
            {
                throw new InvalidDataException($"first-seen sighting of entry {sighting.EntryId} on host {sighting.HostId} names an id that was not loaded.");
            }

            if (!registry._firstOnHost.TryAdd(Pair(sighting.EntryId, sighting.HostId), sighting.FirstSeen.UtcTicks))
            {
                throw new InvalidDataException($"first-seen sighting of entry {sighting.EntryId} on host {sighting.HostId} is listed twice.");
            }

            registry._entries[sighting.EntryId].AddHost(sighting.HostId, sighting.FirstSeen.UtcTicks);
        }

        registry._savedHosts = registry._hosts.Count;
        registry._checkpoint = snapshot.Checkpoint;
        return registry;
    }

    /// <summary>
    /// Records one <c>process.started</c> event and says what was new about it. Any other kind, or an
    /// event that names no process, only moves the checkpoint and gives an observation without a key.
    /// </summary>
    public FirstSeenObservation Observe(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        lock (_gate)
        {
            _checkpoint = Math.Max(_checkpoint, evt.Id);
            if (evt.Kind != EventKinds.ProcessStarted || !ProcessKey.TryGetParts(evt, out var prefix, out var value))
            {
                return default;
            }

            var hostId = InternHost(evt);
            var time = evt.Timestamp.UtcTicks;
            var entry = Find(prefix, value);
            var newInFleet = entry is null;
            if (entry is null)
            {
                entry = AddEntry(ProcessKey.Format(prefix, value), evt, time, hostId);
            }
            else
            {
                if (time < entry.FirstSeenTicks)
                {
                    SetEarliest(entry, evt, time, hostId);
                    MarkChanged(entry);
                }

                if (time > entry.LastSeenTicks)
                {
                    entry.LastSeenTicks = time;
                    _latestTicks = Math.Max(_latestTicks, time);
                    MarkChanged(entry);
                }
            }

            var newOnHost = hostId != NoHost && RecordOnHost(entry, hostId, time);
            // Only a first sighting can raise, so only then is the allowlist worth judging on this event.
            var allowedBy = newOnHost && !newInFleet ? _options.Allowlist.Match(evt) : entry.AllowedBy;
            return new FirstSeenObservation(
                entry.Key,
                hostId == NoHost ? null : _hosts[hostId],
                newInFleet,
                newOnHost,
                allowedBy,
                entry.HostCount,
                new DateTimeOffset(entry.FirstSeenTicks, TimeSpan.Zero));
        }
    }

    /// <summary>
    /// Observes <paramref name="evt"/> and returns the <c>process.unknown</c> it raises, if any: at the
    /// first run in the fleet (scope <c>fleet</c>, dedupe key <c>process.unknown:{key}</c>) or, with
    /// <see cref="FirstSeenOptions.PerHost"/>, at the first run on each further host (scope <c>host</c>,
    /// dedupe key <c>process.unknown:{key}@{host}</c>); allowed executables never raise, and nothing
    /// raises for a process start during the learning period (<see cref="FirstSeenOptions.LearnFor"/>).
    /// An executable or a run on a host recorded then is known afterwards like any other.
    /// </summary>
    public IReadOnlyList<DerivedEvent> Derive(SecurityEvent evt)
    {
        var seen = Observe(evt);
        if (seen.Key is null || seen.AllowedBy is not null)
        {
            return [];
        }

        string scope;
        string dedupeKey;
        if (seen.IsNewInFleet)
        {
            // The first host is covered by the fleet-wide event: one event per sighting.
            scope = FleetScope;
            dedupeKey = EventKinds.ProcessUnknown + ":" + seen.Key;
        }
        else if (seen.IsNewOnHost && _options.PerHost)
        {
            scope = HostScope;
            dedupeKey = EventKinds.ProcessUnknown + ":" + seen.Key + "@" + seen.Host;
        }
        else
        {
            return [];
        }

        if (IsLearningAt(evt.Timestamp.UtcTicks))
        {
            return [];
        }

        var derived = DerivedEvents.From(evt, EventKinds.ProcessUnknown, DetectorName);
        derived.SetLabel(ScopeLabel, scope);
        derived.SetLabel(KeyLabel, seen.Key);
        derived.SetLabel(FirstSeenLabel, seen.FirstSeen.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        derived.SetLabel(PrevalenceLabel, seen.Prevalence.ToString(CultureInfo.InvariantCulture));
        return [new DerivedEvent(derived, dedupeKey)];
    }

    /// <summary>The executable with <paramref name="key"/> (any case), or null when it was never seen.</summary>
    public FirstSeenEntry? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            return Find(key) is { } entry ? Snapshot(entry) : null;
        }
    }

    /// <summary>The executables first seen in the fleet in [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
    public IReadOnlyList<FirstSeenEntry> FirstSeenBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            var found = new List<Entry>();
            foreach (var entry in _entries)
            {
                if (entry.FirstSeenTicks >= from.UtcTicks && entry.FirstSeenTicks < to.UtcTicks)
                {
                    found.Add(entry);
                }
            }

            return [.. found.OrderBy(e => e.FirstSeenTicks).ThenBy(e => e.Id).Select(Snapshot)];
        }
    }

    /// <summary>Up to <paramref name="limit"/> hosts <paramref name="key"/> ran on, in the order they were recorded; empty when never seen.</summary>
    public IReadOnlyList<string> HostsOf(string key, int limit = 100)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_gate)
        {
            if (Find(key) is not { } entry)
            {
                return [];
            }

            var hosts = entry.Hosts;
            var names = new string[Math.Min(limit, hosts.Length)];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = _hosts[hosts[i]];
            }

            return names;
        }
    }

    /// <summary>
    /// Whether a run of <paramref name="entry"/> at <paramref name="time"/> was of an unknown executable:
    /// not allowed, and first seen in the fleet at most <see cref="FirstSeenOptions.UnknownFor"/> earlier.
    /// </summary>
    public bool IsUnknownAt(FirstSeenEntry entry, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.AllowedBy is null && IsUnknownAtTicks(entry.FirstSeen.UtcTicks, time.UtcTicks);
    }

    /// <summary>
    /// The first runs on each host in [<paramref name="from"/>, <paramref name="to"/>) of executables that
    /// were unknown at the time (<see cref="IsUnknownAt"/>), oldest first: which hosts ran something new then.
    /// </summary>
    public IReadOnlyList<UnknownRun> UnknownRunsBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            var runs = new List<(long Ticks, int EntryId, int HostId)>();
            foreach (var (pair, ticks) in _firstOnHost)
            {
                var entry = _entries[(int)(pair >> 32)];
                if (ticks >= from.UtcTicks && ticks < to.UtcTicks && entry.AllowedBy is null && IsUnknownAtTicks(entry.FirstSeenTicks, ticks))
                {
                    runs.Add((ticks, entry.Id, (int)pair));
                }
            }

            runs.Sort();
            var snapshots = new Dictionary<int, FirstSeenEntry>();
            return [.. runs.Select(r => new UnknownRun(
                _hosts[r.HostId],
                snapshots.TryGetValue(r.EntryId, out var s) ? s : snapshots[r.EntryId] = Snapshot(_entries[r.EntryId]),
                new DateTimeOffset(r.Ticks, TimeSpan.Zero)))];
        }
    }

    /// <summary>
    /// What changed since the last call (or the load): new hosts, new or changed entries as they are now,
    /// new or lowered first runs on hosts, and the checkpoint; for <see cref="IFirstSeenStore.SaveAsync"/>.
    /// They are no longer tracked once taken: on a failed save, save the same changes again.
    /// </summary>
    public FirstSeenRecords TakeChanges()
    {
        lock (_gate)
        {
            var hosts = new FirstSeenHost[_hosts.Count - _savedHosts];
            for (var i = 0; i < hosts.Length; i++)
            {
                hosts[i] = new FirstSeenHost(_savedHosts + i, _hosts[_savedHosts + i]);
            }

            _savedHosts = _hosts.Count;

            var entries = new FirstSeenEntry[_changedEntries.Count];
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = _entries[_changedEntries[i]];
                entry.Changed = false;
                entries[i] = Snapshot(entry);
            }

            _changedEntries.Clear();

            // A pair both added and lowered since the last save is listed twice; save it once.
            _changedSightings.Sort();
            var sightings = new List<FirstSeenOnHost>(_changedSightings.Count);
            for (var i = 0; i < _changedSightings.Count; i++)
            {
                var pair = _changedSightings[i];
                if (i == 0 || pair != _changedSightings[i - 1])
                {
                    sightings.Add(new FirstSeenOnHost((int)(pair >> 32), (int)pair, new DateTimeOffset(_firstOnHost[pair], TimeSpan.Zero)));
                }
            }

            _changedSightings.Clear();
            return new FirstSeenRecords(_checkpoint, hosts, entries, sightings);
        }
    }

    private bool IsLearningAt(long ticks)
    {
        lock (_gate)
        {
            return ticks < LearningEndTicks();
        }
    }

    /// <summary>
    /// The end of the learning period, counted from the earliest first-seen time in the record (UTC ticks);
    /// <see cref="long.MinValue"/> without a learning period or before anything is recorded.
    /// </summary>
    private long LearningEndTicks()
    {
        var learnFor = _options.LearnFor.Ticks;
        if (learnFor <= 0 || _earliestTicks == long.MaxValue)
        {
            return long.MinValue;
        }

        // A very long period ends at the end of time rather than overflowing.
        return _earliestTicks + Math.Min(learnFor, DateTimeOffset.MaxValue.UtcTicks - _earliestTicks);
    }

    private static long Pair(int entryId, int hostId) => ((long)entryId << 32) | (uint)hostId;

    private bool IsUnknownAtTicks(long firstSeenTicks, long ticks) => ticks >= firstSeenTicks && ticks - firstSeenTicks < _options.UnknownFor.Ticks;

    /// <summary>The id of the event's host (lowercased <c>host.name</c>, else <c>host.ip</c>), added when new; <see cref="NoHost"/> when it names none.</summary>
    private int InternHost(SecurityEvent evt)
    {
        int length;
        if (!string.IsNullOrWhiteSpace(evt.HostName))
        {
            length = evt.HostName.Length;
            if (_hostBuffer.Length < length)
            {
                _hostBuffer = new char[length];
            }

            ProcessKey.Lowercase(evt.HostName, _hostBuffer);
        }
        else if (evt.HostIp is null || !evt.HostIp.TryFormat(_hostBuffer, out length))
        {
            return NoHost;
        }

        var host = _hostBuffer.AsSpan(0, length);
        if (!_hostIdsBySpan.TryGetValue(host, out var id))
        {
            id = _hosts.Count;
            var name = host.ToString();
            _hosts.Add(name);
            _hostIds.Add(name, id);
        }

        return id;
    }

    private Entry AddEntry(string key, SecurityEvent evt, long time, int hostId)
    {
        var entry = new Entry(_entries.Count, key, Sha256Of(key)) { LastSeenTicks = time };
        _latestTicks = Math.Max(_latestTicks, time);
        SetEarliest(entry, evt, time, hostId);
        Register(entry);
        MarkChanged(entry);
        return entry;
    }

    private static string? Sha256Of(string key) =>
        key.StartsWith(ProcessKey.Sha256Prefix, StringComparison.Ordinal) ? key[ProcessKey.Sha256Prefix.Length..] : null;

    /// <summary>Adds a new entry under its id and its key.</summary>
    private void Register(Entry entry)
    {
        _entries.Add(entry);
        if (entry.Sha256 is not null)
        {
            _bySha256.Add(Sha256Bits.Parse(entry.Sha256), entry);
        }
        else
        {
            _byText.Add(entry.Key, entry);
        }
    }

    /// <summary>The entry of the key made of <paramref name="prefix"/> and <paramref name="value"/> (any case; from <see cref="ProcessKey.TryGetParts"/>).</summary>
    private Entry? Find(string prefix, string value)
    {
        if (prefix == ProcessKey.Sha256Prefix)
        {
            return _bySha256.GetValueOrDefault(Sha256Bits.Parse(value));
        }

        var length = prefix.Length + value.Length;
        if (_keyBuffer.Length < length)
        {
            _keyBuffer = new char[length];
        }

        var key = _keyBuffer.AsSpan(0, length);
        ProcessKey.Write(prefix, value, key);
        return _byTextSpan.TryGetValue(key, out var entry) ? entry : null;
    }

    /// <summary>The entry of a whole key as a person or a store gives it (any case).</summary>
    private Entry? Find(string key)
    {
        if (key.StartsWith(ProcessKey.Sha256Prefix, StringComparison.OrdinalIgnoreCase)
            && ProcessKey.IsSha256(key.AsSpan(ProcessKey.Sha256Prefix.Length)))
        {
            return _bySha256.GetValueOrDefault(Sha256Bits.Parse(key.AsSpan(ProcessKey.Sha256Prefix.Length)));
        }

        return _byText.GetValueOrDefault(key.ToLowerInvariant());
    }

    /// <summary>Makes <paramref name="evt"/> the entry's earliest sighting.</summary>
    private void SetEarliest(Entry entry, SecurityEvent evt, long time, int hostId)
    {
        entry.FirstSeenTicks = time;
        _earliestTicks = Math.Min(_earliestTicks, time);
        entry.FirstHost = hostId == NoHost ? null : _hosts[hostId];
        entry.FirstEventId = evt.Id;
        entry.Path = evt.ProcessExecutable ?? entry.Path;
        entry.Name = evt.ProcessName ?? entry.Name;
        entry.Signer = evt.ProcessSigner ?? entry.Signer;
        entry.AllowedBy = _options.Allowlist.Match(entry.Sha256, entry.Path, entry.Signer);
    }

    /// <summary>Records the run on the host; true when it is the first there.</summary>
    private bool RecordOnHost(Entry entry, int hostId, long time)
    {
        // The pair table is large and read at random: a known pair reads only the entry's own host
        // set, and its first time only when this event is older than the entry's newest first run
        // on a host (otherwise it cannot be older than this pair's).
        if (entry.HasHost(hostId))
        {
            if (time < entry.NewestHostTicks)
            {
                ref var firstTicks = ref CollectionsMarshal.GetValueRefOrNullRef(_firstOnHost, Pair(entry.Id, hostId));
                if (time < firstTicks)
                {
                    firstTicks = time;
                    _changedSightings.Add(Pair(entry.Id, hostId));
                }
            }

            return false;
        }

        _firstOnHost.Add(Pair(entry.Id, hostId), time);
        entry.AddHost(hostId, time);
        MarkChanged(entry);
        _changedSightings.Add(Pair(entry.Id, hostId));
        return true;
    }

    private void MarkChanged(Entry entry)
    {
        if (!entry.Changed)
        {
            entry.Changed = true;
            _changedEntries.Add(entry.Id);
        }
    }

    private static FirstSeenEntry Snapshot(Entry entry) => new(
        entry.Id,
        entry.Key,
        entry.Sha256,
        entry.Path,
        entry.Name,
        entry.Signer,
        new DateTimeOffset(entry.FirstSeenTicks, TimeSpan.Zero),
        entry.FirstHost,
        entry.FirstEventId,
        new DateTimeOffset(entry.LastSeenTicks, TimeSpan.Zero),
        entry.HostCount,
        entry.AllowedBy);

    /// <summary>
    /// Hashes a pair with all its bits: <see cref="long.GetHashCode"/> folds the two halves with XOR, so
    /// small entry and host ids would share a few thousand hash codes and chain long.
    /// </summary>
    private sealed class PairComparer : IEqualityComparer<long>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals(long x, long y) => x == y;

        // Fibonacci hashing: the multiply spreads every input bit into the high half that is kept.
        public int GetHashCode(long obj) => (int)((ulong)obj * 0x9E3779B97F4A7C15UL >> 32);
    }

    /// <summary>The mutable state behind a <see cref="FirstSeenEntry"/>, touched under the lock only.</summary>
    private sealed class Entry(int id, string key, string? sha256)
    {
        // Up to this many hosts a scan of the list (one cache line) answers "ran here before?";
        // beyond, a bit per host id does, so a widespread executable costs one read whatever its prevalence.
        private const int ListedHostsMax = 16;

        private int[] _hosts = [];
        private ulong[]? _hostBits;

        public int Id { get; } = id;

        public string Key { get; } = key;

        public string? Sha256 { get; } = sha256;

        public string? Path { get; set; }

        public string? Name { get; set; }

        public string? Signer { get; set; }

        public long FirstSeenTicks { get; set; }

        public string? FirstHost { get; set; }

        public long FirstEventId { get; set; }

        public long LastSeenTicks { get; set; }

        /// <summary>The prevalence: on how many hosts it ran.</summary>
        public int HostCount { get; private set; }

        /// <summary>Host ids in the order they were recorded.</summary>
        public ReadOnlySpan<int> Hosts => _hosts.AsSpan(0, HostCount);

        /// <summary>The latest first run on any one host: no event at or after it can lower a first run on a host.</summary>
        public long NewestHostTicks { get; private set; } = long.MinValue;

        public string? AllowedBy { get; set; }

        /// <summary>Listed in <see cref="_changedEntries"/> since the last <see cref="TakeChanges"/>.</summary>
        public bool Changed { get; set; }

        public bool HasHost(int hostId)
        {
            if (_hostBits is not null)
            {
                return (uint)hostId < (uint)(_hostBits.Length * 64) && (_hostBits[hostId >> 6] & (1UL << hostId)) != 0;
            }

            return _hosts.AsSpan(0, HostCount).Contains(hostId);
        }

        public void AddHost(int hostId, long firstTicks)
        {
            if (HostCount == _hosts.Length)
            {
                Array.Resize(ref _hosts, Math.Max(2, HostCount * 2));
            }

            _hosts[HostCount++] = hostId;
            NewestHostTicks = Math.Max(NewestHostTicks, firstTicks);
            if (_hostBits is not null || HostCount > ListedHostsMax)
            {
                if (_hostBits is null || hostId >= _hostBits.Length * 64)
                {
                    var highest = 0;
                    foreach (var id in Hosts)
                    {
                        highest = Math.Max(highest, id);
                    }

                    _hostBits = new ulong[Math.Max((highest >> 6) + 1, _hostBits?.Length * 2 ?? 0)];
                    foreach (var id in Hosts)
                    {
                        _hostBits[id >> 6] |= 1UL << id;
                    }
                }
                else
                {
                    _hostBits[hostId >> 6] |= 1UL << hostId;
                }
            }
        }
    }

    /// <summary>A SHA-256 as its 32 bytes; the hash code is seeded per process, so crafted hashes cannot pile into one chain.</summary>
    private readonly struct Sha256Bits(ulong a, ulong b, ulong c, ulong d) : IEquatable<Sha256Bits>
    {
        private readonly ulong _a = a;
        private readonly ulong _b = b;
        private readonly ulong _c = c;
        private readonly ulong _d = d;

        /// <summary>64 hex digits, either case (checked by <see cref="ProcessKey.IsSha256"/> before).</summary>
        public static Sha256Bits Parse(ReadOnlySpan<char> hex)
        {
            Span<byte> bytes = stackalloc byte[32];
            Convert.FromHexString(hex, bytes, out _, out _);
            var words = MemoryMarshal.Cast<byte, ulong>(bytes);
            return new Sha256Bits(words[0], words[1], words[2], words[3]);
        }

        public bool Equals(Sha256Bits other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

        public override bool Equals(object? obj) => obj is Sha256Bits other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);
    }
}
