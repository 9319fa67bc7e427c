using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>
/// The <c>cisco-ios</c> driver (IOS and IOS-XE Catalyst) over an interactive SSH CLI. Tables from
/// <c>show interfaces status</c>, <c>show mac address-table dynamic</c>, <c>show interfaces trunk</c>,
/// <c>show etherchannel summary</c>, <c>show cdp neighbors</c> and <c>show lldp neighbors</c>; ARP from
/// <c>show ip arp</c>; a port from <c>show running-config interface X</c>; changes in
/// <c>configure terminal</c> / <c>interface X</c> / … / <c>end</c>. A login at <c>&gt;</c> enters enable mode
/// with <c>credentials.enable_password</c>.
/// </summary>
public sealed class CiscoIosDriver(SshSessionPool sessions, TimeProvider time) : CliSwitchDriver(sessions, time)
{
    public const string DriverName = "cisco-ios";

    // Interface type words, spelled out and abbreviated as IOS prints them in different tables ("Gi1/0/1" in
    // status and MAC tables, "GigabitEthernet1/0/1" in running-config, "Gig 1/0/1" in CDP): one key each.
    private static readonly Dictionary<string, string> TypeWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gigabitethernet"] = "gi", ["gi"] = "gi", ["gig"] = "gi",
        ["fastethernet"] = "fa", ["fa"] = "fa", ["fas"] = "fa",
        ["tengigabitethernet"] = "te", ["te"] = "te", ["ten"] = "te",
        ["twogigabitethernet"] = "tw", ["tw"] = "tw", ["two"] = "tw",
        ["fivegigabitethernet"] = "fi", ["fi"] = "fi", ["fiv"] = "fi",
        ["twentyfivegige"] = "twe", ["twe"] = "twe",
        ["fortygigabitethernet"] = "fo", ["fo"] = "fo", ["for"] = "fo",
        ["hundredgige"] = "hu", ["hu"] = "hu", ["hun"] = "hu",
        ["port-channel"] = "po", ["po"] = "po",
        ["ethernet"] = "eth", ["eth"] = "eth", ["et"] = "eth",
        ["appgigabitethernet"] = "ap", ["ap"] = "ap",
    };

    protected override CliDialect Dialect => CliDialect.CiscoIos;

    /// <summary>One key for every spelling of an interface name (<c>Gi1/0/7</c>, <c>GigabitEthernet1/0/7</c>, <c>Gig 1/0/7</c>).</summary>
    public static string PortKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var compact = name.Replace(" ", string.Empty, StringComparison.Ordinal);
        var split = 0;
        while (split < compact.Length && (char.IsAsciiLetter(compact[split]) || compact[split] == '-'))
        {
            split++;
        }

        var type = compact[..split];
        return (TypeWords.TryGetValue(type, out var key) ? key : type.ToLowerInvariant()) + compact[split..];
    }

    /// <summary>Switch ports from <c>show interfaces status</c>, in the device's order; the Vlan column says <c>trunk</c> for trunks, <c>routed</c> for routed ports (left out).</summary>
    public static List<(PortName Port, bool Trunk)> ParseInterfacesStatus(string output)
    {
        var lines = CliTable.Lines(output);
        var ports = new List<(PortName, bool)>();
        if (CliTable.Header(lines, "Port", "Status", "Vlan", "Duplex") is not { } header)
        {
            return ports;
        }

        var (status, vlan, duplex) = (header.Starts[1], header.Starts[2], header.Starts[3]);
        foreach (var line in lines.Skip(header.Line + 1))
        {
            var words = CliTable.Words(line);
            var vlanCell = CliTable.Cell(line, vlan, duplex);
            if (words.Length == 0 || CliTable.Cell(line, status, vlan).Length == 0 || vlanCell == "routed" || !PortName.TryParse(words[0], out var port))
            {
                continue;
            }

            ports.Add((port, vlanCell == "trunk"));
        }

        return ports;
    }

    /// <summary>
    /// Dynamic entries of <c>show mac address-table</c> in either layout: IOS/IOS-XE
    /// (<c>Vlan  Mac Address  Type  Ports</c>), older IOS (<c>Destination Address  Address Type  VLAN  Destination Port</c>)
    /// and NX-OS-like (<c>VLAN  MAC Address  Type  age  Secure NTFY  Ports</c>, with a leading <c>*</c>): the MAC is the
    /// dotted word, the VLAN the first number, the port the last word.
    /// </summary>
    public static List<(MacAddress Mac, string Port, VlanId? Vlan)> ParseMacTable(string output)
    {
        var entries = new List<(MacAddress, string, VlanId?)>();
        foreach (var words in CliTable.Lines(output).Select(CliTable.Words))
        {
            var mac = words.Select(w => MacAddress.TryParse(w, out var m) && w.Contains('.', StringComparison.Ordinal) ? m : (MacAddress?)null).FirstOrDefault(m => m is not null);
            if (mac is null || !words.Any(w => w.Equals("dynamic", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            VlanId? vlan = words.Select(w => VlanId.TryParse(w, out var v) ? v : (VlanId?)null).FirstOrDefault(v => v is not null);
            entries.Add((mac.Value, words[^1], vlan));
        }

        return entries;
    }

    /// <summary>The trunking ports: the first section of <c>show interfaces trunk</c> (<c>Port  Mode  Encapsulation  Status  Native vlan</c>).</summary>
    public static HashSet<string> ParseTrunks(string output)
    {
        var lines = CliTable.Lines(output);
        var trunks = new HashSet<string>(StringComparer.Ordinal);
        if (CliTable.Header(lines, "Port", "Mode", "Encapsulation") is not { } header)
        {
            return trunks;
        }

        foreach (var line in lines.Skip(header.Line + 1).TakeWhile(l => l.Trim().Length > 0))
        {
            trunks.Add(PortKey(CliTable.Words(line)[0]));
        }

        return trunks;
    }

    /// <summary>Port-channels and their members from <c>show etherchannel summary</c>: every <c>Name(flags)</c> word below the <c>Group  Port-channel</c> header.</summary>
    public static HashSet<string> ParseEtherChannels(string output)
    {
        var lines = CliTable.Lines(output);
        var aggregated = new HashSet<string>(StringComparer.Ordinal);
        if (CliTable.Header(lines, "Group", "Port-channel", "Ports") is not { } header)
        {
            return aggregated;
        }

        foreach (var word in lines.Skip(header.Line + 1).SelectMany(CliTable.Words))
        {
            var open = word.IndexOf('(', StringComparison.Ordinal);
            if (open > 0 && word.EndsWith(')'))
            {
                aggregated.Add(PortKey(word[..open]));
            }
        }

        return aggregated;
    }

    /// <summary>
    /// Neighbours that make a port not an edge, from <c>show cdp neighbors</c>: a router, bridge, switch or repeater
    /// (capability R, T, B, S, r), unless it is a phone (P) — a host's desk phone sits on the host's own port. The
    /// Device ID of a long name stands alone on the line above its entry.
    /// </summary>
    public static Dictionary<string, string> ParseCdpNeighbors(string output)
    {
        var lines = CliTable.Lines(output);
        var neighbors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (CliTable.Header(lines, "Device ID", "Local Intrfce", "Holdtme", "Capability", "Platform") is not { } header)
        {
            return neighbors;
        }

        var (local, hold, capability, platform) = (header.Starts[1], header.Starts[2], header.Starts[3], header.Starts[4]);
        string? wrapped = null;
        foreach (var line in lines.Skip(header.Line + 1))
        {
            if (line.Trim().Length == 0 || line.StartsWith("Total", StringComparison.Ordinal))
            {
                continue;
            }

            var localPort = CliTable.Cell(line, local, hold);
            if (localPort.Length == 0)
            {
                wrapped = line.Trim();
                continue;
            }

            var device = CliTable.Cell(line, 0, local) is { Length: > 0 } id ? id : wrapped ?? "?";
            wrapped = null;
            var caps = CliTable.Words(CliTable.Cell(line, capability, platform));
            if (caps.Any(c => c is "R" or "T" or "B" or "S" or "r") && !caps.Contains("P"))
            {
                neighbors[PortKey(localPort)] = device;
            }
        }

        return neighbors;
    }

    /// <summary>
    /// Neighbours from <c>show lldp neighbors</c> (<c>Device ID  Local Intf  Hold-time  Capability  Port ID</c>): a
    /// bridge, router or WLAN access point (B, R, W), unless it is a telephone (T).
    /// </summary>
    public static Dictionary<string, string> ParseLldpNeighbors(string output)
    {
        var lines = CliTable.Lines(output);
        var neighbors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (CliTable.Header(lines, "Device ID", "Local Intf", "Hold-time", "Capability", "Port ID") is not { } header)
        {
            return neighbors;
        }

        var (local, hold, capability, portId) = (header.Starts[1], header.Starts[2], header.Starts[3], header.Starts[4]);
        foreach (var line in lines.Skip(header.Line + 1).TakeWhile(l => !l.StartsWith("Total", StringComparison.Ordinal)))
        {
            var localPort = CliTable.Cell(line, local, hold);
            var caps = CliTable.Cell(line, capability, portId).Split(',', StringSplitOptions.TrimEntries);
            if (localPort.Length > 0 && caps.Any(c => c is "B" or "R" or "W") && !caps.Contains("T"))
            {
                neighbors[PortKey(localPort)] = CliTable.Cell(line, 0, local);
            }
        }

        return neighbors;
    }

    /// <summary>Resolved entries of <c>show ip arp</c> (<c>Internet  10.0.10.23  3  0050.7966.6800  ARPA  Vlan10</c>); <c>Incomplete</c> ones are left out.</summary>
    public static List<ArpEntry> ParseArp(string output, string router) => CliTable.Arp(output, router, ipWord: 1, macWord: 3);

    /// <summary>
    /// A port from <c>show running-config interface X</c>: <c>shutdown</c>, <c>switchport access vlan N</c> (none = VLAN 1,
    /// the IOS default), <c>switchport mode trunk</c>, <c>channel-group N mode …</c>, <c>description …</c>.
    /// </summary>
    public static CliPortState ParseRunningInterface(PortName port, string output)
    {
        var lines = CliTable.Lines(output);
        if (!lines.Any(l => l.StartsWith("interface ", StringComparison.Ordinal)))
        {
            throw new SshSwitchException($"{port}: the running configuration shows no 'interface' section for it");
        }

        var body = lines.SkipWhile(l => !l.StartsWith("interface ", StringComparison.Ordinal)).Skip(1).Select(l => l.Trim()).ToList();
        if (body.Contains("no switchport"))
        {
            throw new SshSwitchException($"{port}: a routed port ('no switchport'); containment changes switch ports only");
        }

        var vlan = DefaultVlan;
        foreach (var line in body.Where(l => l.StartsWith("switchport access vlan ", StringComparison.Ordinal)))
        {
            vlan = VlanId.TryParse(line["switchport access vlan ".Length..], out var v) ? v : throw new SshSwitchException($"{port}: unreadable '{line}'");
        }

        var description = body.FirstOrDefault(l => l.StartsWith("description ", StringComparison.Ordinal))?["description ".Length..];
        return new CliPortState(
            port,
            AdminUp: !body.Contains("shutdown"),
            Vlan: vlan,
            Description: description,
            Trunk: body.Contains("switchport mode trunk"),
            Aggregated: body.Any(l => l.StartsWith("channel-group ", StringComparison.Ordinal)) || PortKey(port.Value).StartsWith("po", StringComparison.Ordinal));
    }

    protected override async Task<SwitchTables> ReadTablesAsync(CliSession cli, DeviceDefinition device, CancellationToken cancellationToken)
    {
        var status = ParseInterfacesStatus(await cli.RunAsync("show interfaces status", cancellationToken).ConfigureAwait(false));
        var macs = ParseMacTable(await cli.RunAsync("show mac address-table dynamic", cancellationToken).ConfigureAwait(false));
        var trunks = ParseTrunks(await cli.RunAsync("show interfaces trunk", cancellationToken).ConfigureAwait(false));
        var channels = ParseEtherChannels(await cli.RunAsync("show etherchannel summary", cancellationToken).ConfigureAwait(false));
        var neighbors = ParseCdpNeighbors(await cli.RunOrEmptyAsync("show cdp neighbors", "not enabled", cancellationToken).ConfigureAwait(false));
        foreach (var (port, name) in ParseLldpNeighbors(await cli.RunOrEmptyAsync("show lldp neighbors", "not enabled", cancellationToken).ConfigureAwait(false)))
        {
            neighbors.TryAdd(port, name);
        }

        var ports = status.Select((p, i) =>
        {
            var key = PortKey(p.Port.Value);
            return new SwitchPort(i + 1, i + 1, p.Port, p.Trunk || trunks.Contains(key), channels.Contains(key) || key.StartsWith("po", StringComparison.Ordinal), neighbors.GetValueOrDefault(key));
        }).ToList();
        return Tables(device, ports, macs, PortKey);
    }

    protected override async Task<IReadOnlyList<ArpEntry>> ReadArpAsync(CliSession cli, DeviceDefinition device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        return ParseArp(await cli.RunAsync("show ip arp", cancellationToken).ConfigureAwait(false), device.Name);
    }

    protected override async Task<CliPortState> ReadPortAsync(CliSession cli, DeviceDefinition device, PortName port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(device);
        var output = await cli.RunAsync($"show running-config interface {port}", cancellationToken).ConfigureAwait(false);
        try
        {
            return ParseRunningInterface(port, output);
        }
        catch (SshSwitchException e)
        {
            throw new SshSwitchException($"{device.Name} {e.Message}", e);
        }
    }

    protected override Task ConfigureAsync(CliSession cli, DeviceDefinition device, CliPortState current, CliPortState desired, CancellationToken cancellationToken) =>
        ConfigureInterfaceAsync(cli, device, current, desired, vlan => $"switchport access vlan {vlan}", cancellationToken);
}
