using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>
/// The <c>aruba-aoscx</c> driver (AOS-CX 10.x) over an interactive SSH CLI. Tables from <c>show interface brief</c>,
/// <c>show mac-address-table</c>, <c>show lacp aggregates</c> and <c>show lldp neighbor-info</c>; ARP from
/// <c>show arp</c>; a port from <c>show running-config interface 1/1/7</c>; changes in <c>configure terminal</c> /
/// <c>interface 1/1/7</c> / <c>shutdown</c> | <c>no shutdown</c> | <c>vlan access N</c> / <c>end</c>. The login must
/// have the administrators role (a <c>#</c> prompt): AOS-CX has no enable secret.
/// </summary>
public sealed class ArubaAoscxDriver(SshSessionPool sessions, TimeProvider time) : CliSwitchDriver(sessions, time)
{
    public const string DriverName = "aruba-aoscx";

    protected override CliDialect Dialect => CliDialect.ArubaAoscx;

    /// <summary>AOS-CX prints one spelling of a port everywhere; only the case may differ.</summary>
    public static string PortKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant();
    }

    /// <summary>
    /// Switch ports from <c>show interface brief</c> (<c>Port  Native VLAN  Mode  Type  Enabled  Status  Reason  Speed
    /// Description</c>): the first four cells are single words; <c>routed</c> ports are left out, <c>trunk</c> ones marked.
    /// </summary>
    public static List<(PortName Port, bool Trunk, bool Enabled)> ParseInterfaceBrief(string output)
    {
        var ports = new List<(PortName, bool, bool)>();
        foreach (var words in CliTable.Lines(output).Select(CliTable.Words))
        {
            if (words.Length < 5 || !IsPortName(words[0]) || words[2] == "routed" || !PortName.TryParse(words[0], out var port))
            {
                continue;
            }

            ports.Add((port, words[2] == "trunk", words[4] == "yes"));
        }

        return ports;
    }

    /// <summary>LAG members from <c>show lacp aggregates</c> (<c>Interfaces : 1/1/49 1/1/50</c>).</summary>
    public static HashSet<string> ParseLacpAggregates(string output)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in CliTable.Lines(output))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == "Interfaces")
            {
                members.UnionWith(CliTable.Words(line[(colon + 1)..]).Select(PortKey));
            }
        }

        return members;
    }

    /// <summary>Dynamic entries of <c>show mac-address-table</c> (<c>MAC Address  VLAN  Type  Port</c>).</summary>
    public static List<(MacAddress Mac, string Port, VlanId? Vlan)> ParseMacTable(string output)
    {
        var entries = new List<(MacAddress, string, VlanId?)>();
        foreach (var words in CliTable.Lines(output).Select(CliTable.Words))
        {
            if (words.Length >= 4 && MacAddress.TryParse(words[0], out var mac) && words[2] == "dynamic")
            {
                entries.Add((mac, words[3], VlanId.TryParse(words[1], out var vlan) ? vlan : null));
            }
        }

        return entries;
    }

    /// <summary>
    /// Ports with an LLDP neighbour, from <c>show lldp neighbor-info</c> (<c>LOCAL-PORT  CHASSIS-ID  PORT-ID  PORT-DESC
    /// TTL  SYS-NAME</c>). The summary has no capabilities, so every neighbour counts (a desk phone too; protect or
    /// list such ports rather than guess).
    /// </summary>
    public static Dictionary<string, string> ParseLldpNeighbors(string output)
    {
        var lines = CliTable.Lines(output);
        var neighbors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (CliTable.Header(lines, "LOCAL-PORT", "CHASSIS-ID", "SYS-NAME") is not { } header)
        {
            return neighbors;
        }

        foreach (var line in lines.Skip(header.Line + 1))
        {
            var local = CliTable.Cell(line, 0, header.Starts[1]);
            if (IsPortName(local))
            {
                var name = CliTable.Cell(line, header.Starts[2]);
                neighbors[PortKey(local)] = name.Length > 0 ? name : CliTable.Words(line)[1]; // no system name: the chassis id
            }
        }

        return neighbors;
    }

    /// <summary>Entries of <c>show arp</c> (<c>IPv4 Address  MAC  Port  Physical Port  State</c>).</summary>
    public static List<ArpEntry> ParseArp(string output, string router) => CliTable.Arp(output, router, ipWord: 0, macWord: 1);

    /// <summary>
    /// A port from <c>show running-config interface 1/1/7</c>: <c>shutdown</c> / <c>no shutdown</c>, <c>vlan access N</c>
    /// (none = VLAN 1), <c>vlan trunk …</c>, <c>lag N</c>, <c>description …</c>, <c>routing</c> (a routed port, refused).
    /// <paramref name="adminStated"/> is false when the configuration says neither shutdown nor no shutdown (the
    /// platform default), and the caller reads the admin state elsewhere.
    /// </summary>
    public static CliPortState ParseRunningInterface(PortName port, string output, out bool adminStated)
    {
        var lines = CliTable.Lines(output);
        if (!lines.Any(l => l.StartsWith("interface ", StringComparison.Ordinal)))
        {
            throw new SshSwitchException($"{port}: the running configuration shows no 'interface' section for it");
        }

        var body = lines.SkipWhile(l => !l.StartsWith("interface ", StringComparison.Ordinal)).Skip(1).Select(l => l.Trim()).ToList();
        if (body.Contains("routing"))
        {
            throw new SshSwitchException($"{port}: a routed port ('routing'); containment changes switch ports only");
        }

        var vlan = DefaultVlan;
        foreach (var line in body.Where(l => l.StartsWith("vlan access ", StringComparison.Ordinal)))
        {
            vlan = VlanId.TryParse(line["vlan access ".Length..], out var v) ? v : throw new SshSwitchException($"{port}: unreadable '{line}'");
        }

        adminStated = body.Contains("shutdown") || body.Contains("no shutdown");
        return new CliPortState(
            port,
            AdminUp: !body.Contains("shutdown"),
            Vlan: vlan,
            Description: body.FirstOrDefault(l => l.StartsWith("description ", StringComparison.Ordinal))?["description ".Length..],
            Trunk: body.Any(l => l.StartsWith("vlan trunk ", StringComparison.Ordinal)),
            Aggregated: body.Any(l => l.StartsWith("lag ", StringComparison.Ordinal)) || port.Value.StartsWith("lag", StringComparison.OrdinalIgnoreCase));
    }

    protected override async Task<SwitchTables> ReadTablesAsync(CliSession cli, DeviceDefinition device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var brief = ParseInterfaceBrief(await cli.RunAsync("show interface brief", cancellationToken).ConfigureAwait(false));
        var macs = ParseMacTable(await cli.RunAsync("show mac-address-table", cancellationToken).ConfigureAwait(false));
        var lags = ParseLacpAggregates(await cli.RunAsync("show lacp aggregates", cancellationToken).ConfigureAwait(false));
        var neighbors = ParseLldpNeighbors(await cli.RunAsync("show lldp neighbor-info", cancellationToken).ConfigureAwait(false));
        var ports = brief.Select((p, i) =>
        {
            var key = PortKey(p.Port.Value);
            return new SwitchPort(i + 1, i + 1, p.Port, p.Trunk, lags.Contains(key) || key.StartsWith("lag", StringComparison.Ordinal), neighbors.GetValueOrDefault(key));
        }).ToList();
        return Tables(device, ports, macs, PortKey);
    }

    protected override async Task<IReadOnlyList<ArpEntry>> ReadArpAsync(CliSession cli, DeviceDefinition device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(device);
        return ParseArp(await cli.RunAsync("show arp", cancellationToken).ConfigureAwait(false), device.Name);
    }

    protected override async Task<CliPortState> ReadPortAsync(CliSession cli, DeviceDefinition device, PortName port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(device);
        CliPortState state;
        bool adminStated;
        try
        {
            state = ParseRunningInterface(port, await cli.RunAsync($"show running-config interface {port}", cancellationToken).ConfigureAwait(false), out adminStated);
        }
        catch (SshSwitchException e) when (!e.Message.StartsWith(device.Name, StringComparison.Ordinal))
        {
            throw new SshSwitchException($"{device.Name} {e.Message}", e);
        }

        if (adminStated)
        {
            return state;
        }

        var brief = ParseInterfaceBrief(await cli.RunAsync($"show interface {port} brief", cancellationToken).ConfigureAwait(false));
        return brief.FirstOrDefault(p => p.Port.Matches(port)) is { Port.Value: not null } row
            ? state with { AdminUp = row.Enabled }
            : throw new SshSwitchException($"{device.Name} {port}: 'show interface {port} brief' does not list the port");
    }

    protected override Task ConfigureAsync(CliSession cli, DeviceDefinition device, CliPortState current, CliPortState desired, CancellationToken cancellationToken) =>
        ConfigureInterfaceAsync(cli, device, current, desired, vlan => $"vlan access {vlan}", cancellationToken);

    private static bool IsPortName(string word) =>
        word.Length > 0 && (char.IsAsciiDigit(word[0]) && word.Contains('/', StringComparison.Ordinal) || word.StartsWith("lag", StringComparison.Ordinal));
}
