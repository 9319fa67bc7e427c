using System.Net;

namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>
/// Builds an <see cref="InfectionChain"/> from detections in time order: every name and IP reported for
/// a victim or a source is one machine with any other report that shares its name key or its IP
/// (union-find), so B seen by name as a victim and by IP as a source is one node.
/// </summary>
/// <remarks>
/// Joining on IP assumes an address names one machine over the horizon; a DHCP lease handed to another
/// host within it joins the two.
/// </remarks>
internal sealed class InfectionChainBuilder
{
    // Machine i: _parent[i] leads to its set's root; the root is the set's earliest machine, so the
    // order of roots is the order in which machines first appeared.
    private readonly List<int> _parent = [];
    private readonly List<string?> _names = [];
    private readonly List<string?> _nameKeys = [];
    private readonly List<IPAddress?> _ips = [];
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<IPAddress, int> _byIp = [];

    // Reported names repeat across thousands of detections: each distinct one is reduced to its key once.
    private readonly Dictionary<string, string?> _nameKeyOf = new(StringComparer.Ordinal);
    private readonly List<(int Source, int Victim, ObservedDetection Detection)> _infections = [];
    private readonly List<(int Victim, DateTimeOffset Time)> _victims = [];

    /// <summary>Adds a detection; call in the timeline's order (event time).</summary>
    public void Add(ObservedDetection detection)
    {
        // The source first, so that in A → B the source is the earlier node.
        int? source = detection.Source.Kind == OutbreakSourceKind.Host
            ? Machine(detection.SourceName, NameKey(detection.SourceName), detection.SourceIp)
            : null;
        // A named victim's key is its name key already.
        var victim = Machine(detection.VictimName, detection.VictimName is null ? null : detection.VictimKey, detection.VictimIp);
        _victims.Add((victim, detection.Time));
        if (source is { } from)
        {
            _infections.Add((from, victim, detection));
        }
    }

    public InfectionChain Build(DateTimeOffset since)
    {
        var edges = new Dictionary<(int From, int To), EdgeTotals>();
        foreach (var (source, victim, detection) in _infections)
        {
            var key = (Find(source), Find(victim));
            if (key.Item1 == key.Item2)
            {
                continue;
            }

            if (!edges.TryGetValue(key, out var totals))
            {
                totals = new EdgeTotals(detection.Time);
                edges.Add(key, totals);
            }

            totals.Count++;
            if (detection.Threat is { } threat && !totals.Threats.Contains(threat, StringComparer.Ordinal))
            {
                totals.Threats.Add(threat);
            }
        }

        var inChain = new SortedSet<int>();
        var infectedOthers = new HashSet<int>();
        foreach (var (from, to) in edges.Keys)
        {
            inChain.Add(from);
            inChain.Add(to);
            infectedOthers.Add(from);
        }

        var firstInfected = new Dictionary<int, DateTimeOffset>();
        foreach (var (victim, time) in _victims)
        {
            var root = Find(victim);
            if (inChain.Contains(root) && (!firstInfected.TryGetValue(root, out var first) || time < first))
            {
                firstInfected[root] = time;
            }
        }

        var nodes = inChain
            .Select(root => new ChainNode(
                Id(root),
                _names[root],
                _ips[root],
                firstInfected.TryGetValue(root, out var first) ? first : null,
                infectedOthers.Contains(root)))
            .ToList();
        var chainEdges = edges
            .OrderBy(edge => edge.Value.FirstAt)
            .ThenBy(edge => edge.Key.From)
            .ThenBy(edge => edge.Key.To)
            .Select(edge => new ChainEdge(Id(edge.Key.From), Id(edge.Key.To), edge.Value.FirstAt, edge.Value.Count, edge.Value.Threats))
            .ToList();
        return new InfectionChain(since, nodes, chainEdges);
    }

    private string Id(int root) => _nameKeys[root] ?? _ips[root]!.ToString();

    private string? NameKey(string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (!_nameKeyOf.TryGetValue(name, out var key))
        {
            key = MachineIdentity.NameKey(name);
            _nameKeyOf.Add(name, key);
        }

        return key;
    }

    private int Machine(string? name, string? nameKey, IPAddress? ip)
    {
        int? byName = nameKey is not null && _byName.TryGetValue(nameKey, out var named) ? Find(named) : null;
        int? byIp = ip is not null && _byIp.TryGetValue(ip, out var addressed) ? Find(addressed) : null;

        int machine;
        if (byName is { } a && byIp is { } b && a != b)
        {
            machine = Union(a, b);
        }
        else if ((byName ?? byIp) is { } known)
        {
            machine = known;
        }
        else
        {
            machine = _parent.Count;
            _parent.Add(machine);
            _names.Add(null);
            _nameKeys.Add(null);
            _ips.Add(null);
        }

        if (nameKey is not null)
        {
            _byName.TryAdd(nameKey, machine);
            _names[machine] ??= name;
            _nameKeys[machine] ??= nameKey;
        }

        if (ip is not null)
        {
            _byIp.TryAdd(ip, machine);
            _ips[machine] ??= ip;
        }

        return machine;
    }

    private int Find(int machine)
    {
        var root = machine;
        while (_parent[root] != root)
        {
            root = _parent[root];
        }

        while (machine != root)
        {
            var next = _parent[machine];
            _parent[machine] = root;
            machine = next;
        }

        return root;
    }

    private int Union(int a, int b)
    {
        var (root, other) = a < b ? (a, b) : (b, a);
        _parent[other] = root;
        _names[root] ??= _names[other];
        _nameKeys[root] ??= _nameKeys[other];
        _ips[root] ??= _ips[other];
        return root;
    }

    private sealed class EdgeTotals(DateTimeOffset firstAt)
    {
        public DateTimeOffset FirstAt { get; } = firstAt;

        public int Count { get; set; }

        public List<string> Threats { get; } = [];
    }
}
