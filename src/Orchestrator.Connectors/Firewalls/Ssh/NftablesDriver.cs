using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls.Ssh;

/// <summary>
/// The <c>nftables</c> firewall driver over SSH: blocked addresses are elements of a named set with
/// <c>flags timeout</c> (one for IPv4, one for IPv6), so the kernel drops each element when its timeout
/// runs out. Options: <c>family</c> (inet, ip or ip6; default inet), <c>table</c> (orchestrator), <c>set</c>
/// (blocked), <c>set6</c> (blocked6), <c>create</c>, <c>cut_connections</c> (see <see cref="SshFirewallOptions"/>).
/// </summary>
/// <remarks>
/// <para>With <c>create</c> the first block or unblock to a device (in this process) brings the table, the sets and two
/// chains into being in the same transaction as its elements (<c>add</c> is a no-op for what exists), and so does
/// the next one after nft answered "No such file or directory" (someone deleted the table: the change is sent again
/// with them). Not every time: a transaction that re-adds an existing table and refills its chains makes
/// <c>nft monitor</c> lose the set from its cache (nft 1.0.6: "Received event for an unknown set"), and a
/// monitor is how people watch blocks arrive. The chains: <c>&lt;set&gt;-forward</c>, hooked on forward,
/// drops packets from AND to a blocked address — a contained host neither sends nor receives through the firewall,
/// and hosts behind it cannot reach a blocked outside address (a C2 server); <c>&lt;set&gt;-input</c>, hooked on input,
/// drops packets from it to the firewall itself. Both have priority -10, before the usual filter chains; a drop in
/// any base chain is final, so a later chain's accept does not undo it. The chains are the driver's own: they are
/// flushed and refilled in that same transaction, so they never hold a rule twice and are never empty.</para>
/// <para>Idempotent: a block is <c>add</c>, <c>delete</c>, <c>add</c> of the same elements in one transaction —
/// the first add makes the delete safe when the element is missing, and the delete resets an existing
/// element's timeout (the nftables wiki's way; kernels since 6.10 also refresh on a plain add, older ones do
/// not). An unblock is <c>add</c> then <c>delete</c>, which succeeds whether the element was there or not.
/// A block without a duration is an element without a timeout: it never expires.</para>
/// <para>The request's comment is not sent: an nft element comment would be text from outside in a command.
/// Why the commands are safe: see <see cref="SshFirewallCommands"/>.</para>
/// </remarks>
public sealed class NftablesDriver : SshFirewallDriver
{
    public const string DriverName = "nftables";
    public const string FamilyOption = "family";
    public const string TableOption = "table";

    private static readonly string[] Families = ["inet", "ip", "ip6"];


    // The layouts (Layout.Key: device, family, table, sets) whose table, sets and chains this driver made or found in place.
    private readonly ConcurrentDictionary<string, bool> ensured = new(StringComparer.Ordinal);

    /// <summary>The driver over the pool's one pinned, reused SSH session per device.</summary>
    public NftablesDriver(SshSessionPool sessions)
        : base(Pooled(sessions))
    {
    }

    /// <summary>The driver over the runner <paramref name="runners"/> gives for a device (tests script it).</summary>
    public NftablesDriver(Func<DeviceDefinition, ISshCommandRunner> runners)
        : base(runners)
    {
    }

    public override async Task BlockAsync(DeviceDefinition device, IReadOnlyList<BlockRequest> blocks, CancellationToken cancellationToken)
    {
        var layout = Layout.FromDevice(device);
        var distinct = SshFirewallCommands.Distinct(blocks);
        var elements = distinct.Select(b => (Set: layout.SetFor(device, b.Address), b.Address, Timed: Element(device, b))).ToList();
        if (elements.Count == 0)
        {
            return;
        }

        var ssh = Runner(device);
        await RunChunkedAsync(ssh, device, layout, elements, chunk => layout.Sets.SelectMany(set =>
        {
            var mine = chunk.Where(e => e.Set == set).ToList();
            var bare = mine.Select(e => new[] { SshFirewallCommands.Format(e.Address) }).ToList();
            return mine.Count == 0 ? [] : layout.Elements("add", set, bare).Concat(layout.Elements("delete", set, bare)).Concat(layout.Elements("add", set, [.. mine.Select(e => e.Timed)]));
        }), cancellationToken).ConfigureAwait(false);

        if (layout.Options.CutConnections)
        {
            await SshFirewallCommands.CutConnectionsAsync(ssh, device, [.. distinct.Select(b => b.Address)], cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task UnblockAsync(DeviceDefinition device, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var layout = Layout.FromDevice(device);

        // An address of a family the device has no set for (family ip or ip6) was never blocked there: nothing to remove.
        var elements = addresses.Select(SshFirewallCommands.Normalize).Distinct()
            .Select(a => (Set: layout.Sets.FirstOrDefault(s => s.Holds(a)), Address: a)).Where(e => e.Set is not null).ToList();
        if (elements.Count == 0)
        {
            return;
        }

        await RunChunkedAsync(Runner(device), device, layout, elements, chunk => layout.Sets.SelectMany(set =>
        {
            var mine = chunk.Where(e => e.Set == set).Select(e => new[] { SshFirewallCommands.Format(e.Address) }).ToList();
            return mine.Count == 0 ? [] : layout.Elements("add", set, mine).Concat(layout.Elements("delete", set, mine));
        }), cancellationToken).ConfigureAwait(false);
    }

    public override async Task<IReadOnlyList<FirewallBlock>> ListAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        var layout = Layout.FromDevice(device);
        var ssh = Runner(device);
        var blocks = new List<FirewallBlock>();
        foreach (var set in layout.Sets)
        {
            string[] command = ["nft", "-j", "list", "set", layout.Family, layout.Table, set.Name];
            var result = await SshFirewallCommands.ExecuteAsync(ssh, command, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                blocks.AddRange(NftablesJson.SetElements(result.StdOut));
            }
            else if (!result.StdErr.Contains("No such file or directory", StringComparison.Ordinal))
            {
                throw SshFirewallCommands.Failure(device, command, result);
            }

            // else: no such table or set yet, so nothing was ever blocked in it.
        }

        return blocks;
    }

    // One nft transaction per chunk; with options.create the first also brings the table, sets and chains into being.
    private async Task RunChunkedAsync<T>(ISshCommandRunner ssh, DeviceDefinition device, Layout layout, IReadOnlyList<T> elements, Func<T[], IEnumerable<string>> statements, CancellationToken cancellationToken)
    {
        foreach (var chunk in elements.Chunk(SshFirewallCommands.MaxAddressesPerCommand))
        {
            var ensure = layout.Options.Create && !ensured.ContainsKey(layout.Key);
            var (command, result) = await NftAsync(ssh, layout, ensure, statements(chunk), cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded && !ensure && layout.Options.Create && result.StdErr.Contains("No such file or directory", StringComparison.Ordinal))
            {
                ensure = true;
                (command, result) = await NftAsync(ssh, layout, ensure, statements(chunk), cancellationToken).ConfigureAwait(false);
            }

            if (!result.Succeeded)
            {
                ensured.TryRemove(layout.Key, out _);
                throw SshFirewallCommands.Failure(device, command, result);
            }

            if (ensure)
            {
                ensured[layout.Key] = true;
            }
        }
    }

    // One transaction; "--" ends nft's options: "priority -10" would otherwise be read as the options -1 and -0.
    private static async Task<(string[] Command, SshCommandResult Result)> NftAsync(ISshCommandRunner ssh, Layout layout, bool ensure, IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        string[] command = ["nft", "--", .. ensure ? layout.Ensure() : [], .. statements];
        return (command, await SshFirewallCommands.ExecuteAsync(ssh, command, cancellationToken).ConfigureAwait(false));
    }

    // "10.0.0.1 timeout 3600s" or, for a block until released, "10.0.0.1". nft 1.0.6 refuses a timeout of 100,000,000 s
    // or more ("value too large"); a block that long is kept without one and ended by the ledger (SshFirewallCommands.DeviceSeconds).
    private static string[] Element(DeviceDefinition device, BlockRequest block)
    {
        var address = SshFirewallCommands.Format(block.Address);
        return SshFirewallCommands.DeviceSeconds(device, block, 99_999_999) is { } seconds
            ? [address, "timeout", seconds.ToString(CultureInfo.InvariantCulture) + "s"]
            : [address];
    }

    /// <summary>A set the driver manages: its name, the element type, the match keyword, and the address family it holds.</summary>
    private sealed record NftSet(string Name, string Type, string Match, AddressFamily AddressFamily)
    {
        public bool Holds(IPAddress address) => SshFirewallCommands.Normalize(address).AddressFamily == AddressFamily;
    }

    /// <summary>Where the driver's table, sets and chains are on one device, from its options.</summary>
    private sealed record Layout(string Device, string Family, string Table, SshFirewallOptions Options, IReadOnlyList<NftSet> Sets)
    {
        /// <summary>What makes two layouts the same table, sets and chains on the same device.</summary>
        public string Key => $"{Device} {Family} {Table} {Options.Set} {Options.Set6}";

        public static Layout FromDevice(DeviceDefinition device)
        {
            ArgumentNullException.ThrowIfNull(device);
            var options = SshFirewallOptions.FromDevice(device, "blocked");
            var family = device.Options.GetValueOrDefault(FamilyOption, "inet");
            if (!Families.Contains(family, StringComparer.Ordinal))
            {
                throw new FirewallException($"{device.Location}: device '{device.Name}' options.{FamilyOption} '{family}' is not inet, ip or ip6 (the families with forward and input hooks)");
            }

            var sets = new List<NftSet>();
            if (family != "ip6")
            {
                sets.Add(new NftSet(options.Set, "ipv4_addr", "ip", AddressFamily.InterNetwork));
            }

            if (family != "ip")
            {
                sets.Add(new NftSet(options.Set6, "ipv6_addr", "ip6", AddressFamily.InterNetworkV6));
            }

            return new Layout(device.Name, family, SshFirewallOptions.Identifier(device, TableOption, "orchestrator"), options, sets);
        }

        /// <summary>The set that holds <paramref name="address"/>; throws when the table's family has none (an IPv6 address for family ip).</summary>
        public NftSet SetFor(DeviceDefinition device, IPAddress address) =>
            Sets.FirstOrDefault(s => s.Holds(address))
            ?? throw new FirewallException($"{device.Name}: cannot block {address} — options.{FamilyOption} is {Family}, which has no set for {(address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} (use family inet for both)");

        /// <summary><c>add element|delete element FAMILY TABLE SET { e1 , e2 } ;</c></summary>
        public IEnumerable<string> Elements(string verb, NftSet set, IReadOnlyList<string[]> elements) =>
            [verb, "element", Family, Table, set.Name, "{", .. elements.SelectMany((e, i) => i == 0 ? e : [",", .. e]), "}", ";"];

        /// <summary>The table, the sets and the two chains, each chain flushed and refilled (see the class remarks).</summary>
        public List<string> Ensure()
        {
            var words = new List<string> { "add", "table", Family, Table, ";" };
            foreach (var set in Sets)
            {
                words.AddRange(["add", "set", Family, Table, set.Name, "{", "type", set.Type, ";", "flags", "timeout", ";", "}", ";"]);
            }

            foreach (var (hook, directions) in new[] { ("forward", new[] { "saddr", "daddr" }), ("input", ["saddr"]) })
            {
                var chain = $"{Options.Set}-{hook}";
                words.AddRange(["add", "chain", Family, Table, chain, "{", "type", "filter", "hook", hook, "priority", "-10", ";", "policy", "accept", ";", "}", ";"]);
                words.AddRange(["flush", "chain", Family, Table, chain, ";"]);
                foreach (var set in Sets)
                {
                    foreach (var direction in directions)
                    {
                        words.AddRange(["add", "rule", Family, Table, chain, set.Match, direction, "@" + set.Name, "drop", ";"]);
                    }
                }
            }

            return words;
        }
    }
}
