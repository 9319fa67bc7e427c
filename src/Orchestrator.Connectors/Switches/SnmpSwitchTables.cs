using System.Globalization;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Snmp;

namespace Orchestrator.Connectors.Switches;

/// <summary>
/// Reads what the host locator needs from a switch over SNMP: IF-MIB ifName, BRIDGE-MIB
/// dot1dBasePortIfIndex (bridge port → ifIndex, never assumed equal), the Q-BRIDGE forwarding table
/// dot1qTpFdbPort (BRIDGE-MIB dot1dTpFdbPort when the switch has no Q-BRIDGE), which ports trunk
/// (dot1qPortAcceptableFrameTypes admitOnlyVlanTagged; Cisco vlanTrunkPortDynamicStatus trunking, or
/// where a switch has no status column, vlanTrunkPortDynamicState on, desirable or onNoNegotiate),
/// aggregate (IEEE8023-LAG-MIB dot3adAggPortAttachedAggID) or have an LLDP neighbour (lldpRemSysName).
/// </summary>
public static class SnmpSwitchTables
{
    public static readonly Oid IfName = Oid.Parse("1.3.6.1.2.1.31.1.1.1.1");
    public static readonly Oid BasePortIfIndex = Oid.Parse("1.3.6.1.2.1.17.1.4.1.2");
    public static readonly Oid QBridgeFdbPort = Oid.Parse("1.3.6.1.2.1.17.7.1.2.2.1.2");
    public static readonly Oid BridgeFdbPort = Oid.Parse("1.3.6.1.2.1.17.4.3.1.2");
    public static readonly Oid VlanFdbId = Oid.Parse("1.3.6.1.2.1.17.7.1.4.2.1.3");
    public static readonly Oid AcceptableFrameTypes = Oid.Parse("1.3.6.1.2.1.17.7.1.4.5.1.2");
    public static readonly Oid CiscoTrunkDynamicState = Oid.Parse("1.3.6.1.4.1.9.9.46.1.6.1.1.13");
    public static readonly Oid CiscoTrunkDynamicStatus = Oid.Parse("1.3.6.1.4.1.9.9.46.1.6.1.1.14");
    public static readonly Oid LagAttachedAggId = Oid.Parse("1.2.840.10006.300.43.1.2.1.1.13");
    public static readonly Oid LldpRemSysName = Oid.Parse("1.0.8802.1.1.2.1.4.1.1.9");

    /// <summary>CISCO-VTP-MIB vtpVlanState.&lt;managementDomain&gt;.&lt;vlan&gt;: operational(1) VLANs, each with a BRIDGE-MIB instance of its own.</summary>
    public static readonly Oid CiscoVtpVlanState = Oid.Parse("1.3.6.1.4.1.9.9.46.1.3.1.1.2");

    private const int VtpOperational = 1;

    private const int SyntheticBridgePortBase = 1_000_000;

    // 1002-1005 are the FDDI/Token Ring defaults every Catalyst lists; they carry no Ethernet hosts.
    private static readonly (int First, int Last) CiscoReservedVlans = (1002, 1005);

    private const int AdmitOnlyVlanTagged = 2;
    private const int CiscoTrunking = 1;

    // vlanTrunkPortDynamicState: on(1), off(2), desirable(3), auto(4), onNoNegotiate(5). "auto" is the
    // access-port default on many Catalysts, so it alone does not make a trunk.
    private static readonly uint[] CiscoTrunkStates = [1, 3, 5];

    /// <summary>
    /// Reads the switch's tables now; <paramref name="device"/> supplies the name, uplinks and protected ports. A switch
    /// without Q-BRIDGE that lists its VLANs in CISCO-VTP-MIB keeps one BRIDGE-MIB instance per VLAN (Cisco PVST):
    /// each is read through <paramref name="vlanClient"/> (community <c>community@vlan</c>, or the v3 context
    /// <c>vlan-N</c>), and its bridge ports are mapped to ifIndex with that VLAN's own dot1dBasePortIfIndex.
    /// </summary>
    public static async Task<SwitchTables> ReadAsync(SnmpClient client, DeviceDefinition device, TimeProvider time, CancellationToken cancellationToken, Func<VlanId, Task<SnmpClient>>? vlanClient = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        var names = await ColumnAsync(client, IfName, cancellationToken).ConfigureAwait(false);
        var ifIndexOfBridgePort = await ColumnAsync(client, BasePortIfIndex, cancellationToken).ConfigureAwait(false);
        var fdb = await QBridgeFdbAsync(client, cancellationToken).ConfigureAwait(false);
        if (fdb.Count == 0)
        {
            fdb = await BridgeFdbAsync(client, null, cancellationToken).ConfigureAwait(false);
            if (vlanClient is not null)
            {
                // The default instance is VLAN 1's on a Catalyst: keep each learned MAC once, with its VLAN.
                var perVlan = await PerVlanFdbAsync(device.Name, client, vlanClient, ifIndexOfBridgePort, cancellationToken).ConfigureAwait(false);
                var seen = perVlan.Select(e => (e.Mac, e.BridgePort)).ToHashSet();
                fdb = [.. fdb.Where(e => !seen.Contains((e.Mac, e.BridgePort))), .. perVlan];
            }
        }

        var frameTypes = await ColumnAsync(client, AcceptableFrameTypes, cancellationToken).ConfigureAwait(false);
        var ciscoTrunkStatus = await ColumnAsync(client, CiscoTrunkDynamicStatus, cancellationToken).ConfigureAwait(false);
        var ciscoTrunkState = await ColumnAsync(client, CiscoTrunkDynamicState, cancellationToken).ConfigureAwait(false);
        var aggregation = await ColumnAsync(client, LagAttachedAggId, cancellationToken).ConfigureAwait(false);
        var neighbors = await LldpNeighborsAsync(client, cancellationToken).ConfigureAwait(false);

        var ports = new List<SwitchPort>();
        var bridgePortOfIfIndex = ifIndexOfBridgePort.ToDictionary(p => (int)p.Value.Unsigned(), p => p.Key);
        foreach (var (ifIndex, value) in names)
        {
            if (!PortName.TryParse(value.AsText(), out var name))
            {
                continue; // a name no command could carry safely; the locator never answers it
            }

            int? bridgePort = bridgePortOfIfIndex.TryGetValue(ifIndex, out var bp) ? bp : null;
            var trunk = (bridgePort is { } b && frameTypes.TryGetValue(b, out var frames) && frames.Unsigned() == AdmitOnlyVlanTagged)
                || (ciscoTrunkStatus.TryGetValue(ifIndex, out var status)
                    ? status.Unsigned() == CiscoTrunking
                    : ciscoTrunkState.TryGetValue(ifIndex, out var state) && CiscoTrunkStates.Contains(state.Unsigned()));
            var aggregated = aggregation.TryGetValue(ifIndex, out var aggregator) && aggregator.Unsigned() is var agg && agg != 0 && agg != ifIndex;
            var neighbor = bridgePort is { } local && neighbors.TryGetValue(local, out var remote) ? remote : null;
            ports.Add(new SwitchPort(ifIndex, bridgePort, name, trunk, aggregated, neighbor));
        }

        return new SwitchTables(device.Name, ports, fdb, device.Uplinks, device.ProtectedPorts, time.GetUtcNow());
    }

    // A column indexed by one integer (ifIndex or bridge port).
    private static async Task<Dictionary<int, SnmpValue>> ColumnAsync(SnmpClient client, Oid column, CancellationToken cancellationToken)
    {
        var values = new Dictionary<int, SnmpValue>();
        await foreach (var binding in client.BulkWalkAsync(column, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (binding.Oid.Length == column.Length + 1)
            {
                values[(int)binding.Oid.Arcs.Span[column.Length]] = binding.Value;
            }
        }

        return values;
    }

    // lldpRemSysName.<timeMark>.<localPortNum>.<index>: the local port number is the bridge port (IEEE 802.1AB).
    private static async Task<Dictionary<int, string>> LldpNeighborsAsync(SnmpClient client, CancellationToken cancellationToken)
    {
        var neighbors = new Dictionary<int, string>();
        await foreach (var binding in client.BulkWalkAsync(LldpRemSysName, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (binding.Oid.Length == LldpRemSysName.Length + 3)
            {
                neighbors[(int)binding.Oid.Arcs.Span[LldpRemSysName.Length + 1]] = binding.Value.AsText();
            }
        }

        return neighbors;
    }

    // dot1qTpFdbPort.<fdbId>.<six MAC octets>; the FDB id maps to a VLAN through dot1qVlanFdbId (or equals it).
    private static async Task<List<FdbEntry>> QBridgeFdbAsync(SnmpClient client, CancellationToken cancellationToken)
    {
        var vlanOfFdb = new Dictionary<uint, VlanId>();
        await foreach (var binding in client.BulkWalkAsync(VlanFdbId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (binding.Oid.Length == VlanFdbId.Length + 2 && VlanId.TryParse(binding.Oid.Arcs.Span[VlanFdbId.Length + 1].ToString(CultureInfo.InvariantCulture), out var vlan))
            {
                vlanOfFdb[binding.Value.Unsigned()] = vlan;
            }
        }

        var entries = new List<FdbEntry>();
        await foreach (var binding in client.BulkWalkAsync(QBridgeFdbPort, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var arcs = binding.Oid.Arcs.Span;
            if (arcs.Length != QBridgeFdbPort.Length + 7 || binding.Value.Unsigned() is var port && port == 0 || MacOf(arcs[(QBridgeFdbPort.Length + 1)..]) is not { } mac)
            {
                continue;
            }

            var fdbId = arcs[QBridgeFdbPort.Length];
            VlanId? vlan = vlanOfFdb.TryGetValue(fdbId, out var mapped) ? mapped
                : VlanId.TryParse(fdbId.ToString(CultureInfo.InvariantCulture), out var same) ? same : null;
            entries.Add(new FdbEntry(mac, (int)port, vlan));
        }

        return entries;
    }

    /// <summary>
    /// The forwarding table of every operational VLAN's own BRIDGE-MIB instance. Its bridge ports are turned into the
    /// bridge ports of the default instance through ifIndex (a port the default instance does not number gets the
    /// VLAN's number, added to <paramref name="ifIndexOfBridgePort"/>), so the locator sees one numbering.
    /// </summary>
    private static async Task<List<FdbEntry>> PerVlanFdbAsync(string device, SnmpClient client, Func<VlanId, Task<SnmpClient>> vlanClient, Dictionary<int, SnmpValue> ifIndexOfBridgePort, CancellationToken cancellationToken)
    {
        var vlans = new List<VlanId>();
        await foreach (var binding in client.BulkWalkAsync(CiscoVtpVlanState, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var arcs = binding.Oid.Arcs.Span;
            if (arcs.Length == CiscoVtpVlanState.Length + 2 && binding.Value.Unsigned() == VtpOperational && arcs[^1] is var id
                && (id < CiscoReservedVlans.First || id > CiscoReservedVlans.Last) && VlanId.TryParse(id.ToString(CultureInfo.InvariantCulture), out var vlan))
            {
                vlans.Add(vlan);
            }
        }

        var bridgePortOfIfIndex = ifIndexOfBridgePort.ToDictionary(p => p.Value.Unsigned(), p => p.Key);
        var entries = new List<FdbEntry>();
        foreach (var vlan in vlans)
        {
            await using var perVlan = await vlanClient(vlan).ConfigureAwait(false);
            Dictionary<int, SnmpValue> ifIndexOfVlanPort;
            List<FdbEntry> learned;
            try
            {
                ifIndexOfVlanPort = await ColumnAsync(perVlan, BasePortIfIndex, cancellationToken).ConfigureAwait(false);
                learned = await BridgeFdbAsync(perVlan, vlan, cancellationToken).ConfigureAwait(false);
            }
            catch (SnmpException ex)
            {
                // A VLAN not read could hide the host: say which, rather than answer "not found".
                throw new SnmpException($"{device}: VLAN {vlan}'s forwarding table (community@{vlan}, or context vlan-{vlan} with SNMPv3) could not be read: {ex.Message}", ex);
            }

            foreach (var entry in learned)
            {
                if (!ifIndexOfVlanPort.TryGetValue(entry.BridgePort, out var ifIndex))
                {
                    continue;
                }

                if (!bridgePortOfIfIndex.TryGetValue(ifIndex.Unsigned(), out var bridgePort))
                {
                    // The VLAN's number, unless the default instance gave it to another port: then one above any real bridge port.
                    bridgePort = ifIndexOfBridgePort.ContainsKey(entry.BridgePort) ? SyntheticBridgePortBase + (int)ifIndex.Unsigned() : entry.BridgePort;
                    bridgePortOfIfIndex[ifIndex.Unsigned()] = bridgePort;
                    ifIndexOfBridgePort[bridgePort] = ifIndex;
                }

                entries.Add(entry with { BridgePort = bridgePort });
            }
        }

        return entries;
    }

    private static async Task<List<FdbEntry>> BridgeFdbAsync(SnmpClient client, VlanId? vlan, CancellationToken cancellationToken)
    {
        var entries = new List<FdbEntry>();
        await foreach (var binding in client.BulkWalkAsync(BridgeFdbPort, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var arcs = binding.Oid.Arcs.Span;
            if (arcs.Length == BridgeFdbPort.Length + 6 && binding.Value.Unsigned() is var port && port != 0 && MacOf(arcs[BridgeFdbPort.Length..]) is { } mac)
            {
                entries.Add(new FdbEntry(mac, (int)port, vlan));
            }
        }

        return entries;
    }

    private static MacAddress? MacOf(ReadOnlySpan<uint> octets)
    {
        ulong value = 0;
        foreach (var octet in octets)
        {
            if (octet > 255)
            {
                return null;
            }

            value = (value << 8) | octet;
        }

        return MacAddress.FromValue(value);
    }
}
