using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Detection.Lookback;

/// <summary>
/// Recent connections into each host, bounded and indexed by event time, so that a detection on a
/// host can be answered with the remote hosts that connected into it just before (what McAfee's
/// Threat Activity Tracer calls the network activity that immediately precedes a detection).
/// </summary>
/// <remarks>
/// Parsers normalise every <c>network.connection</c> so that <c>source.*</c> opened it and
/// <c>destination.*</c> accepted it; a record is kept under the accepting address. Each host has a
/// ring of <see cref="ConnectionRecord"/> structs (<see cref="BytesPerRecord"/> bytes each, no object
/// per record) that grows by doubling up to <see cref="LookbackOptions.PerHostCap"/>; when full the
/// oldest record is overwritten, and records older than the lookback before the host's newest are
/// dropped as new ones arrive. At most <see cref="LookbackOptions.MaxHosts"/> hosts are kept; a new
/// host beyond that takes the ring of the least recently active one (the one whose last record
/// arrived longest ago). So memory is bounded by MaxHosts × PerHostCap × BytesPerRecord plus the maps.
/// One lock guards everything: one writer (the detector loop) adds, readers (the tracer, the API)
/// query; a query holds it for two scans of one ring, tens of microseconds for 1,000 records
/// (bench/results-lookback.md).
/// </remarks>
public sealed class ConnectionLookback
{
    private const int InitialRingCapacity = 16;

    // A host's ring object (header, array reference, three ints, newest ticks) and its array header.
    private const long RingOverheadBytes = 48 + 24;

    private readonly Lock _lock = new();
    private readonly long _lookbackTicks;
    private readonly int[] _fileSharingPorts;
    private readonly LruSlots<IpKey> _hosts;
    private readonly HostDirectory _directory;

    // Scratch for one lookback at a time (under the lock), cleared after each.
    private readonly Dictionary<IpKey, Group> _groups = [];
    private HostRing[] _rings = [];
    private long _records;
    private long _ringCapacity;

    public ConnectionLookback(LookbackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Lookback options: " + string.Join("; ", errors), nameof(options));
        }

        Options = options;
        _lookbackTicks = options.Lookback.Ticks;
        _fileSharingPorts = [.. options.FileSharingPorts];
        _hosts = new LruSlots<IpKey>(options.MaxHosts);
        _directory = new HostDirectory(options.MaxHosts);
    }

    public LookbackOptions Options { get; }

    /// <summary>The size of one kept connection record.</summary>
    public static int BytesPerRecord { get; } = Unsafe.SizeOf<ConnectionRecord>();

    /// <summary>
    /// What is held now. <see cref="LookbackStats.EstimatedBytes"/> counts the rings by their
    /// allocated length (not only the live records), the host and name maps by their allocated
    /// capacity, and the learned names; it leaves out the few fixed objects of the store itself.
    /// </summary>
    public LookbackStats Stats
    {
        get
        {
            lock (_lock)
            {
                var bytes = (_ringCapacity * BytesPerRecord) + (_hosts.Count * RingOverheadBytes)
                    + (_hosts.MapCapacity * 36L) // Dictionary<IpKey,int>: entry 32 + bucket 4
                    + (_hosts.AllocatedSlots * (16L + 8 + 8)) // keys, links, ring references by slot
                    + (_groups.EnsureCapacity(0) * 68L) // scratch Dictionary<IpKey,Group>: entry 64 + bucket 4
                    + _directory.EstimatedBytes;
                return new LookbackStats(_hosts.Count, _records, _directory.Count, bytes);
            }
        }
    }

    /// <summary>Whether any connection is kept: without connection telemetry there is nothing a detection could wait for.</summary>
    public bool HasConnections => Interlocked.Read(ref _records) > 0;

    /// <summary>
    /// Keeps <paramref name="connection"/> under its accepting address and learns the names of its
    /// ends. False, and nothing kept, when it is not a <c>network.connection</c>, lacks either
    /// address, touches loopback or an unspecified address, or is older than the lookback before the
    /// newest connection already kept for that host. A host's connection to its own address is kept:
    /// it says the infection may have come from the host itself (PsExec run against itself).
    /// </summary>
    public bool Add(SecurityEvent connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.Kind != EventKinds.NetworkConnection || connection.SourceIp is not { } sourceIp || connection.DestinationIp is not { } destinationIp)
        {
            return false;
        }

        var initiator = IpKey.From(sourceIp);
        var host = IpKey.From(destinationIp);
        if (host.IsLoopback || host.IsUnspecified || initiator.IsLoopback || initiator.IsUnspecified)
        {
            return false;
        }

        var port = connection.DestinationPort is >= 1 and <= 65535 ? (ushort)connection.DestinationPort.Value : (ushort)0;
        var record = new ConnectionRecord(initiator, connection.Timestamp.UtcTicks, connection.Id, port);
        lock (_lock)
        {
            _directory.Learn(connection.SourceName, initiator);
            _directory.Learn(connection.DestinationName, host);
            return Keep(host, record);
        }
    }

    /// <summary>Learns that <c>host.name</c> has <c>host.ip</c>, from any event that carries both.</summary>
    public void Learn(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (evt.HostName is { } name && evt.HostIp is { } ip)
        {
            var key = IpKey.From(ip);
            lock (_lock)
            {
                _directory.Learn(name, key);
            }
        }
    }

    /// <summary>
    /// The address last learned for <paramref name="hostName"/> (case-insensitive; a first DNS label
    /// matches a full name and the other way round), the address itself when the name is an IP
    /// literal, or null.
    /// </summary>
    public IPAddress? Resolve(string hostName)
    {
        lock (_lock)
        {
            return _directory.Resolve(hostName)?.ToIPAddress();
        }
    }

    /// <summary>
    /// The remote hosts that connected into <paramref name="victim"/> with event time in
    /// [<paramref name="at"/> − lookback, <paramref name="at"/>], one per initiator address, loopback
    /// left out; ranked file sharing first, then most recent last connection, then most connections,
    /// with the victim's own address (<see cref="SourceCandidate.Local"/>) after every remote one; at
    /// most <see cref="LookbackOptions.TopCandidates"/>.
    /// The host keeps only the lookback before its newest record, so when connections later than
    /// <paramref name="at"/> were added first (a detection that arrives late), the oldest part of
    /// the window is already gone.
    /// </summary>
    public IReadOnlyList<SourceCandidate> Candidates(IPAddress victim, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(victim);
        var victimKey = IpKey.From(victim);
        var to = at.UtcTicks;
        var from = to - _lookbackTicks;
        lock (_lock)
        {
            if (!_hosts.TryGet(victimKey, out var slot))
            {
                return [];
            }

            // Two passes over the ring: the first sums up every initiator (into a map kept between
            // calls, so a lookback allocates almost nothing), the second collects ports for the
            // few that rank on top only.
            var ring = _rings[slot];
            var window = new Window(victimKey, from, to);
            try
            {
                Summarise(ring.Older, window);
                Summarise(ring.Newer, window);
                if (_groups.Count == 0)
                {
                    return [];
                }

                var top = Top(victimKey);
                var ports = new List<int>[top.Length];
                for (var i = 0; i < ports.Length; i++)
                {
                    ports[i] = [];
                }

                CollectPorts(ring.Older, window, top, ports);
                CollectPorts(ring.Newer, window, top, ports);
                var candidates = new SourceCandidate[top.Length];
                for (var i = 0; i < top.Length; i++)
                {
                    var (ip, group) = top[i];
                    ports[i].Sort();
                    candidates[i] = new SourceCandidate(
                        ip.ToIPAddress(),
                        _directory.NameOf(ip),
                        ports[i],
                        group.Connections,
                        new DateTimeOffset(group.FirstTicks, TimeSpan.Zero),
                        new DateTimeOffset(group.LastTicks, TimeSpan.Zero),
                        group.FileSharing,
                        group.LastEventId,
                        ip == victimKey);
                }

                return candidates;
            }
            finally
            {
                _groups.Clear();
            }
        }
    }

    private void Summarise(ReadOnlySpan<ConnectionRecord> records, Window window)
    {
        foreach (ref readonly var record in records)
        {
            if (!window.Holds(record))
            {
                continue;
            }

            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(_groups, record.Initiator, out var exists);
            if (!exists)
            {
                group.FirstTicks = record.Ticks;
                group.LastTicks = record.Ticks;
                group.LastEventId = record.EventId;
            }
            else if (record.Ticks < group.FirstTicks)
            {
                group.FirstTicks = record.Ticks;
            }
            else if (record.Ticks >= group.LastTicks)
            {
                group.LastTicks = record.Ticks;
                group.LastEventId = record.EventId;
            }

            group.Connections++;
            group.FileSharing |= record.Port != 0 && _fileSharingPorts.AsSpan().Contains(record.Port);
        }
    }

    /// <summary>The best <see cref="LookbackOptions.TopCandidates"/> of the summed-up initiators, best first.</summary>
    private KeyValuePair<IpKey, Group>[] Top(IpKey victim)
    {
        var top = new KeyValuePair<IpKey, Group>[Math.Min(Options.TopCandidates, _groups.Count)];
        var filled = 0;
        foreach (var entry in _groups)
        {
            if (filled == top.Length && Rank(entry, top[^1], victim) >= 0)
            {
                continue;
            }

            // Insertion into a short sorted array: cheaper than sorting every initiator for the best few.
            var i = filled < top.Length ? filled++ : top.Length - 1;
            while (i > 0 && Rank(entry, top[i - 1], victim) < 0)
            {
                top[i] = top[i - 1];
                i--;
            }

            top[i] = entry;
        }

        return top;
    }

    private static void CollectPorts(ReadOnlySpan<ConnectionRecord> records, Window window, KeyValuePair<IpKey, Group>[] top, List<int>[] ports)
    {
        foreach (ref readonly var record in records)
        {
            if (record.Port == 0 || !window.Holds(record))
            {
                continue;
            }

            for (var i = 0; i < top.Length; i++)
            {
                if (top[i].Key == record.Initiator)
                {
                    if (!ports[i].Contains(record.Port))
                    {
                        ports[i].Add(record.Port);
                    }

                    break;
                }
            }
        }
    }

    private static int Rank(KeyValuePair<IpKey, Group> a, KeyValuePair<IpKey, Group> b, IpKey victim)
    {
        var order = (a.Key == victim).CompareTo(b.Key == victim);
        if (order == 0)
        {
            order = b.Value.FileSharing.CompareTo(a.Value.FileSharing);
        }

        if (order == 0)
        {
            order = b.Value.LastTicks.CompareTo(a.Value.LastTicks);
        }

        if (order == 0)
        {
            order = b.Value.Connections.CompareTo(a.Value.Connections);
        }

        return order != 0 ? order : a.Key.CompareTo(b.Key);
    }

    private bool Keep(IpKey host, ConnectionRecord record)
    {
        HostRing ring;
        if (_hosts.TryGet(host, out var slot))
        {
            _hosts.Touch(slot);
            ring = _rings[slot];
        }
        else
        {
            slot = _hosts.Add(host, out var evicted, out _);
            if (evicted)
            {
                ring = _rings[slot];
                _records -= ring.Count;
                ring.Clear();
            }
            else
            {
                if (slot >= _rings.Length)
                {
                    Array.Resize(ref _rings, _hosts.AllocatedSlots);
                }

                ring = _rings[slot] = new HostRing(Math.Min(InitialRingCapacity, Options.PerHostCap));
                _ringCapacity += ring.Capacity;
            }
        }

        if (ring.Count > 0 && record.Ticks < ring.NewestTicks - _lookbackTicks)
        {
            return false;
        }

        var before = ring.Count;
        var capacityBefore = ring.Capacity;
        ring.Append(record, _lookbackTicks, Options.PerHostCap);
        _records += ring.Count - before;
        _ringCapacity += ring.Capacity - capacityBefore;
        return true;
    }

    /// <summary>One initiator's connections into the victim within the window, summed up.</summary>
    private struct Group
    {
        public int Connections;
        public long FirstTicks;
        public long LastTicks;
        public long LastEventId;
        public bool FileSharing;
    }

    /// <summary>The victim and the event-time window of one lookback.</summary>
    private readonly record struct Window(IpKey Victim, long From, long To)
    {
        public bool Holds(in ConnectionRecord record) =>
            record.Ticks >= From && record.Ticks <= To && !record.Initiator.IsLoopback;
    }

    /// <summary>One host's records, oldest first from <see cref="_start"/>, wrapping around the array.</summary>
    private sealed class HostRing(int capacity)
    {
        private ConnectionRecord[] _items = NewArray(capacity);
        private int _start;

        public int Count { get; private set; }

        public int Capacity => _items.Length;

        public long NewestTicks { get; private set; } = long.MinValue;

        // The records in arrival order are Older (up to the array's end) then Newer (wrapped to its start).
        public ReadOnlySpan<ConnectionRecord> Older => _items.AsSpan(_start, OlderLength);

        public ReadOnlySpan<ConnectionRecord> Newer => _items.AsSpan(0, Count - OlderLength);

        private int OlderLength => Math.Min(Count, _items.Length - _start);

        /// <summary>Forgets every record; the array stays for the host that takes this ring over.</summary>
        public void Clear()
        {
            _start = 0;
            Count = 0;
            NewestTicks = long.MinValue;
        }

        public void Append(ConnectionRecord record, long lookbackTicks, int cap)
        {
            NewestTicks = Math.Max(NewestTicks, record.Ticks);

            // Records arrive roughly in event time: those at the old end that fell out of the
            // lookback go now; an out-of-order old one further in goes when it reaches the end.
            var horizon = NewestTicks - lookbackTicks;
            while (Count > 0 && _items[_start].Ticks < horizon)
            {
                DropOldest();
            }

            if (Count == _items.Length)
            {
                if (_items.Length < cap)
                {
                    Grow(Math.Min(cap, _items.Length * 2));
                }
                else
                {
                    DropOldest();
                }
            }

            var end = _start + Count;
            _items[end < _items.Length ? end : end - _items.Length] = record;
            Count++;
        }

        // Rings hold no references and live long: on the pinned object heap the GC never copies them
        // from generation to generation nor compacts them, which kept collections of a heap of
        // hundreds of MiB of rings short (bench/results-lookback.md).
        private static ConnectionRecord[] NewArray(int capacity) => GC.AllocateUninitializedArray<ConnectionRecord>(capacity, pinned: true);

        private void DropOldest()
        {
            _start = _start + 1 == _items.Length ? 0 : _start + 1;
            Count--;
        }

        private void Grow(int capacity)
        {
            var items = NewArray(capacity);
            Older.CopyTo(items);
            Newer.CopyTo(items.AsSpan(OlderLength));
            _items = items;
            _start = 0;
        }
    }
}
