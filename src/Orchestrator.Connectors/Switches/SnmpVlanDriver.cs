using System.Collections.Concurrent;
using Orchestrator.Core.Network;
using Orchestrator.Snmp;

namespace Orchestrator.Connectors.Switches;

/// <summary>What a port's VLAN was before a quarantine moved it, so a release puts it back.</summary>
/// <param name="Method">qbridge or cisco-vmvlan: how the VLAN was changed (and is changed back).</param>
/// <param name="IfIndex">The port's ifIndex.</param>
/// <param name="BridgePort">The port's bridge port (Q-BRIDGE indexes by it).</param>
/// <param name="Vlan">The access VLAN the port had.</param>
public sealed record PortVlanSnapshot(string Method, int IfIndex, int? BridgePort, int Vlan);

/// <summary>
/// Moves an access port to another VLAN over SNMP and back: Cisco <c>vmVlan</c> when the switch has it,
/// otherwise Q-BRIDGE — the port's <c>dot1qPvid</c> plus its bit in the static egress and untagged
/// PortLists of the old and the new VLAN, read-modify-write under a per-switch lock (two changes to
/// the same PortList must not race). Every change records the state it replaces and is read back.
/// </summary>
public static class SnmpVlanDriver
{
    public const string Qbridge = "qbridge";
    public const string CiscoVmVlan = "cisco-vmvlan";

    public static readonly Oid VmVlan = Oid.Parse("1.3.6.1.4.1.9.9.68.1.2.2.1.2");
    public static readonly Oid Dot1qPvid = Oid.Parse("1.3.6.1.2.1.17.7.1.4.5.1.1");
    public static readonly Oid StaticEgressPorts = Oid.Parse("1.3.6.1.2.1.17.7.1.4.3.1.2");
    public static readonly Oid StaticUntaggedPorts = Oid.Parse("1.3.6.1.2.1.17.7.1.4.3.1.4");

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> SwitchLocks = new(StringComparer.Ordinal);

    /// <summary>The port's access VLAN now, and how it is set (the <paramref name="method"/> rules of <see cref="MoveAsync"/>).</summary>
    public static async Task<PortVlanSnapshot> ReadAsync(SnmpClient client, string device, SwitchPort port, CancellationToken cancellationToken, string method = "auto")
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(port);
        var current = method == Qbridge ? null : await CiscoVlanAsync(client, port.IfIndex, cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            return new PortVlanSnapshot(CiscoVmVlan, port.IfIndex, port.BridgePort, current.Value);
        }

        if (method == CiscoVmVlan)
        {
            throw new SnmpException($"{device} {port.Name}: no Cisco vmVlan for ifIndex {port.IfIndex}");
        }

        var bridgePort = port.BridgePort ?? throw new SnmpException($"{device} {port.Name}: not a bridge port, so it has no VLAN to change");
        var pvid = (int)SnmpNumbers.Unsigned((await client.GetAsync(Dot1qPvid.Append((uint)bridgePort), cancellationToken).ConfigureAwait(false)).Value);
        return new PortVlanSnapshot(Qbridge, port.IfIndex, bridgePort, pvid);
    }

    /// <summary>
    /// Moves the port to <paramref name="vlan"/>; returns what it replaced. <paramref name="method"/>:
    /// <c>auto</c> (Cisco vmVlan when the port has one, else Q-BRIDGE), <see cref="Qbridge"/> or <see cref="CiscoVmVlan"/>.
    /// </summary>
    public static async Task<PortVlanSnapshot> MoveAsync(SnmpClient client, string device, SwitchPort port, VlanId vlan, CancellationToken cancellationToken, string method = "auto")
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(port);
        var gate = SwitchLocks.GetOrAdd(device, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (method is not ("auto" or Qbridge or CiscoVmVlan))
            {
                throw new ArgumentException($"VLAN method '{method}' is not auto, {Qbridge} or {CiscoVmVlan}", nameof(method));
            }

            var before = await ReadAsync(client, device, port, cancellationToken, method).ConfigureAwait(false);
            if (before.Method == CiscoVmVlan)
            {
                await SetVerifiedAsync(client, VmVlan.Append((uint)port.IfIndex), vlan.Value, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await MoveMembershipAsync(client, before.BridgePort!.Value, before.Vlan, vlan.Value, cancellationToken).ConfigureAwait(false);
            }

            return before;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Puts the port back in the VLAN <paramref name="snapshot"/> recorded, the way it was moved.</summary>
    public static async Task RestoreAsync(SnmpClient client, string device, PortVlanSnapshot snapshot, int movedTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(snapshot);
        var gate = SwitchLocks.GetOrAdd(device, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (snapshot.Method == CiscoVmVlan)
            {
                await SetVerifiedAsync(client, VmVlan.Append((uint)snapshot.IfIndex), snapshot.Vlan, cancellationToken).ConfigureAwait(false);
                return;
            }

            await MoveMembershipAsync(client, snapshot.BridgePort!.Value, movedTo, snapshot.Vlan, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    // Untagged member of the new VLAN first, then the PVID, then out of the old VLAN: the port is never in no VLAN.
    private static async Task MoveMembershipAsync(SnmpClient client, int bridgePort, int from, int to, CancellationToken cancellationToken)
    {
        await SetMembershipAsync(client, bridgePort, to, member: true, cancellationToken).ConfigureAwait(false);
        await SetVerifiedAsync(client, Dot1qPvid.Append((uint)bridgePort), to, cancellationToken, SnmpValue.FromGauge32((uint)to)).ConfigureAwait(false);
        if (from != to)
        {
            await SetMembershipAsync(client, bridgePort, from, member: false, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task SetMembershipAsync(SnmpClient client, int bridgePort, int vlan, bool member, CancellationToken cancellationToken)
    {
        foreach (var column in new[] { StaticEgressPorts, StaticUntaggedPorts })
        {
            var oid = column.Append((uint)vlan);
            var list = (await client.GetAsync(oid, cancellationToken).ConfigureAwait(false)).Value.AsBytes();
            if (PortList.Contains(list.Span, bridgePort) == member)
            {
                continue;
            }

            var changed = PortList.With(list.Span, bridgePort, member);
            await client.SetAsync(oid, SnmpValue.FromOctetString(changed), cancellationToken).ConfigureAwait(false);
            var readBack = (await client.GetAsync(oid, cancellationToken).ConfigureAwait(false)).Value.AsBytes();
            if (PortList.Contains(readBack.Span, bridgePort) != member)
            {
                throw new SnmpException($"{oid}: bridge port {bridgePort} was {(member ? "added to" : "removed from")} VLAN {vlan} but the PortList reads back unchanged");
            }
        }
    }

    // vmVlan.<ifIndex> when the switch has Cisco's VLAN membership MIB for that port; null otherwise.
    private static async Task<int?> CiscoVlanAsync(SnmpClient client, int ifIndex, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetAsync(VmVlan.Append((uint)ifIndex), cancellationToken).ConfigureAwait(false)).Value.AsInt32();
        }
        catch (SnmpNoSuchException)
        {
            return null;
        }
    }

    private static async Task SetVerifiedAsync(SnmpClient client, Oid oid, int value, CancellationToken cancellationToken, SnmpValue? encoded = null)
    {
        await client.SetAsync(oid, encoded ?? SnmpValue.FromInt32(value), cancellationToken).ConfigureAwait(false);
        var readBack = (int)SnmpNumbers.Unsigned((await client.GetAsync(oid, cancellationToken).ConfigureAwait(false)).Value);
        if (readBack != value)
        {
            throw new SnmpException($"{oid} was set to {value} but reads back {readBack}: the switch did not apply it");
        }
    }
}
