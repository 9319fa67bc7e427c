using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls.Ssh;

/// <summary>
/// What the nftables and iptables+ipset drivers share: the address text they send, batches cut to a size one
/// remote command line can carry, running a command and failing with the device's answer, and the conntrack cut.
/// Everything they refuse or the device refuses is a <see cref="FirewallException"/> naming the device, which the
/// firewall steps report: SSH errors (which already name the device) are passed on as one.
/// </summary>
/// <remarks>
/// Why the commands are safe: <see cref="ISshCommandRunner.RunAsync"/> single-quotes every argument for the
/// remote POSIX shell, so no argument is ever read by that shell; and every argument the drivers build is a
/// constant, an identifier checked by <see cref="SshFirewallOptions.IsIdentifier"/>, a whole number of seconds,
/// or an address formatted here from an <see cref="IPAddress"/>. The two <c>sh -c</c> scripts are constants
/// that take those values as positional parameters and only ever expand them inside double quotes.
/// </remarks>
public static class SshFirewallCommands
{
    /// <summary>
    /// Addresses per remote command. sshd hands the command line to the shell as one argument, and Linux caps one
    /// argument at 128 KiB; 400 IPv6 blocks written three times (see the nftables driver) stay near 64 KiB.
    /// </summary>
    public const int MaxAddressesPerCommand = 400;

    /// <summary>
    /// Deletes the conntrack entries from and to each address (<c>conntrack -D -s</c>, <c>-D -d</c>), so flows the
    /// firewall already accepted stop too: flows offloaded to a flowtable skip the forward hook, and a ruleset that
    /// accepts established flows before its drop rules would let them continue. The table is listed once and only
    /// addresses found in it are deleted: one conntrack process per address of a 400-address batch took ~12 s on
    /// the lab router, most of them finding nothing. conntrack exits 1 with "0 flow entries have been deleted" when
    /// a flow ended in between; that is no error, anything else is. Runs after the block, so no new flow of an
    /// address can start between the listing and the deletes.
    /// </summary>
    public const string CutConnectionsScript =
        "command -v conntrack >/dev/null || { echo 'conntrack: not found' >&2; exit 127; }\n" +
        "flows=$(conntrack -L 2>&1) || { printf '%s\\n' \"$flows\" >&2; exit 1; }\n" +
        "printf '%s\\n' \"$flows\" | awk -v list=\"$*\" 'BEGIN { n = split(list, a, \" \"); for (i = 1; i <= n; i++) want[a[i]] = 1 }\n" +
        "  { for (i = 1; i <= NF; i++) if ($i ~ /^(src|dst)=/ && (substr($i, 5) in want)) print substr($i, 5) }' | sort -u |\n" +
        "while read -r a; do for d in -s -d; do out=$(conntrack -D \"$d\" \"$a\" 2>&1) || case $out in\n" +
        "  *' 0 flow entries have been deleted'*) ;; *) printf '%s\\n' \"$out\" >&2; exit 1;; esac; done; done\n";

    /// <summary>The address as the device reads it: IPv4-mapped IPv6 as IPv4, IPv6 without a scope id.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;
    }

    /// <summary>The address's text for a command (digits, dots, colons and hex only).</summary>
    public static string Format(IPAddress address) => Normalize(address).ToString();

    /// <summary>One block per address (normalized; the last request for an address wins), in first-seen order.</summary>
    public static IReadOnlyList<BlockRequest> Distinct(IReadOnlyList<BlockRequest> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return [.. blocks.GroupBy(b => Normalize(b.Address)).Select(g => g.Last() with { Address = g.Key })];
    }

    /// <summary>
    /// The timeout to give the device in whole seconds, rounded up (a device given 0 would keep the block forever);
    /// null for a block until released, and for one longer than the device's <paramref name="maxSeconds"/>: such a
    /// block is kept without a timeout and ended by the ledger's expiry, which every block has (ADR 0022), as on a
    /// device without native expiry — cutting it short on the device would make the reconcile job report it missing.
    /// Throws for a duration that is not positive.
    /// </summary>
    public static long? DeviceSeconds(DeviceDefinition device, BlockRequest block, long maxSeconds)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(block);
        if (block.Duration is not { } duration)
        {
            return null;
        }

        if (duration <= TimeSpan.Zero)
        {
            throw new FirewallException($"{device.Name}: the block of {block.Address} has duration {duration}; give a positive duration, or none for a block until released");
        }

        var seconds = (long)Math.Ceiling(duration.TotalSeconds);
        return seconds <= maxSeconds ? seconds : null;
    }

    /// <summary>Runs one command and returns what it printed and its exit status; a device that cannot be reached is a firewall error.</summary>
    public static async Task<SshCommandResult> ExecuteAsync(ISshCommandRunner ssh, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ssh);
        try
        {
            return await ssh.RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (SshSwitchException e)
        {
            throw new FirewallException(e.Message, e);
        }
    }

    /// <summary>Runs one command; a non-zero exit throws naming the device, the command (its start, for a long batch) and what the device printed.</summary>
    public static async Task<string> RunAsync(ISshCommandRunner ssh, DeviceDefinition device, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(ssh, arguments, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.StdOut : throw Failure(device, arguments, result);
    }

    /// <summary>The error for a command the device refused: the device, the command (its start, for a long batch), the exit status and what the device printed.</summary>
    public static FirewallException Failure(DeviceDefinition device, IReadOnlyList<string> arguments, SshCommandResult result)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(result);
        var command = string.Join(' ', arguments);
        var shown = command.Length <= 200 ? command : string.Create(CultureInfo.InvariantCulture, $"{command[..200]}… ({command.Length} characters)");
        return new FirewallException(string.Create(CultureInfo.InvariantCulture, $"{device.Name}: '{shown}' failed (exit {result.ExitStatus}): {result.StdErr.Trim()}"));
    }

    /// <summary>Cuts the flows of <paramref name="addresses"/> (see <see cref="CutConnectionsScript"/>), one command per batch.</summary>
    public static async Task CutConnectionsAsync(ISshCommandRunner ssh, DeviceDefinition device, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (var chunk in addresses.Chunk(MaxAddressesPerCommand))
        {
            try
            {
                await RunAsync(ssh, device, ["sh", "-c", CutConnectionsScript, "sh", .. chunk.Select(Format)], cancellationToken).ConfigureAwait(false);
            }
            catch (FirewallException e)
            {
                throw new FirewallException($"{e.Message} — the addresses are blocked, but their open connections were not cut (install conntrack on the device, or set options.{SshFirewallOptions.CutConnectionsOption}: false)", e);
            }
        }
    }
}
