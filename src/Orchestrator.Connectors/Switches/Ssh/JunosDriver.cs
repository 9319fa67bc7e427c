using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>
/// The <c>junos</c> driver (EX / QFX with ELS) over an interactive SSH CLI. Tables from <c>show interfaces terse</c>,
/// <c>show configuration interfaces | display set</c> (trunks, LAG members), <c>show ethernet-switching table |
/// display xml</c> (the text layout changed across releases, the XML elements did not), <c>show vlans</c> (members are
/// named) and <c>show lldp neighbors</c>; ARP from <c>show arp no-resolve</c>. Changes are made in <c>configure
/// private</c> and committed with a plain <c>commit</c>: Junos refuses <c>commit confirmed</c> in private mode, and
/// an automatic rollback would silently release a contained host; the change is read back instead. A commit (or
/// configure) refused because another user holds the configuration database is retried with doubling waits,
/// <c>options.commit_retries</c> times (default 3) from <c>options.commit_retry_delay</c> (default 2s), then fails
/// naming the holder.
/// </summary>
public sealed class JunosDriver(SshSessionPool sessions, TimeProvider time) : CliSwitchDriver(sessions, time)
{
    public const string DriverName = "junos";
    public const string CommitRetriesOption = "commit_retries";
    public const string CommitRetryDelayOption = "commit_retry_delay";

    private static readonly string[] PortPrefixes = ["ge-", "xe-", "et-", "mge-", "fe-", "ae"];

    protected override CliDialect Dialect => CliDialect.Junos;

    /// <summary>The physical interface of a logical one: <c>ge-0/0/7.0</c> → <c>ge-0/0/7</c>.</summary>
    public static string PortKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return (dot < 0 ? name : name[..dot]).ToLowerInvariant();
    }

    /// <summary>
    /// Physical switch ports from <c>show interfaces terse</c> (<c>Interface  Admin Link Proto  Local  Remote</c>), and
    /// the LAG members: a unit whose protocol is <c>aenet --&gt; ae0.0</c>.
    /// </summary>
    public static (List<PortName> Ports, HashSet<string> LagMembers) ParseInterfacesTerse(string output)
    {
        var ports = new List<PortName>();
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var words in CliTable.Lines(output).Select(CliTable.Words))
        {
            if (words.Length < 2 || !PortPrefixes.Any(p => words[0].StartsWith(p, StringComparison.Ordinal)))
            {
                continue;
            }

            if (!words[0].Contains('.', StringComparison.Ordinal))
            {
                if (PortName.TryParse(words[0], out var port))
                {
                    ports.Add(port);
                }
            }
            else if (words.Contains("aenet"))
            {
                members.Add(PortKey(words[0]));
            }
        }

        return (ports, members);
    }

    /// <summary>Interface settings from <c>… | display set</c>: per physical interface, the words after <c>set interfaces NAME</c>.</summary>
    public static Dictionary<string, List<string>> ParseInterfaceSets(string output)
    {
        var settings = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in CliTable.Lines(output).Select(l => l.Trim()))
        {
            var words = CliTable.Words(line);
            if (words.Length >= 4 && words[0] == "set" && words[1] == "interfaces")
            {
                var key = PortKey(words[2]);
                if (!settings.TryGetValue(key, out var list))
                {
                    settings[key] = list = [];
                }

                list.Add(string.Join(' ', words[3..]));
            }
        }

        return settings;
    }

    /// <summary>Trunks (<c>interface-mode trunk</c>, or <c>port-mode trunk</c> before ELS) and LAG members (<c>ether-options 802.3ad aeN</c>).</summary>
    public static (bool Trunk, bool Aggregated) Roles(IReadOnlyList<string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return (
            settings.Any(s => s.EndsWith("interface-mode trunk", StringComparison.Ordinal) || s.EndsWith("port-mode trunk", StringComparison.Ordinal)),
            settings.Any(s => s.Contains("802.3ad ", StringComparison.Ordinal)));
    }

    /// <summary>VLAN name → tag from <c>show vlans</c> (<c>Routing instance  VLAN name  Tag  Interfaces</c>).</summary>
    public static Dictionary<string, VlanId> ParseVlans(string output)
    {
        var vlans = new Dictionary<string, VlanId>(StringComparer.Ordinal);
        foreach (var words in CliTable.Lines(output).Select(CliTable.Words))
        {
            if (words.Length >= 3 && !words[0].EndsWith('*') && VlanId.TryParse(words[2], out var tag))
            {
                vlans[words[1]] = tag;
            }
        }

        return vlans;
    }

    /// <summary>
    /// Learned entries of <c>show ethernet-switching table | display xml</c>: each <c>l2ng-mac-entry</c>'s
    /// <c>l2ng-l2-mac-address</c>, <c>l2ng-l2-mac-vlan-name</c>, <c>l2ng-l2-mac-flags</c> (D = dynamic) and
    /// <c>l2ng-l2-mac-logical-interface</c>.
    /// </summary>
    public static List<(MacAddress Mac, string Port, VlanId? Vlan)> ParseSwitchingTable(string output, IReadOnlyDictionary<string, VlanId> vlans)
    {
        ArgumentNullException.ThrowIfNull(vlans);
        var entries = new List<(MacAddress, string, VlanId?)>();
        foreach (var entry in Xml(output).Descendants().Where(e => e.Name.LocalName == "l2ng-mac-entry"))
        {
            string? Field(string name) => entry.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();
            var flags = Field("l2ng-l2-mac-flags") ?? string.Empty;
            if (MacAddress.TryParse(Field("l2ng-l2-mac-address"), out var mac) && Field("l2ng-l2-mac-logical-interface") is { Length: > 0 } port
                && flags.Split(',').Contains("D"))
            {
                entries.Add((mac, port, Field("l2ng-l2-mac-vlan-name") is { } name && vlans.TryGetValue(name, out var vlan) ? vlan : null));
            }
        }

        return entries;
    }

    /// <summary>Ports with an LLDP neighbour (and their parent LAG), from <c>show lldp neighbors</c> (<c>Local Interface  Parent Interface  Chassis Id  Port info  System Name</c>).</summary>
    public static Dictionary<string, string> ParseLldpNeighbors(string output)
    {
        var lines = CliTable.Lines(output);
        var neighbors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (CliTable.Header(lines, "Local Interface", "Parent Interface", "Chassis Id", "System Name") is not { } header)
        {
            return neighbors;
        }

        foreach (var line in lines.Skip(header.Line + 1))
        {
            var words = CliTable.Words(line);
            if (words.Length < 3)
            {
                continue;
            }

            var system = CliTable.Cell(line, header.Starts[3]) is { Length: > 0 } name ? name : words[2];
            neighbors[PortKey(words[0])] = system;
            if (words[1] != "-")
            {
                neighbors.TryAdd(PortKey(words[1]), system);
            }
        }

        return neighbors;
    }

    /// <summary>Entries of <c>show arp no-resolve</c> (<c>MAC Address  Address  Interface  Flags</c>).</summary>
    public static List<ArpEntry> ParseArp(string output, string router) => CliTable.Arp(output, router, ipWord: 1, macWord: 0);

    /// <summary>
    /// A port from its <c>display set</c> lines: <c>disable</c>, <c>description</c>, <c>unit 0 family
    /// ethernet-switching vlan members X</c> (a name or a tag; none = the <c>default</c> VLAN).
    /// </summary>
    public static CliPortState PortState(PortName port, IReadOnlyList<string> settings, IReadOnlyDictionary<string, VlanId> vlans)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(vlans);
        const string Members = "unit 0 family ethernet-switching vlan members ";
        var memberNames = settings.Where(s => s.StartsWith(Members, StringComparison.Ordinal)).Select(s => s[Members.Length..].Trim()).ToList();
        VlanId? vlan = memberNames.Count switch
        {
            0 => vlans.TryGetValue("default", out var d) ? d : DefaultVlan,
            1 => vlans.TryGetValue(memberNames[0], out var named) ? named : VlanId.TryParse(memberNames[0], out var tag) ? tag
                : throw new SshSwitchException($"{port}: VLAN member '{memberNames[0]}' is not in 'show vlans'"),
            _ => null,
        };
        var description = settings.FirstOrDefault(s => s.StartsWith("description ", StringComparison.Ordinal))?["description ".Length..];
        var (trunk, aggregated) = Roles(settings);
        return new CliPortState(port, !settings.Contains("disable"), vlan, description is null ? null : Unquote(description), trunk || memberNames.Count > 1, aggregated || port.Value.StartsWith("ae", StringComparison.Ordinal));
    }

    protected override async Task<SwitchTables> ReadTablesAsync(CliSession cli, DeviceDefinition device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var (ports, lagMembers) = ParseInterfacesTerse(await cli.RunAsync("show interfaces terse", cancellationToken).ConfigureAwait(false));
        var settings = ParseInterfaceSets(await cli.RunAsync("show configuration interfaces | display set", cancellationToken).ConfigureAwait(false));
        var vlans = ParseVlans(await cli.RunAsync("show vlans", cancellationToken).ConfigureAwait(false));
        var macs = ParseSwitchingTable(await cli.RunAsync("show ethernet-switching table | display xml", cancellationToken).ConfigureAwait(false), vlans);
        var neighbors = ParseLldpNeighbors(await cli.RunOrEmptyAsync("show lldp neighbors", "not running", cancellationToken).ConfigureAwait(false));
        var switchPorts = ports.Select((p, i) =>
        {
            var key = PortKey(p.Value);
            var (trunk, aggregated) = Roles(settings.GetValueOrDefault(key) ?? []);
            return new SwitchPort(i + 1, i + 1, p, trunk, aggregated || lagMembers.Contains(key) || key.StartsWith("ae", StringComparison.Ordinal), neighbors.GetValueOrDefault(key));
        }).ToList();
        return Tables(device, switchPorts, macs, PortKey);
    }

    protected override async Task<IReadOnlyList<ArpEntry>> ReadArpAsync(CliSession cli, DeviceDefinition device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(device);
        return ParseArp(await cli.RunAsync("show arp no-resolve", cancellationToken).ConfigureAwait(false), device.Name);
    }

    protected override async Task<CliPortState> ReadPortAsync(CliSession cli, DeviceDefinition device, PortName port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(device);
        var (ports, lagMembers) = ParseInterfacesTerse(await cli.RunAsync($"show interfaces terse {port}", cancellationToken).ConfigureAwait(false));
        if (!ports.Any(p => p.Matches(port)))
        {
            throw new SshSwitchException($"{device.Name}: no interface {port} ('show interfaces terse {port}' does not list it)");
        }

        var settings = ParseInterfaceSets(await cli.RunAsync($"show configuration interfaces {port} | display set", cancellationToken).ConfigureAwait(false));
        var vlans = ParseVlans(await cli.RunAsync("show vlans", cancellationToken).ConfigureAwait(false));
        try
        {
            var state = PortState(port, settings.GetValueOrDefault(PortKey(port.Value)) ?? [], vlans);
            return lagMembers.Count > 0 ? state with { Aggregated = true } : state;
        }
        catch (SshSwitchException e)
        {
            throw new SshSwitchException($"{device.Name} {e.Message}", e);
        }
    }

    protected override async Task ConfigureAsync(CliSession cli, DeviceDefinition device, CliPortState current, CliPortState desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        var port = desired.Port;
        var commands = new List<string>();
        if (desired.Description != current.Description)
        {
            commands.Add(desired.Description is { } text ? $"set interfaces {port} description \"{SafeDescription(device, port, text)}\"" : $"delete interfaces {port} description");
        }

        if (desired.Vlan != current.Vlan && desired.Vlan is { } vlan)
        {
            var vlans = ParseVlans(await cli.RunAsync("show vlans", cancellationToken).ConfigureAwait(false));
            var name = vlans.FirstOrDefault(v => v.Value == vlan).Key
                ?? throw new SshSwitchException($"{device.Name}: VLAN {vlan} is not configured on the switch ('show vlans'); create it or choose another quarantine_vlan");
            if (!PortName.TryParse(name, out var member))
            {
                throw new SshSwitchException($"{device.Name}: the VLAN name '{name}' of VLAN {vlan} is not one this driver types");
            }

            commands.Add($"delete interfaces {port} unit 0 family ethernet-switching vlan members");
            commands.Add($"set interfaces {port} unit 0 family ethernet-switching vlan members {member}");
        }

        if (desired.AdminUp != current.AdminUp)
        {
            commands.Add(desired.AdminUp ? $"delete interfaces {port} disable" : $"set interfaces {port} disable");
        }

        var (retries, delay) = CommitRetries(device);
        await WhileLockedAsync(device, "configure private", retries, delay, () => cli.RunUncheckedAsync("configure private", cancellationToken), cancellationToken).ConfigureAwait(false);
        var committed = false;
        try
        {
            foreach (var command in commands)
            {
                await cli.RunAsync(command, cancellationToken).ConfigureAwait(false);
            }

            await WhileLockedAsync(device, "commit", retries, delay, () => cli.RunUncheckedAsync("commit", cancellationToken), cancellationToken).ConfigureAwait(false);
            committed = true;
        }
        finally
        {
            // Uncommitted private changes are dropped before leaving, so 'exit' asks nothing.
            if (!committed)
            {
                await cli.RunUncheckedAsync("rollback 0", cancellationToken).ConfigureAwait(false);
            }

            await cli.RunUncheckedAsync("exit", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The holder a lock refusal names: the line after <c>error: configuration database locked by:</c> or
    /// <c>Users currently editing the configuration:</c> (<c>admin terminal p1 (pid 4321) on since …</c>); null when
    /// the output is not a lock refusal.
    /// </summary>
    public static string? LockHolder(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = CliTable.Lines(output).Select(l => l.Trim()).ToList();
        // "Users currently editing …" alone is information (configure lists other editors); only with an error is it a refusal.
        if (!lines.Any(IsLockRefusal) || !lines.Any(l => l.StartsWith("error:", StringComparison.Ordinal)))
        {
            return null;
        }

        // The holder is the session line ("user terminal pN (pid N) on since …"), on the marker's line or below it.
        return lines.SkipWhile(l => !IsLockRefusal(l))
            .Select(l => IsLockRefusal(l) ? l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() : l)
            .FirstOrDefault(l => l.Contains("(pid ", StringComparison.Ordinal)) ?? "another user";
    }

    private static bool IsLockRefusal(string line) =>
        line.Contains("configuration database locked", StringComparison.OrdinalIgnoreCase)
        || line.Contains("users currently editing the configuration", StringComparison.OrdinalIgnoreCase)
        || line.Contains("configuration database modified", StringComparison.OrdinalIgnoreCase);

    private static (int Retries, TimeSpan Delay) CommitRetries(DeviceDefinition device)
    {
        var retries = device.Options.TryGetValue(CommitRetriesOption, out var text)
            ? (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 20 ? n : throw new SshSwitchException($"{device.Location}: device '{device.Name}' options.{CommitRetriesOption} '{text}' is not a whole number from 0 to 20"))
            : 3;
        var delay = device.Options.TryGetValue(CommitRetryDelayOption, out var wait)
            ? (Durations.TryParse(wait, out var d) ? d : throw new SshSwitchException($"{device.Location}: device '{device.Name}' options.{CommitRetryDelayOption} '{wait}' is not a duration (e.g. 2s)"))
            : TimeSpan.FromSeconds(2);
        return (retries, delay);
    }

    // Runs a configure or commit; while the database is locked by someone else, waits (doubling) and tries again.
    private async Task WhileLockedAsync(DeviceDefinition device, string what, int retries, TimeSpan delay, Func<Task<string>> run, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var output = await run().ConfigureAwait(false);
            if (LockHolder(output) is not { } holder)
            {
                if (CliDialect.Junos.ErrorIn(output) is { } error)
                {
                    throw new SshSwitchException($"{device.Name}: the device refused '{what}': {error}");
                }

                return;
            }

            if (attempt >= retries)
            {
                throw new SshSwitchException(string.Create(CultureInfo.InvariantCulture,
                    $"{device.Name}: '{what}' refused {attempt + 1} times: the configuration database is locked by {holder}; ask them to commit or leave configuration mode (or 'request system logout pid …'), then retry"));
            }

            await Task.Delay(delay * Math.Pow(2, attempt), Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Unquote(string text) => text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : text;

    private static XElement Xml(string output)
    {
        var start = output.IndexOf("<rpc-reply", StringComparison.Ordinal);
        var end = output.LastIndexOf("</rpc-reply>", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new SshSwitchException("the device answered no <rpc-reply> to '| display xml'");
        }

        try
        {
            return XElement.Parse(output[start..(end + "</rpc-reply>".Length)]);
        }
        catch (XmlException e)
        {
            throw new SshSwitchException($"the device's XML answer does not parse: {e.Message}", e);
        }
    }
}
