using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls;

/// <summary>
/// The <c>cisco-asa</c> driver: Cisco ASA <c>shun</c> over the interactive SSH CLI (privileged EXEC, no configuration
/// mode; a shun is not part of the running configuration). A shun has no timeout on the ASA, so
/// <see cref="NativeExpiry"/> is false and <see cref="BlockRequest.Duration"/> is ignored: the ledger's expiry removes the
/// shun with <c>no shun</c>. Shuns do not survive a reload or a failover: the reconcile job reports them missing (and puts
/// them back with <c>reconcile.drift: reapply</c>).
/// Every call reads <c>show shun</c> first and sends one <c>shun A.B.C.D</c> per address not listed (or one
/// <c>no shun A.B.C.D</c> per address listed), holding the device's session for the whole batch, so a repeat never
/// reaches the device. IPv6 is refused before anything is sent: the ASA command reference documents <c>shun</c>
/// for a source IP address and its examples are IPv4 only.
/// </summary>
public sealed partial class CiscoAsaDriver(SshSessionPool sessions) : IFirewallDriver
{
    public const string DriverName = "cisco-asa";

    public bool NativeExpiry => false;

    public Task BlockAsync(DeviceDefinition device, IReadOnlyList<BlockRequest> blocks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return ChangeAsync(device, [.. blocks.Select(b => b.Address)], shun: true, cancellationToken);
    }

    public Task UnblockAsync(DeviceDefinition device, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return ChangeAsync(device, addresses, shun: false, cancellationToken);
    }

    public Task<IReadOnlyList<FirewallBlock>> ListAsync(DeviceDefinition device, CancellationToken cancellationToken) =>
        OnDeviceAsync(device, async cli =>
            (IReadOnlyList<FirewallBlock>)[.. ParseShowShun(await cli.RunAsync("show shun", cancellationToken).ConfigureAwait(false)).Select(a => new FirewallBlock(a, null))],
            cancellationToken);

    /// <summary>
    /// The shunned source addresses in <c>show shun</c> output, each once: <c>shun (outside) 10.1.1.27 10.2.2.89 555 666 6</c>
    /// (ASA: interface, source, destination, ports, protocol — a shun on several interfaces is listed once per interface)
    /// and <c>Shun 192.168.1.10 0.0.0.0 0 0</c> (PIX layout). Anything else is not a shun.
    /// </summary>
    public static IReadOnlyList<IPAddress> ParseShowShun(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return [.. output.Split('\n')
            .Select(line => ShunLine().Match(line.Trim()))
            .Where(m => m.Success && IPAddress.TryParse(m.Groups["source"].Value, out _))
            .Select(m => IPAddress.Parse(m.Groups["source"].Value))
            .Distinct()];
    }

    private async Task ChangeAsync(DeviceDefinition device, IReadOnlyList<IPAddress> addresses, bool shun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (addresses.FirstOrDefault(a => a.AddressFamily != AddressFamily.InterNetwork) is { } v6)
        {
            throw new FirewallException($"{device.Name}: {v6} is not an IPv4 address; the cisco-asa driver shuns IPv4 addresses only (the ASA documents shun for IPv4 sources) — block it on another firewall of the inventory");
        }

        await OnDeviceAsync(device, async cli =>
        {
            var shunned = ParseShowShun(await cli.RunAsync("show shun", cancellationToken).ConfigureAwait(false)).ToHashSet();
            foreach (var address in addresses.Distinct().Where(a => shunned.Contains(a) != shun))
            {
                // IPAddress.ToString of an IPv4 address is its dotted quad: the only text typed besides the keywords.
                await cli.RunAsync(shun ? $"shun {address}" : $"no shun {address}", cancellationToken).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    // One session per device, held for all commands of the call; the CLI's errors (which already name the device) become firewall errors.
    private async Task<T> OnDeviceAsync<T>(DeviceDefinition device, Func<CliSession, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        try
        {
            var cli = sessions.GetCli(SshTarget.FromDevice(device), CliDialect.CiscoAsa);
            return await cli.ExclusiveAsync(() => work(cli), cancellationToken).ConfigureAwait(false);
        }
        catch (SshSwitchException e)
        {
            throw new FirewallException(e.Message, e);
        }
    }

    [GeneratedRegex(@"^shun\s+(\([^)\s]+\)\s+)?(?<source>\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(\s|$)", RegexOptions.IgnoreCase)]
    private static partial Regex ShunLine();
}
