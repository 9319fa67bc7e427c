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
/// query; a query holds it for the scan of one ring, a few microseconds.
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
                    + _directory.EstimatedBytes;
                return new LookbackStats(_hosts.Count, _records, _directory.Count, bytes);
            }
        }
    }

    /// <summary>
    /// Keeps <paramref name="connection"/> under its accepting address and learns the names of its
    /// ends. False, and nothing kept, when it is not a <c>network.connection</c>, lacks either
    /// address, connects a host to itself or to loopback, or is older than the lookback before the
    /// newest connection already kept for that host.
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
        if (host == initiator || host.IsLoopback || host.IsUnspecified || initiator.IsLoopback || initiator.IsUnspecified)
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
    /// [<paramref name="at"/> − lookback, <paramref name="at"/>], one per initiator address, the
    /// victim's own address and loopback left out; ranked file sharing first, then most recent
    /// last connection, then most connections; at most <see cref="LookbackOptions.TopCandidates"/>.
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

            var ring = _rings[slot];
            var groups = new Dictionary<IpKey, Group>();
            Collect(ring.Older, victimKey, from, to, groups);
            Collect(ring.Newer, victimKey, from, to, groups);
            if (groups.Count == 0)
            {
                return [];
            }

            var ranked = groups.ToArray();
            Array.Sort(ranked, static (a, b) => Rank(a, b));
            var count = Math.Min(Options.TopCandidates, ranked.Length);
            var candidates = new SourceCandidate[count];
            for (var i = 0; i < count; i++)
            {
                var (ip, group) = ranked[i];
                IReadOnlyList<int> ports = group.Ports is { } list ? [.. list.Order()] : [];
                candidates[i] = new SourceCandidate(
                    ip.ToIPAddress(),
                    _directory.NameOf(ip),
                    ports,
                    group.Connections,
                    new DateTimeOffset(group.FirstTicks, TimeSpan.Zero),
                    new DateTimeOffset(group.LastTicks, TimeSpan.Zero),
                    group.FileSharing,
                    group.LastEventId);
            }

            return candidates;
        }
    }

    private void Collect(ReadOnlySpan<ConnectionRecord> records, IpKey victim, long from, long to, Dictionary<IpKey, Group> groups)
    {
        foreach (ref readonly var record in records)
        {
            if (record.Ticks < from || record.Ticks > to || record.Initiator == victim)
            {
                continue;
            }

            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, record.Initiator, out var exists);
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
            if (record.Port != 0)
            {
                group.Ports ??= [];
                if (!group.Ports.Contains(record.Port))
                {
                    group.Ports.Add(record.Port);
                    group.FileSharing |= _fileSharingPorts.AsSpan().Contains(record.Port);
                }
            }
        }
    }

    private static int Rank(KeyValuePair<IpKey, Group> a, KeyValuePair<IpKey, Group> b)
    {
        var order = b.Value.FileSharing.CompareTo(a.Value.FileSharing);
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

    private struct Group
    {
        public int Connections;
        public long FirstTicks;
        public long LastTicks;
        public long LastEventId;
        public bool FileSharing;
        public List<int>? Ports;
    }

    /// <summary>One host's records, oldest first from <see cref="_start"/>, wrapping around the array.</summary>
    private sealed class HostRing(int capacity)
    {
        private ConnectionRecord[] _items = new ConnectionRecord[capacity];
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

        private void DropOldest()
        {
            _start = _start + 1 == _items.Length ? 0 : _start + 1;
            Count--;
        }

        private void Grow(int capacity)
        {
            var items = new ConnectionRecord[capacity];
            Older.CopyTo(items);
            Newer.CopyTo(items.AsSpan(OlderLength));
            _items = items;
            _start = 0;
        }
    }
}
