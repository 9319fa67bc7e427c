using System.Text.Json;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>
/// The <c>linux-bridge</c> driver behind the switch steps: <see cref="LinuxBridgeDriver"/> over one pinned,
/// reused SSH session per device. The captured state is the port's admin state, bridge (master) and PVID.
/// </summary>
public sealed class LinuxBridgeSwitchDriver(SshSessionPool sessions, TimeProvider time) : ISwitchDriver
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<SwitchTables> ReadTablesAsync(DeviceDefinition device, CancellationToken cancellationToken) =>
        Driver(device).ReadTablesAsync(cancellationToken);

    public Task<IReadOnlyList<ArpEntry>> ReadArpAsync(DeviceDefinition device, CancellationToken cancellationToken) =>
        Driver(device).ReadArpAsync(cancellationToken);

    public async Task<string> CaptureAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(port);
        var snapshot = await Driver(device).CaptureAsync(port.Name, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Serialize(new Captured(snapshot.Port.Value, snapshot.AdminUp, snapshot.Master?.Value, snapshot.Pvid?.Value), Json);
    }

    public async Task ApplyAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(port);
        var driver = Driver(device);
        if (change == PortChange.Shutdown)
        {
            await driver.ShutdownAsync(port.Name, cancellationToken).ConfigureAwait(false);
            return;
        }

        await driver.MoveVlanAsync(port.Name, vlan ?? throw new SshSwitchException($"{device.Name}: no quarantine VLAN to move {port.Name} to"), cancellationToken).ConfigureAwait(false);
    }

    public Task RestoreAsync(DeviceDefinition device, string captured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var state = JsonSerializer.Deserialize<Captured>(captured, Json) ?? throw new SshSwitchException($"{device.Name}: the recorded state is empty");
        var snapshot = new LinuxPortSnapshot(
            Parse(device, state.Port),
            state.AdminUp,
            state.Master is null ? null : Parse(device, state.Master),
            state.Pvid is { } pvid && VlanId.TryParse(pvid.ToString(System.Globalization.CultureInfo.InvariantCulture), out var vlan) ? vlan : null);
        return Driver(device).RestoreAsync(snapshot, cancellationToken);
    }

    public Task<string?> ReadDescriptionAsync(DeviceDefinition device, SwitchPort port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(port);
        return Driver(device).ReadDescriptionAsync(port.Name, cancellationToken);
    }

    public Task SetDescriptionAsync(DeviceDefinition device, SwitchPort port, string description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(port);
        return Driver(device).SetDescriptionAsync(port.Name, description, cancellationToken);
    }

    private LinuxBridgeDriver Driver(DeviceDefinition device) => new(sessions.Get(SshTarget.FromDevice(device)), device, time);

    // The recorded names went through PortName when captured; they are checked again, as anything read back from storage is.
    private static PortName Parse(DeviceDefinition device, string name) =>
        PortName.TryParse(name, out var port) ? port : throw new SshSwitchException($"{device.Name}: the recorded port name '{name}' is not an interface name");

    private sealed record Captured(string Port, bool AdminUp, string? Master, int? Pvid);
}
