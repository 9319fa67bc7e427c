using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls;

/// <summary>
/// Sends blocks and unblocks to each firewall in batches: one loop per device takes everything queued while the
/// previous batch was on the wire, sends it in one driver call, lists the device once to verify every address,
/// and answers each caller. A burst of 1,000 blocks becomes a handful of device round trips; one request alone
/// goes out at once. Requests for one device are never sent concurrently.
/// </summary>
public sealed class FirewallBatcher : IAsyncDisposable
{
    /// <summary>The most addresses sent in one driver call.</summary>
    public const int MaxBatch = 500;

    private readonly IReadOnlyDictionary<string, IFirewallDriver> _drivers;
    private readonly ConcurrentDictionary<string, Lazy<DeviceQueue>> _queues = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public FirewallBatcher(IReadOnlyDictionary<string, IFirewallDriver> drivers) => _drivers = drivers ?? throw new ArgumentNullException(nameof(drivers));

    /// <summary>Batches sent since start (for tests and metrics).</summary>
    public int Batches => _queues.Values.Sum(q => q.Value.Batches);

    /// <summary>Blocks <paramref name="request"/>'s address on <paramref name="device"/> and returns once the device lists it.</summary>
    public Task BlockAsync(DeviceDefinition device, BlockRequest request, CancellationToken cancellationToken) =>
        EnqueueAsync(device, new Pending(request, Block: true), cancellationToken);

    /// <summary>Removes the block of <paramref name="address"/> and returns once the device no longer lists it.</summary>
    public Task UnblockAsync(DeviceDefinition device, IPAddress address, CancellationToken cancellationToken) =>
        EnqueueAsync(device, new Pending(new BlockRequest(address, null), Block: false), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var queue in _queues.Values.Select(q => q.Value))
        {
            queue.Requests.Writer.TryComplete();
            await queue.Loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task EnqueueAsync(DeviceDefinition device, Pending pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!_drivers.TryGetValue(device.Driver, out var driver))
        {
            throw new FirewallException($"{device.Name}: no firewall driver '{device.Driver}' in this build ({string.Join(", ", _drivers.Keys)})");
        }

        // Lazy: two callers racing on a new device must not start two loops.
        var queue = _queues.GetOrAdd(device.Name, _ => new Lazy<DeviceQueue>(() => new DeviceQueue(this))).Value;
        pending.Device = device;
        pending.Driver = driver;
        await queue.Requests.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(DeviceQueue queue)
    {
        var reader = queue.Requests.Reader;
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                queue.Batches++;
                await SendAsync(batch).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            while (reader.TryRead(out var left))
            {
                left.Done.TrySetCanceled(_stopping.Token);
            }
        }
    }

    // Blocks and unblocks of one batch go out in arrival order, a run of each kind per driver call.
    private async Task SendAsync(List<Pending> batch)
    {
        var start = 0;
        while (start < batch.Count)
        {
            var end = start;
            while (end < batch.Count && batch[end].Block == batch[start].Block)
            {
                end++;
            }

            await SendRunAsync(batch[start..end]).ConfigureAwait(false);
            start = end;
        }
    }

    private async Task SendRunAsync(List<Pending> run)
    {
        var device = run[^1].Device!;
        var driver = run[^1].Driver!;
        try
        {
            if (run[0].Block)
            {
                await driver.BlockAsync(device, [.. run.Select(p => p.Request)], _stopping.Token).ConfigureAwait(false);
            }
            else
            {
                await driver.UnblockAsync(device, [.. run.Select(p => p.Request.Address)], _stopping.Token).ConfigureAwait(false);
            }

            var listed = (await driver.ListAsync(device, _stopping.Token).ConfigureAwait(false)).Select(b => b.Address).ToHashSet();
            foreach (var pending in run)
            {
                if (listed.Contains(pending.Request.Address) == pending.Block)
                {
                    pending.Done.TrySetResult();
                }
                else
                {
                    pending.Done.TrySetException(new FirewallException(pending.Block
                        ? $"{device.Name}: {pending.Request.Address} was blocked but the device does not list it"
                        : $"{device.Name}: {pending.Request.Address} was unblocked but the device still lists it"));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            var error = ex as FirewallException ?? new FirewallException($"{device.Name}: {ex.Message}", ex);
            foreach (var pending in run)
            {
                pending.Done.TrySetException(error);
            }
        }
    }

    private sealed record Pending(BlockRequest Request, bool Block)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DeviceDefinition? Device { get; set; }

        public IFirewallDriver? Driver { get; set; }
    }

    private sealed class DeviceQueue
    {
        public DeviceQueue(FirewallBatcher owner)
        {
            Loop = Task.Run(() => owner.RunAsync(this));
        }

        public Channel<Pending> Requests { get; } = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

        public Task Loop { get; }

        public int Batches { get; set; }
    }
}
