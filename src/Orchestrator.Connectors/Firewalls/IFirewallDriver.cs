using System.Net;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls;

/// <summary>One address to block on a firewall, for how long (null: until released), with a note the device may keep.</summary>
/// <param name="Address">The address (IPv4 or IPv6), already parsed and validated.</param>
/// <param name="Duration">How long the device should keep it when it expires blocks itself; null for no expiry.</param>
/// <param name="Comment">A short note for the device (the containment id), when the device keeps one; drivers make it safe or drop it.</param>
public sealed record BlockRequest(IPAddress Address, TimeSpan? Duration, string? Comment = null);

/// <summary>An address a firewall blocks now, and when the device itself will drop it (null: it will not, or it does not say).</summary>
public sealed record FirewallBlock(IPAddress Address, TimeSpan? Remaining);

/// <summary>
/// One way of blocking addresses on a firewall (nftables or ipset over SSH, Cisco ASA shun, Palo Alto User-ID tags,
/// FortiGate banned IPs, OPNsense aliases, MikroTik address lists). Every call is idempotent: blocking a blocked
/// address refreshes its expiry and never adds a second entry; unblocking an address that is not blocked is no error.
/// A driver sends a batch in as few device round trips as the device allows.
/// </summary>
public interface IFirewallDriver
{
    /// <summary>Whether the device expires blocks itself (then <see cref="BlockRequest.Duration"/> is sent to it); when false, the ledger's expiry removes them.</summary>
    bool NativeExpiry { get; }

    /// <summary>Blocks every address of <paramref name="blocks"/>; throws naming the device and what it answered when it refuses.</summary>
    Task BlockAsync(DeviceDefinition device, IReadOnlyList<BlockRequest> blocks, CancellationToken cancellationToken);

    /// <summary>Removes the blocks of <paramref name="addresses"/>; an address that is not blocked is skipped.</summary>
    Task UnblockAsync(DeviceDefinition device, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken);

    /// <summary>Every address the device blocks now (in the set, list, tag or alias the driver manages), to verify a change and to reconcile.</summary>
    Task<IReadOnlyList<FirewallBlock>> ListAsync(DeviceDefinition device, CancellationToken cancellationToken);
}
