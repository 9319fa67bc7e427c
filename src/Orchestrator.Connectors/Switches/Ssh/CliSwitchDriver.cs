using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>One access port as a network OS's configuration describes it: what a containment changes and what forbids it.</summary>
/// <param name="Port">The port, as the device names it.</param>
/// <param name="AdminUp">Not shut down / disabled.</param>
/// <param name="Vlan">Its access (untagged) VLAN; null when the device shows none.</param>
/// <param name="Description">Its description (ifAlias); null when none.</param>
/// <param name="Trunk">It carries tagged VLANs.</param>
/// <param name="Aggregated">A LAG / port-channel member, or the LAG itself.</param>
public sealed record CliPortState(PortName Port, bool AdminUp, VlanId? Vlan, string? Description, bool Trunk = false, bool Aggregated = false);

/// <summary>
/// What the network-OS drivers share: a containment reads the port (refusing uplinks, protected ports, trunks and
/// LAG members, at apply time too), records admin state, access VLAN and description as JSON, changes the port
/// and marks it with the description <see cref="QuarantineDescription"/>, reads it back, and a release puts all
/// three back and reads them back. Each OS says how to read tables and a port, and how to change a port.
/// </summary>
public abstract class CliSwitchDriver(SshSessionPool sessions, TimeProvider time) : ISwitchDriver
{
    /// <summary>The description a contained port carries, so a person at the switch sees why it is down or moved.</summary>
    public const string QuarantineDescription = "orchestrator quarantine";

    /// <summary>VLAN 1, where a port without an access VLAN in its configuration is.</summary>
    protected static readonly VlanId DefaultVlan = VlanId.TryParse("1", out var one) ? one : throw new InvalidOperationException("VLAN 1");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The OS's command line.</summary>
    protected abstract CliDialect Dialect { get; }

    /// <summary>The clock that stamps the tables.</summary>
    protected TimeProvider Time => time;

    // Every operation holds the device's session for all its commands (CliSession.ExclusiveAsync): runs in parallel
    // must not interleave a read into another's configuration mode.
    public Task<SwitchTables> ReadTablesAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        var cli = Session(device);
        return cli.ExclusiveAsync(() => ReadTablesAsync(cli, device, cancellationToken), cancellationToken);
    }

    public Task<IReadOnlyList<ArpEntry>> ReadArpAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        var cli = Session(device);
        return cli.ExclusiveAsync(() => ReadArpAsync(cli, device, cancellationToken), cancellationToken);
    }

    public Task<string> CaptureAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(port);
        var cli = Session(device);
        return cli.ExclusiveAsync(async () =>
        {
            var state = await ReadChangeablePortAsync(cli, device, port.Name, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Serialize(new Captured(state.Port.Value, state.AdminUp, state.Vlan?.Value, state.Description), Json);
        }, cancellationToken);
    }

    public Task ApplyAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(port);
        var cli = Session(device);
        return cli.ExclusiveAsync(() => ApplyAsync(cli, device, port, change, vlan, cancellationToken), cancellationToken);
    }

    public Task RestoreAsync(DeviceDefinition device, string captured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var cli = Session(device);
        return cli.ExclusiveAsync(() => RestoreAsync(cli, device, captured, cancellationToken), cancellationToken);
    }

    private async Task ApplyAsync(CliSession cli, DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        var current = await ReadChangeablePortAsync(cli, device, port.Name, cancellationToken).ConfigureAwait(false);
        var desired = change == PortChange.Shutdown
            ? current with { AdminUp = false }
            : current with { Vlan = vlan ?? throw new SshSwitchException($"{device.Name}: no quarantine VLAN to move {port.Name} to") };

        // The marker replaces only a description that can be typed back on release.
        if (current.Description is null || CliText.IsSafe(current.Description))
        {
            desired = desired with { Description = QuarantineDescription };
        }

        await ChangeAndVerifyAsync(cli, device, current, desired, cancellationToken).ConfigureAwait(false);
    }

    private async Task RestoreAsync(CliSession cli, DeviceDefinition device, string captured, CancellationToken cancellationToken)
    {
        var state = JsonSerializer.Deserialize<Captured>(captured, Json) ?? throw new SshSwitchException($"{device.Name}: the recorded state is empty");
        if (!PortName.TryParse(state.Port, out var port))
        {
            throw new SshSwitchException($"{device.Name}: the recorded port name '{state.Port}' is not an interface name");
        }

        var current = await ReadChangeablePortAsync(cli, device, port, cancellationToken).ConfigureAwait(false);
        VlanId? vlan = state.Vlan is { } id ? (VlanId.TryParse(id.ToString(CultureInfo.InvariantCulture), out var v) ? v : throw new SshSwitchException($"{device.Name} {port}: the recorded VLAN {id} is not a VLAN id")) : current.Vlan;

        // A recorded description that could not be typed back was never replaced (see ApplyAsync): leave it.
        var description = state.Description is null || CliText.IsSafe(state.Description) ? state.Description : current.Description;
        var desired = current with { AdminUp = state.AdminUp, Vlan = vlan, Description = description };
        await ChangeAndVerifyAsync(cli, device, current, desired, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the port tables the locator needs.</summary>
    protected abstract Task<SwitchTables> ReadTablesAsync(CliSession cli, DeviceDefinition device, CancellationToken cancellationToken);

    /// <summary>Reads the device's ARP table (IP to MAC); empty when it routes nothing.</summary>
    protected abstract Task<IReadOnlyList<ArpEntry>> ReadArpAsync(CliSession cli, DeviceDefinition device, CancellationToken cancellationToken);

    /// <summary>Reads one port's configuration; throws naming the port when the device has no such port.</summary>
    protected abstract Task<CliPortState> ReadPortAsync(CliSession cli, DeviceDefinition device, PortName port, CancellationToken cancellationToken);

    /// <summary>
    /// Changes the port from <paramref name="current"/> to <paramref name="desired"/> (only what differs), leaving
    /// the session where it found it (exec / operational mode) also when the device refuses a command.
    /// </summary>
    protected abstract Task ConfigureAsync(CliSession cli, DeviceDefinition device, CliPortState current, CliPortState desired, CancellationToken cancellationToken);

    /// <summary>Builds the locator's view: ports get synthetic, stable indices (their order in the device's listing) that the FDB entries refer to.</summary>
    protected SwitchTables Tables(DeviceDefinition device, IReadOnlyList<SwitchPort> ports, IEnumerable<(Core.Events.MacAddress Mac, string Port, VlanId? Vlan)> fdb, Func<string, string> portKey)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(fdb);
        ArgumentNullException.ThrowIfNull(portKey);
        var byKey = new Dictionary<string, SwitchPort>(StringComparer.Ordinal);
        foreach (var port in ports)
        {
            byKey.TryAdd(portKey(port.Name.Value), port);
        }

        var entries = fdb
            .Where(e => byKey.ContainsKey(portKey(e.Port)))
            .Select(e => new FdbEntry(e.Mac, byKey[portKey(e.Port)].BridgePort!.Value, e.Vlan))
            .ToList();
        return new SwitchTables(device.Name, ports, entries, device.Uplinks, device.ProtectedPorts, time.GetUtcNow());
    }

    /// <summary>
    /// IOS-style interface configuration (IOS, AOS-CX): <c>configure terminal</c>, <c>interface X</c>, the description,
    /// the access VLAN (in the OS's own words), <c>shutdown</c> / <c>no shutdown</c> — VLAN before the port comes
    /// up, so a released host never lands in the quarantine VLAN — and <c>end</c>, also when a command is refused.
    /// </summary>
    protected static async Task ConfigureInterfaceAsync(CliSession cli, DeviceDefinition device, CliPortState current, CliPortState desired, Func<VlanId, string> accessVlan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(accessVlan);
        var commands = new List<string> { "configure terminal", $"interface {desired.Port}" };
        if (desired.Description != current.Description)
        {
            commands.Add(desired.Description is { } text ? $"description {SafeDescription(device, desired.Port, text)}" : "no description");
        }

        if (desired.Vlan != current.Vlan && desired.Vlan is { } vlan)
        {
            commands.Add(accessVlan(vlan));
        }

        if (desired.AdminUp != current.AdminUp)
        {
            commands.Add(desired.AdminUp ? "no shutdown" : "shutdown");
        }

        try
        {
            foreach (var command in commands)
            {
                await cli.RunAsync(command, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await cli.RunUncheckedAsync("end", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A description to type: the marker, or a recorded one that passes <see cref="CliText.IsSafe"/>; anything else is refused.</summary>
    protected static string SafeDescription(DeviceDefinition device, PortName port, string text)
    {
        ArgumentNullException.ThrowIfNull(device);
        return CliText.IsSafe(text) ? text : throw new SshSwitchException($"{device.Name} {port}: the description '{text}' cannot be typed back safely; set it by hand");
    }

    private CliSession Session(DeviceDefinition device) => sessions.GetCli(SshTarget.FromDevice(device), Dialect);

    // Reads the port and refuses what containment must never touch, at apply and release time as at locate time.
    private async Task<CliPortState> ReadChangeablePortAsync(CliSession cli, DeviceDefinition device, PortName port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Uplinks.Any(u => u.Matches(port)))
        {
            throw new SshSwitchException($"{device.Name} {port}: a configured uplink; containment never changes it");
        }

        if (device.ProtectedPorts.Any(p => p.Matches(port)))
        {
            throw new SshSwitchException($"{device.Name} {port}: a protected port; containment never changes it");
        }

        var state = await ReadPortAsync(cli, device, port, cancellationToken).ConfigureAwait(false);
        if (state.Trunk || state.Aggregated)
        {
            throw new SshSwitchException($"{device.Name} {port}: {(state.Aggregated ? "a link-aggregation (LAG / port-channel) member" : "a trunk")}; containment never changes it");
        }

        return state;
    }

    private async Task ChangeAndVerifyAsync(CliSession cli, DeviceDefinition device, CliPortState current, CliPortState desired, CancellationToken cancellationToken)
    {
        if (current == desired)
        {
            return;
        }

        await ConfigureAsync(cli, device, current, desired, cancellationToken).ConfigureAwait(false);
        var readBack = await ReadPortAsync(cli, device, desired.Port, cancellationToken).ConfigureAwait(false);
        if (readBack.AdminUp != desired.AdminUp || readBack.Vlan != desired.Vlan || readBack.Description != desired.Description)
        {
            throw new SshSwitchException($"{device.Name} {desired.Port}: set {Describe(desired)} but it reads back {Describe(readBack)}");
        }
    }

    private static string Describe(CliPortState state) =>
        $"{(state.AdminUp ? "up" : "shut down")}, VLAN {state.Vlan?.ToString() ?? "none"}, description '{state.Description}'";

    private sealed record Captured(string Port, bool AdminUp, int? Vlan, string? Description);
}

/// <summary>Text typed into a CLI that did not come from a validated type: a description read from the device, to be typed back.</summary>
public static class CliText
{
    /// <summary>Maximum description length every supported OS accepts (IOS: 240, AOS-CX: 64 — the smaller).</summary>
    public const int MaxDescription = 64;

    /// <summary>
    /// Printable ASCII without the characters a CLI reads as syntax: <c>?</c> (IOS help), <c>"</c> and <c>\</c>
    /// (Junos quoting), <c>;</c>, and no leading or trailing space (which CLIs drop).
    /// </summary>
    public static bool IsSafe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length is > 0 and <= MaxDescription && text.Trim().Length == text.Length
            && text.All(c => c is >= ' ' and <= '~' && c is not ('?' or '"' or '\\' or ';'));
    }
}
