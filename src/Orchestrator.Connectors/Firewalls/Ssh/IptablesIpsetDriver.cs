using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls.Ssh;

/// <summary>
/// The <c>iptables</c> firewall driver over SSH: blocked addresses are entries of two ipsets (<c>hash:ip</c>,
/// <c>family inet</c> and <c>inet6</c>, created with <c>timeout 0</c> so each entry carries its own timeout and
/// the kernel drops it when that runs out; 0 keeps it until released), matched by iptables and ip6tables rules.
/// Options: <c>set</c> (orchestrator-blocked), <c>set6</c> (orchestrator-blocked6), <c>create</c>,
/// <c>cut_connections</c> (see <see cref="SshFirewallOptions"/>).
/// </summary>
/// <remarks>
/// <para>With <c>create</c> each block and unblock first makes the sets (<c>ipset -exist create</c>) and the
/// rules, each checked with <c>-C</c> and inserted at the top only when missing: in FORWARD <c>--match-set SET
/// src -j DROP</c> and <c>dst</c> (a contained host neither sends nor receives through the firewall, and hosts
/// behind it cannot reach a blocked outside address), in INPUT <c>src</c> (it cannot reach the firewall itself).
/// The same for IPv6 with ip6tables.</para>
/// <para>Changes go through <c>ipset restore -exist</c>, one process per batch: <c>add SET IP timeout N</c>
/// adds or refreshes (the timeout is replaced, never a second entry), <c>del SET IP</c> of a missing entry is
/// no error. ipset restore applies lines up to the first bad one, so every line is checked before anything is
/// sent. A block longer than ipset's limit (2,147,483 s, about 24.8 days) gets <c>timeout 0</c>: the ledger ends it
/// (see <see cref="SshFirewallCommands.DeviceSeconds"/>).</para>
/// <para>The request's comment is not sent. Why the commands are safe: see <see cref="SshFirewallCommands"/>; the
/// restore lines are printed by a constant script from its positional parameters and read by ipset, never by a shell.</para>
/// </remarks>
public sealed class IptablesIpsetDriver : SshFirewallDriver
{
    public const string DriverName = "iptables";

    /// <summary>ipset's longest timeout in seconds (its man page: 2147483).</summary>
    public const long MaxTimeoutSeconds = 2_147_483;

    /// <summary>Makes the sets ($1 IPv4, $2 IPv6) and inserts each DROP rule that <c>-C</c> does not find.</summary>
    public const string EnsureScript =
        "set -e\n" +
        "ipset -exist create \"$1\" hash:ip family inet timeout 0\n" +
        "ipset -exist create \"$2\" hash:ip family inet6 timeout 0\n" +
        "drop() { \"$1\" -C \"$2\" -m set --match-set \"$3\" \"$4\" -j DROP 2>/dev/null || \"$1\" -I \"$2\" -m set --match-set \"$3\" \"$4\" -j DROP; }\n" +
        "drop iptables FORWARD \"$1\" src; drop iptables FORWARD \"$1\" dst; drop iptables INPUT \"$1\" src\n" +
        "drop ip6tables FORWARD \"$2\" src; drop ip6tables FORWARD \"$2\" dst; drop ip6tables INPUT \"$2\" src\n";

    /// <summary>Feeds the lines after the two set names to one <c>ipset restore -exist</c>.</summary>
    public const string RestoreScript = "shift 2\nprintf '%s\\n' \"$@\" | ipset restore -exist\n";


    /// <summary>The driver over the pool's one pinned, reused SSH session per device.</summary>
    public IptablesIpsetDriver(SshSessionPool sessions)
        : base(Pooled(sessions))
    {
    }

    /// <summary>The driver over the runner <paramref name="runners"/> gives for a device (tests script it).</summary>
    public IptablesIpsetDriver(Func<DeviceDefinition, ISshCommandRunner> runners)
        : base(runners)
    {
    }

    public override async Task BlockAsync(DeviceDefinition device, IReadOnlyList<BlockRequest> blocks, CancellationToken cancellationToken)
    {
        var options = Options(device);
        var distinct = SshFirewallCommands.Distinct(blocks);
        var lines = distinct.Select(b => string.Create(
            CultureInfo.InvariantCulture,
            $"add {SetOf(options, b.Address)} {SshFirewallCommands.Format(b.Address)} timeout {SshFirewallCommands.DeviceSeconds(device, b, MaxTimeoutSeconds) ?? 0}")).ToList();
        if (lines.Count == 0)
        {
            return;
        }

        var ssh = Runner(device);
        await RestoreAsync(ssh, device, options, lines, cancellationToken).ConfigureAwait(false);
        if (options.CutConnections)
        {
            await SshFirewallCommands.CutConnectionsAsync(ssh, device, [.. distinct.Select(b => b.Address)], cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task UnblockAsync(DeviceDefinition device, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var options = Options(device);
        var lines = addresses.Select(SshFirewallCommands.Normalize).Distinct().Select(a => $"del {SetOf(options, a)} {SshFirewallCommands.Format(a)}").ToList();
        if (lines.Count > 0)
        {
            await RestoreAsync(Runner(device), device, options, lines, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<IReadOnlyList<FirewallBlock>> ListAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        var options = Options(device);
        var ssh = Runner(device);
        var blocks = new List<FirewallBlock>();
        foreach (var set in new[] { options.Set, options.Set6 })
        {
            string[] command = ["ipset", "save", set];
            var result = await SshFirewallCommands.ExecuteAsync(ssh, command, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                blocks.AddRange(Entries(result.StdOut, set));
            }
            else if (!result.StdErr.Contains("does not exist", StringComparison.Ordinal))
            {
                throw SshFirewallCommands.Failure(device, command, result);
            }

            // else: the set was never made, so nothing was ever blocked in it.
        }

        return blocks;
    }

    /// <summary>
    /// The entries of <paramref name="set"/> in <c>ipset save</c> output: <c>add SET 10.0.0.1 timeout 59</c>.
    /// <c>timeout 0</c> (kept until released) and no timeout (a set made without timeouts) are null remaining.
    /// </summary>
    public static IReadOnlyList<FirewallBlock> Entries(string save, string set)
    {
        ArgumentNullException.ThrowIfNull(save);
        var blocks = new List<FirewallBlock>();
        foreach (var line in save.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 3 || words[0] != "add" || words[1] != set || !IPAddress.TryParse(words[2], out var address))
            {
                continue;
            }

            var at = Array.IndexOf(words, "timeout");
            TimeSpan? remaining = at > 0 && at + 1 < words.Length && long.TryParse(words[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : null;
            blocks.Add(new FirewallBlock(address, remaining));
        }

        return blocks;
    }

    // ipset's kernel limit for a set name is 31 characters (IPSET_MAXNAMELEN 32 with the terminating zero).
    private static SshFirewallOptions Options(DeviceDefinition device)
    {
        var options = SshFirewallOptions.FromDevice(device, "orchestrator-blocked");
        foreach (var (option, name) in new[] { (SshFirewallOptions.SetOption, options.Set), (SshFirewallOptions.Set6Option, options.Set6) })
        {
            if (name.Length > 31)
            {
                throw new FirewallException($"{device.Location}: device '{device.Name}' options.{option} '{name}' is longer than ipset's 31 characters");
            }
        }

        return options;
    }

    private static string SetOf(SshFirewallOptions options, IPAddress address) =>
        SshFirewallCommands.Normalize(address).AddressFamily == AddressFamily.InterNetworkV6 ? options.Set6 : options.Set;

    // One command per chunk: the constant scripts take the set names and the restore lines as positional parameters.
    private static async Task RestoreAsync(ISshCommandRunner ssh, DeviceDefinition device, SshFirewallOptions options, IReadOnlyList<string> lines, CancellationToken cancellationToken)
    {
        var script = options.Create ? EnsureScript + RestoreScript : RestoreScript;
        foreach (var chunk in lines.Chunk(SshFirewallCommands.MaxAddressesPerCommand))
        {
            await SshFirewallCommands.RunAsync(ssh, device, ["sh", "-c", script, "sh", options.Set, options.Set6, .. chunk], cancellationToken).ConfigureAwait(false);
        }
    }
}
