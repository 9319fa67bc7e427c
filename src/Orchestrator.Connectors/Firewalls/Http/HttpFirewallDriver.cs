using System.Net;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls.Http;

/// <summary>
/// What every HTTP driver does before its vendor's part: reads the batch once per address (the last request for an
/// address wins), skips an empty batch without touching the device, and reaches the device through
/// <see cref="FirewallHttp"/> (options checked, credentials resolved, TLS trust set).
/// </summary>
public abstract class HttpFirewallDriver(FirewallHttp http) : IFirewallDriver
{
    public abstract bool NativeExpiry { get; }

    /// <summary>The clock remaining times are measured on.</summary>
    protected TimeProvider Time => http.Time;

    public Task BlockAsync(DeviceDefinition device, IReadOnlyList<BlockRequest> blocks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var latest = new Dictionary<IPAddress, BlockRequest>();
        foreach (var block in blocks)
        {
            latest[block.Address] = block;
        }

        return latest.Count == 0 ? Task.CompletedTask : BlockAsync(http.Endpoint(device), [.. latest.Values], cancellationToken);
    }

    public Task UnblockAsync(DeviceDefinition device, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        List<IPAddress> distinct = [.. addresses.Distinct()];
        return distinct.Count == 0 ? Task.CompletedTask : UnblockAsync(http.Endpoint(device), distinct, cancellationToken);
    }

    public Task<IReadOnlyList<FirewallBlock>> ListAsync(DeviceDefinition device, CancellationToken cancellationToken) =>
        ListAsync(http.Endpoint(device), cancellationToken);

    /// <summary>Blocks a non-empty batch with each address once.</summary>
    private protected abstract Task BlockAsync(FirewallEndpoint endpoint, List<BlockRequest> blocks, CancellationToken cancellationToken);

    /// <summary>Unblocks a non-empty list of distinct addresses.</summary>
    private protected abstract Task UnblockAsync(FirewallEndpoint endpoint, List<IPAddress> addresses, CancellationToken cancellationToken);

    private protected abstract Task<IReadOnlyList<FirewallBlock>> ListAsync(FirewallEndpoint endpoint, CancellationToken cancellationToken);
}
