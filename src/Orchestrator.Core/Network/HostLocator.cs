using System.Globalization;
using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Network;

/// <summary>One port of a switch as its tables describe it.</summary>
/// <param name="IfIndex">IF-MIB ifIndex.</param>
/// <param name="BridgePort">BRIDGE-MIB base port (what the forwarding table names); null for a port not in the bridge.</param>
/// <param name="Name">ifName.</param>
/// <param name="Trunk">Carries tagged VLANs (Q-BRIDGE admitOnlyVlanTagged, Cisco trunking, a configured trunk).</param>
/// <param name="Aggregated">A member of a link aggregation (LAG, port channel).</param>
/// <param name="Neighbor">The LLDP/CDP neighbour seen on the port, if any.</param>
public sealed record SwitchPort(int IfIndex, int? BridgePort, PortName Name, bool Trunk = false, bool Aggregated = false, string? Neighbor = null);

/// <summary>A forwarding-table entry: the MAC was learned on that bridge port (in that VLAN).</summary>
public sealed record FdbEntry(MacAddress Mac, int BridgePort, VlanId? Vlan);

/// <summary>What one switch's tables say, read at <paramref name="ReadAt"/>, with the inventory's uplinks and protected ports.</summary>
public sealed record SwitchTables(
    string Device,
    IReadOnlyList<SwitchPort> Ports,
    IReadOnlyList<FdbEntry> Fdb,
    IReadOnlyList<PortName> Uplinks,
    IReadOnlyList<PortName> ProtectedPorts,
    DateTimeOffset ReadAt);

/// <summary>An ARP (IP-MIB ipNetToMedia / ipNetToPhysical) entry of a router: which MAC answers for an address.</summary>
public sealed record ArpEntry(IPAddress Ip, MacAddress Mac, string Router);

/// <summary>How sure the locator is that the port is the host's own.</summary>
public enum LocateConfidence
{
    /// <summary>The MAC is on exactly one edge port, alone or with one other MAC (a phone).</summary>
    High,

    /// <summary>One edge port, shared with a few other MACs (a small unmanaged switch or a hub behind it).</summary>
    Medium,

    /// <summary>Several edge ports claim it (the host moved, or a table is stale): no port is answered.</summary>
    Ambiguous,

    /// <summary>Seen only on uplinks, trunks or crowded ports: the host sits behind a switch the inventory does not have.</summary>
    OnlyUplinks,

    /// <summary>No switch has learned the MAC.</summary>
    NotFound,
}

/// <summary>A port the MAC was seen on, and what the locator made of it.</summary>
public sealed record PortSighting(string Device, PortName Port, int IfIndex, VlanId? Vlan, int MacsOnPort, bool Edge, string Why, bool Protected);

/// <summary>The answer: the host's edge port when there is one, every sighting, and why.</summary>
public sealed record HostLocation(MacAddress? Mac, IPAddress? Ip, LocateConfidence Confidence, PortSighting? Edge, IReadOnlyList<PortSighting> Seen, string Why);

/// <summary>
/// Finds the switch port a host is plugged into from the switches' forwarding tables. It answers the
/// edge port, never an uplink, trunk or LAG member: a port is not an edge when the inventory lists it as
/// an uplink, it trunks or aggregates, an LLDP/CDP neighbour sits on it, or it carries more than
/// <see cref="CrowdedPort"/> MACs (another switch behind it). Pure logic: the tables come from SNMP or SSH.
/// </summary>
public static class HostLocator
{
    /// <summary>The confidence as outputs, JSON and messages spell it: <c>high</c>, <c>only_uplinks</c>, <c>not_found</c>.</summary>
    public static string Name(LocateConfidence confidence) => confidence switch
    {
        LocateConfidence.OnlyUplinks => "only_uplinks",
        LocateConfidence.NotFound => "not_found",
        _ => confidence.ToString().ToLowerInvariant(),
    };

    /// <summary>A port with more MACs than this is treated as leading to another switch.</summary>
    public const int CrowdedPort = 8;

    /// <summary>More MACs than this on the host's own port (host and phone) lowers the confidence to medium.</summary>
    public const int QuietPort = 2;

    /// <summary>The MAC that answers for <paramref name="ip"/> in the routers' ARP tables, or null.</summary>
    public static MacAddress? MacOf(IPAddress ip, IEnumerable<ArpEntry> arp)
    {
        ArgumentNullException.ThrowIfNull(ip);
        ArgumentNullException.ThrowIfNull(arp);
        var macs = arp.Where(a => a.Ip.Equals(ip)).Select(a => a.Mac).Distinct().ToList();
        return macs.Count == 1 ? macs[0] : null;
    }

    public static HostLocation Locate(MacAddress mac, IEnumerable<SwitchTables> switches, IPAddress? ip = null)
    {
        ArgumentNullException.ThrowIfNull(switches);
        var seen = new List<PortSighting>();
        foreach (var tables in switches)
        {
            var byBridgePort = tables.Ports.Where(p => p.BridgePort is not null).ToDictionary(p => p.BridgePort!.Value);
            var macsPerPort = tables.Fdb.GroupBy(e => e.BridgePort).ToDictionary(g => g.Key, g => g.Select(e => e.Mac).Distinct().Count());
            foreach (var entry in tables.Fdb.Where(e => e.Mac == mac))
            {
                if (!byBridgePort.TryGetValue(entry.BridgePort, out var port))
                {
                    continue;
                }

                var macs = macsPerPort[entry.BridgePort];
                var notEdge = NotEdgeBecause(tables, port, macs);
                seen.Add(new PortSighting(
                    tables.Device, port.Name, port.IfIndex, entry.Vlan, macs, notEdge is null,
                    notEdge ?? string.Create(CultureInfo.InvariantCulture, $"edge port with {macs} MAC(s)"),
                    tables.ProtectedPorts.Any(p => p.Matches(port.Name))));
            }
        }

        var edges = seen.Where(s => s.Edge).DistinctBy(s => (s.Device, s.Port.Value)).ToList();
        if (seen.Count == 0)
        {
            return new HostLocation(mac, ip, LocateConfidence.NotFound, null, seen, $"no switch has learned {mac}");
        }

        if (edges.Count == 0)
        {
            return new HostLocation(mac, ip, LocateConfidence.OnlyUplinks, null, seen,
                $"{mac} is seen only on ports that lead to other switches ({Describe(seen)}): the host is behind a switch not in the inventory");
        }

        if (edges.Count > 1)
        {
            return new HostLocation(mac, ip, LocateConfidence.Ambiguous, null, seen,
                $"{mac} is on {edges.Count} edge ports ({Describe(edges)}): it moved or a table is stale; not answering one");
        }

        var edge = edges[0];
        var confidence = edge.MacsOnPort <= QuietPort ? LocateConfidence.High : LocateConfidence.Medium;
        return new HostLocation(mac, ip, confidence, edge, seen,
            string.Create(CultureInfo.InvariantCulture, $"{mac} is on {edge.Device} {edge.Port} ({edge.Why}{(edge.Protected ? ", a protected port" : "")})"));
    }

    private static string? NotEdgeBecause(SwitchTables tables, SwitchPort port, int macs)
    {
        if (tables.Uplinks.Any(u => u.Matches(port.Name)))
        {
            return "a configured uplink";
        }

        if (port.Trunk)
        {
            return "a trunk";
        }

        if (port.Aggregated)
        {
            return "a link-aggregation member";
        }

        if (port.Neighbor is { } neighbor)
        {
            return $"LLDP/CDP neighbour {neighbor}";
        }

        return macs > CrowdedPort ? string.Create(CultureInfo.InvariantCulture, $"carries {macs} MACs") : null;
    }

    private static string Describe(IEnumerable<PortSighting> sightings) =>
        string.Join("; ", sightings.Select(s => $"{s.Device} {s.Port}: {s.Why}"));
}
