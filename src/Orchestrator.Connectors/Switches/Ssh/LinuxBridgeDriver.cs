using System.Globalization;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>What a Linux bridge port was before a containment changed it, so a release puts it back.</summary>
/// <param name="Port">The port.</param>
/// <param name="AdminUp">Its UP flag.</param>
/// <param name="Master">The bridge it was enslaved to (per-VLAN-bridge layout: this is its VLAN).</param>
/// <param name="Pvid">Its untagged PVID (vlan_filtering layout), else null.</param>
public sealed record LinuxPortSnapshot(PortName Port, bool AdminUp, PortName? Master, VlanId? Pvid);

/// <summary>
/// The <c>linux-bridge</c> switch driver over SSH (iproute2's <c>ip</c> and <c>bridge</c>, JSON output).
/// Two layouts, chosen by the inventory's options:
/// <list type="bullet">
/// <item><c>vlan_bridges: "br10=10,br99=99"</c> — one bridge per VLAN (the lab, kernels without
/// VLAN filtering): a port's VLAN is its master; a move is <c>ip link set dev P master brNN</c>.</item>
/// <item>otherwise one <c>vlan_filtering</c> bridge (<c>bridge: br0</c>, the default): VLANs come from
/// the FDB's <c>vlan</c> field and <c>bridge vlan show</c>; a move is <c>bridge vlan add dev P vid N pvid
/// untagged</c> then <c>bridge vlan del dev P vid OLD</c>.</item>
/// </list>
/// Shutdown is <c>ip link set dev P down</c> in both. Every change records the state it replaces, is read
/// back, and is undone by <see cref="RestoreAsync"/>. Uplinks, protected ports, trunks (802.1Q
/// sub-interfaces in a bridge, ports with tagged VLANs) and bonds/teams are refused.
/// </summary>
public sealed class LinuxBridgeDriver
{
    public const string DriverName = "linux-bridge";
    public const string VlanBridgesOption = "vlan_bridges";
    public const string BridgeOption = "bridge";

    private static readonly string[] AggregateKinds = ["bond", "team"];

    private readonly ISshCommandRunner ssh;
    private readonly DeviceDefinition device;
    private readonly TimeProvider time;
    private readonly IReadOnlyDictionary<string, VlanId>? vlanBridges;
    private readonly PortName filteringBridge;

    public LinuxBridgeDriver(ISshCommandRunner ssh, DeviceDefinition device, TimeProvider time)
    {
        this.ssh = ssh ?? throw new ArgumentNullException(nameof(ssh));
        this.device = device ?? throw new ArgumentNullException(nameof(device));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        vlanBridges = device.Options.TryGetValue(VlanBridgesOption, out var map) ? ParseVlanBridges(device.Name, map) : null;
        var bridge = device.Options.GetValueOrDefault(BridgeOption, "br0");
        filteringBridge = PortName.TryParse(bridge, out var b) ? b : throw new ArgumentException($"{device.Name}: options.{BridgeOption} '{bridge}' is not an interface name", nameof(device));
    }

    /// <summary>True for the per-VLAN-bridge layout, false for one vlan_filtering bridge.</summary>
    public bool BridgePerVlan => vlanBridges is not null;

    /// <summary>Parses <c>br10=10,br99=99</c> (or <c>br10:10</c>); throws naming the device and the bad entry.</summary>
    public static IReadOnlyDictionary<string, VlanId> ParseVlanBridges(string device, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, VlanId>(StringComparer.Ordinal);
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', ':');
            if (parts.Length != 2 || !PortName.TryParse(parts[0].Trim(), out var bridge) || !VlanId.TryParse(parts[1].Trim(), out var vlan))
            {
                throw new ArgumentException($"{device}: options.{VlanBridgesOption} entry '{pair}' is not bridge=vlan (e.g. br10=10,br99=99)", nameof(text));
            }

            result[bridge.Value] = vlan;
        }

        return result.Count > 0 ? result : throw new ArgumentException($"{device}: options.{VlanBridgesOption} is empty", nameof(text));
    }

    /// <summary>Reads ports and the forwarding table: <c>ip -j -d link show</c>, <c>bridge -j fdb show</c> (and <c>bridge -j vlan show</c> when vlan_filtering).</summary>
    public async Task<SwitchTables> ReadTablesAsync(CancellationToken cancellationToken)
    {
        var links = LinuxBridgeJson.Links(await RunAsync(["ip", "-j", "-d", "link", "show"], cancellationToken).ConfigureAwait(false));
        var fdb = LinuxBridgeJson.Fdb(await RunAsync(["bridge", "-j", "fdb", "show"], cancellationToken).ConfigureAwait(false));
        var vlans = BridgePerVlan ? null : LinuxBridgeJson.Vlans(await RunAsync(["bridge", "-j", "vlan", "show"], cancellationToken).ConfigureAwait(false));
        return BuildTables(device, vlanBridges, filteringBridge, links, fdb, vlans, time.GetUtcNow());
    }

    /// <summary>
    /// The switch's own ARP table (<c>ip -j -4 neigh show</c>): a Linux switch with an address in a VLAN (an SVI on
    /// the bridge) learns its hosts' MACs as a router does, which is how an IP target becomes a MAC.
    /// </summary>
    public async Task<IReadOnlyList<ArpEntry>> ReadArpAsync(CancellationToken cancellationToken)
    {
        var neighbours = LinuxBridgeJson.Neighbours(await RunAsync(["ip", "-j", "-4", "neigh", "show"], cancellationToken).ConfigureAwait(false));
        var arp = new List<ArpEntry>();
        foreach (var (ip, mac) in neighbours)
        {
            if (System.Net.IPAddress.TryParse(ip, out var address) && MacAddress.TryParse(mac, out var parsed))
            {
                arp.Add(new ArpEntry(address, parsed, device.Name));
            }
        }

        return arp;
    }

    /// <summary>Builds the locator's view from parsed iproute2 output (pure; unit-tested with captured samples).</summary>
    public static SwitchTables BuildTables(
        DeviceDefinition device, IReadOnlyDictionary<string, VlanId>? vlanBridges, PortName filteringBridge,
        IReadOnlyList<LinuxLink> links, IReadOnlyList<LinuxFdbEntry> fdb, IReadOnlyDictionary<string, IReadOnlyList<LinuxPortVlan>>? vlans, DateTimeOffset readAt)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(fdb);
        var ports = new Dictionary<string, (SwitchPort Port, LinuxLink Link)>(StringComparer.Ordinal);
        foreach (var link in links)
        {
            var inBridge = link.Master is { } master && (vlanBridges?.ContainsKey(master) ?? master == filteringBridge.Value);
            if (!inBridge || !PortName.TryParse(link.Name, out var name))
            {
                continue;
            }

            var portVlans = vlans?.GetValueOrDefault(link.Name) ?? [];
            var trunk = link.Kind == "vlan" || portVlans.Count > 1 || portVlans.Any(v => !v.Untagged || v.VlanEnd is not null);
            var aggregated = link.Kind is { } kind && AggregateKinds.Contains(kind, StringComparer.Ordinal);
            ports[link.Name] = (new SwitchPort(link.IfIndex, link.IfIndex, name, trunk, aggregated), link);
        }

        var entries = new List<FdbEntry>();
        foreach (var entry in fdb.Where(e => !e.Local))
        {
            if (!ports.TryGetValue(entry.Port, out var port) || !MacAddress.TryParse(entry.Mac, out var mac))
            {
                continue;
            }

            VlanId? vlan = vlanBridges is not null
                ? (vlanBridges.TryGetValue(entry.Master ?? port.Link.Master!, out var v) ? v : null)
                : entry.Vlan is { } id && VlanId.TryParse(id.ToString(CultureInfo.InvariantCulture), out var parsed) ? parsed : null;
            entries.Add(new FdbEntry(mac, port.Port.IfIndex, vlan));
        }

        return new SwitchTables(device.Name, [.. ports.Values.Select(p => p.Port).OrderBy(p => p.IfIndex)], entries, device.Uplinks, device.ProtectedPorts, readAt);
    }

    /// <summary>The port's state now, refused (with why) when containment must never change it.</summary>
    public Task<LinuxPortSnapshot> CaptureAsync(PortName port, CancellationToken cancellationToken) => SnapshotAsync(port, cancellationToken);

    /// <summary>Takes the port down (<c>ip link set dev P down</c>); returns the state it replaced.</summary>
    public async Task<LinuxPortSnapshot> ShutdownAsync(PortName port, CancellationToken cancellationToken)
    {
        var before = await SnapshotAsync(port, cancellationToken).ConfigureAwait(false);
        await SetAdminAsync(port, up: false, cancellationToken).ConfigureAwait(false);
        return before;
    }

    /// <summary>Moves the port to <paramref name="vlan"/>; returns the state it replaced.</summary>
    public async Task<LinuxPortSnapshot> MoveVlanAsync(PortName port, VlanId vlan, CancellationToken cancellationToken)
    {
        var before = await SnapshotAsync(port, cancellationToken).ConfigureAwait(false);
        if (vlanBridges is not null)
        {
            var bridge = vlanBridges.FirstOrDefault(b => b.Value == vlan).Key
                ?? throw new SshSwitchException($"{device.Name}: no bridge for VLAN {vlan} in options.{VlanBridgesOption}");
            await SetMasterAsync(port, PortName.TryParse(bridge, out var b) ? b : throw new InvalidOperationException(bridge), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SetPvidAsync(port, before.Pvid, vlan, cancellationToken).ConfigureAwait(false);
        }

        return before;
    }

    /// <summary>Puts the port back as <paramref name="snapshot"/> recorded it (VLAN first, then admin state), verifying each step.</summary>
    public async Task RestoreAsync(LinuxPortSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var now = await LinkAsync(snapshot.Port, cancellationToken).ConfigureAwait(false);
        if (vlanBridges is not null && snapshot.Master is { } master && now.Master != master.Value)
        {
            await SetMasterAsync(snapshot.Port, master, cancellationToken).ConfigureAwait(false);
        }

        if (vlanBridges is null && snapshot.Pvid is { } pvid)
        {
            var current = Pvid(snapshot.Port, await PortVlansAsync(snapshot.Port, cancellationToken).ConfigureAwait(false));
            if (current != pvid)
            {
                await SetPvidAsync(snapshot.Port, current, pvid, cancellationToken).ConfigureAwait(false);
            }
        }

        if (now.AdminUp != snapshot.AdminUp)
        {
            await SetAdminAsync(snapshot.Port, snapshot.AdminUp, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The port's description (<c>ifalias</c>), null when none is set.</summary>
    public async Task<string?> ReadDescriptionAsync(PortName port, CancellationToken cancellationToken) =>
        (await LinkAsync(port, cancellationToken).ConfigureAwait(false)).Alias;

    /// <summary>Sets the port's description (<c>ip link set dev P alias TEXT</c>; empty clears it) and reads it back.</summary>
    public async Task SetDescriptionAsync(PortName port, string description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(description);
        if (description.Length > 64 || description.Any(char.IsControl))
        {
            throw new SshSwitchException($"{device.Name} {port}: a port description is at most 64 characters without control characters");
        }

        await RunAsync(["ip", "link", "set", "dev", port.Value, "alias", description], cancellationToken).ConfigureAwait(false);
        var readBack = (await LinkAsync(port, cancellationToken).ConfigureAwait(false)).Alias ?? "";
        if (readBack != description)
        {
            throw new SshSwitchException($"{device.Name} {port}: description set to '{description}' but reads back '{readBack}'");
        }
    }

    // Reads the port and refuses what containment must never touch.
    private async Task<LinuxPortSnapshot> SnapshotAsync(PortName port, CancellationToken cancellationToken)
    {
        if (device.Uplinks.Any(u => u.Matches(port)))
        {
            throw new SshSwitchException($"{device.Name} {port}: a configured uplink; containment never changes it");
        }

        if (device.ProtectedPorts.Any(p => p.Matches(port)))
        {
            throw new SshSwitchException($"{device.Name} {port}: a protected port; containment never changes it");
        }

        var link = await LinkAsync(port, cancellationToken).ConfigureAwait(false);
        var vlans = vlanBridges is null ? await PortVlansAsync(port, cancellationToken).ConfigureAwait(false) : [];
        var tables = BuildTables(device, vlanBridges, filteringBridge, [link], [], vlanBridges is null ? new Dictionary<string, IReadOnlyList<LinuxPortVlan>> { [link.Name] = vlans } : null, time.GetUtcNow());
        var described = tables.Ports.SingleOrDefault()
            ?? throw new SshSwitchException($"{device.Name} {port}: not a member of {(vlanBridges is null ? filteringBridge.Value : string.Join(", ", vlanBridges.Keys))}; not a switch port this driver changes");
        if (described.Trunk || described.Aggregated)
        {
            throw new SshSwitchException($"{device.Name} {port}: {(described.Trunk ? "a trunk" : "a link aggregation (bond/team)")}; containment never changes it");
        }

        PortName? master = link.Master is { } m && PortName.TryParse(m, out var parsed) ? parsed : null;
        return new LinuxPortSnapshot(port, link.AdminUp, master, vlanBridges is null ? Pvid(port, vlans) : null);
    }

    private async Task SetAdminAsync(PortName port, bool up, CancellationToken cancellationToken)
    {
        await RunAsync(["ip", "link", "set", "dev", port.Value, up ? "up" : "down"], cancellationToken).ConfigureAwait(false);
        var readBack = await LinkAsync(port, cancellationToken).ConfigureAwait(false);
        if (readBack.AdminUp != up)
        {
            throw new SshSwitchException($"{device.Name} {port}: set {(up ? "up" : "down")} but reads back {(readBack.AdminUp ? "up" : "down")}");
        }
    }

    private async Task SetMasterAsync(PortName port, PortName bridge, CancellationToken cancellationToken)
    {
        await RunAsync(["ip", "link", "set", "dev", port.Value, "master", bridge.Value], cancellationToken).ConfigureAwait(false);
        var readBack = await LinkAsync(port, cancellationToken).ConfigureAwait(false);
        if (readBack.Master != bridge.Value)
        {
            throw new SshSwitchException($"{device.Name} {port}: moved to {bridge} but its master reads back {readBack.Master ?? "none"}");
        }
    }

    // New VLAN untagged + PVID first, then the old one removed: the port is never in no VLAN.
    private async Task SetPvidAsync(PortName port, VlanId? from, VlanId to, CancellationToken cancellationToken)
    {
        await RunAsync(["bridge", "vlan", "add", "dev", port.Value, "vid", to.ToString(), "pvid", "untagged"], cancellationToken).ConfigureAwait(false);
        if (from is { } old && old != to)
        {
            await RunAsync(["bridge", "vlan", "del", "dev", port.Value, "vid", old.ToString()], cancellationToken).ConfigureAwait(false);
        }

        var readBack = Pvid(port, await PortVlansAsync(port, cancellationToken).ConfigureAwait(false));
        if (readBack != to)
        {
            throw new SshSwitchException($"{device.Name} {port}: PVID set to {to} but reads back {readBack?.ToString() ?? "none"}");
        }
    }

    private async Task<LinuxLink> LinkAsync(PortName port, CancellationToken cancellationToken)
    {
        var links = LinuxBridgeJson.Links(await RunAsync(["ip", "-j", "-d", "link", "show", "dev", port.Value], cancellationToken).ConfigureAwait(false));
        return links.SingleOrDefault(l => l.Name == port.Value) ?? throw new SshSwitchException($"{device.Name}: no interface {port}");
    }

    private async Task<IReadOnlyList<LinuxPortVlan>> PortVlansAsync(PortName port, CancellationToken cancellationToken) =>
        LinuxBridgeJson.Vlans(await RunAsync(["bridge", "-j", "vlan", "show", "dev", port.Value], cancellationToken).ConfigureAwait(false))
            .GetValueOrDefault(port.Value) ?? [];

    private static VlanId? Pvid(PortName port, IReadOnlyList<LinuxPortVlan> vlans) =>
        vlans.FirstOrDefault(v => v.Pvid) is { } pvid && VlanId.TryParse(pvid.Vlan.ToString(CultureInfo.InvariantCulture), out var id) ? id : null;

    private async Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await ssh.RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? result.StdOut
            : throw new SshSwitchException(string.Create(CultureInfo.InvariantCulture, $"{device.Name}: '{string.Join(' ', arguments)}' failed (exit {result.ExitStatus}): {result.StdErr.Trim()}"));
    }
}
