using System.Text.Json;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Snmp;

namespace Orchestrator.Connectors.Switches;

/// <summary>
/// The <c>snmp</c> switch driver: tables through <see cref="SnmpSwitchTables"/>, shutdown through IF-MIB
/// ifAdminStatus, quarantine through <see cref="SnmpVlanDriver"/> (<c>options.vlan_method</c>: auto,
/// qbridge or cisco-vmvlan). One client per operation: SNMP has no connection to keep.
/// </summary>
public sealed class SnmpSwitchDriver(TimeProvider time) : ISwitchDriver
{
    public const string Name = "snmp";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<SwitchTables> ReadTablesAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        return await SnmpSwitchTables.ReadAsync(client, device, time, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ArpEntry>> ReadArpAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        return await SwitchLocator.ArpAsync(client, device.Name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> CaptureAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(port);
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        if (change == PortChange.Shutdown)
        {
            return JsonSerializer.Serialize(new Captured(change, await SnmpPortAdmin.ReadAsync(client, port.IfIndex, cancellationToken).ConfigureAwait(false), null, null), Json);
        }

        var to = vlan ?? throw new SnmpException($"{device.Name}: no quarantine VLAN to move {port.Name} to");
        var before = await SnmpVlanDriver.ReadAsync(client, device.Name, port, cancellationToken, Method(device)).ConfigureAwait(false);
        return JsonSerializer.Serialize(new Captured(change, null, before, to.Value), Json);
    }

    public async Task ApplyAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(port);
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        if (change == PortChange.Shutdown)
        {
            await SnmpPortAdmin.ShutdownAsync(client, port.IfIndex, cancellationToken).ConfigureAwait(false);
            return;
        }

        var to = vlan ?? throw new SnmpException($"{device.Name}: no quarantine VLAN to move {port.Name} to");
        await SnmpVlanDriver.MoveAsync(client, device.Name, port, to, cancellationToken, Method(device)).ConfigureAwait(false);
    }

    public async Task RestoreAsync(DeviceDefinition device, string captured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var state = JsonSerializer.Deserialize<Captured>(captured, Json) ?? throw new SnmpException($"{device.Name}: the recorded state is empty");
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        if (state.Change == PortChange.Shutdown)
        {
            await SnmpPortAdmin.RestoreAsync(client, state.Admin!, cancellationToken).ConfigureAwait(false);
            return;
        }

        await SnmpVlanDriver.RestoreAsync(client, device.Name, state.Vlan!, state.MovedTo!.Value, cancellationToken).ConfigureAwait(false);
    }

    private static string Method(DeviceDefinition device) => device.Options.GetValueOrDefault("vlan_method", "auto");

    private static async Task<SnmpClient> ClientAsync(DeviceDefinition device, CancellationToken cancellationToken) =>
        new(await SwitchLocator.OptionsAsync(device, cancellationToken).ConfigureAwait(false));

    // What a change replaced: the admin status for a shutdown; the VLAN (and how it is set) for a quarantine, with where it went.
    private sealed record Captured(PortChange Change, PortAdminSnapshot? Admin, PortVlanSnapshot? Vlan, int? MovedTo);
}
