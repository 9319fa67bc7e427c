using System.Net;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Tests.Containment;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Tests.Firewalls;

/// <summary>
/// <c>firewall.block</c> and <c>firewall.unblock</c> over an in-memory firewall: the ledger before the device, one record
/// per address and device, expiries scheduled and moved, repeat offenders blocked longer, bursts batched, and a device
/// that does not confirm a block is a failure.
/// </summary>
public sealed class FirewallStepsTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-24T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly MemoryLedger _ledger = new();
    private readonly FakeFirewall _firewall = new();
    private readonly RecordingExpiry _expiry = new();
    private readonly FirewallBatcher _batcher;

    public FirewallStepsTests() => _batcher = new FirewallBatcher(Drivers);

    private Dictionary<string, IFirewallDriver> Drivers => new() { ["fake"] = _firewall };

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    [Fact]
    public async Task Block_RecordsVerifiesAndSchedulesTheExpiry_TheDeviceGetsItsOwnTimeout()
    {
        var result = await Block("run-1", "10.1.2.3");

        Assert.True(result.Succeeded, result.Error);
        var record = Assert.Single(_ledger.All);
        Assert.Equal((ContainmentStatus.Active, "10.1.2.3", "fw1", "playbook p", "2026-11-24T10:00:00.0000000Z"), (record.Status, record.Ip, record.Device, record.CreatedBy, result.Outputs["expires_at"]));
        Assert.Equal(TimeSpan.FromHours(1), _firewall.Blocked[IPAddress.Parse("10.1.2.3")]);
        Assert.Equal(record.ExpiresAt, _expiry.Scheduled[record.Id]);
        Assert.Equal(0, result.Outputs["earlier_blocks"]);
    }

    [Fact]
    public async Task BlockingABlockedAddress_KeepsOneRecord_AndTakesTheLaterExpiry()
    {
        await Block("run-1", "10.1.2.3");
        var shorter = await Block("run-2", "10.1.2.3", "30m");
        var longer = await Block("run-3", "10.1.2.3", "4h");

        var record = Assert.Single(_ledger.All);
        Assert.Equal((true, false), (shorter.Outputs["already_done"], shorter.Outputs["refreshed"]));
        Assert.Equal((true, true), (longer.Outputs["already_done"], longer.Outputs["refreshed"]));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(4), record.ExpiresAt);
        Assert.Equal(record.ExpiresAt, _expiry.Scheduled[record.Id]);
        Assert.Single(_firewall.Blocked);
        Assert.Equal(TimeSpan.FromHours(4), _firewall.Blocked[IPAddress.Parse("10.1.2.3")]);
    }

    [Fact]
    public async Task RepeatOffender_IsBlockedTwiceAsLongEachTime_UpToTheCap()
    {
        var durations = new List<object?>();
        for (var i = 0; i < 4; i++)
        {
            var blocked = await Block($"run-{i}", "10.9.9.9");
            durations.Add(blocked.Outputs["expires_at"]);
            var released = await Unblock($"release-{i}", new() { ["ip"] = "10.9.9.9" });
            Assert.True(released.Succeeded, released.Error);
        }

        Assert.Equal(
            ["2026-11-24T10:00:00.0000000Z", "2026-11-24T11:00:00.0000000Z", "2026-11-24T13:00:00.0000000Z", "2026-11-24T15:00:00.0000000Z"],
            durations);
    }

    [Fact]
    public async Task ABurst_GoesToTheDeviceInFewBatches_AndEveryBlockIsRecordedOnce()
    {
        var results = await Task.WhenAll(Enumerable.Range(1, 300).Select(i => Block($"run-{i}", $"10.7.{i / 256}.{i % 256}").AsTask()));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        Assert.Equal(300, _ledger.All.Count(r => r.Status == ContainmentStatus.Active));
        Assert.Equal(300, _firewall.Blocked.Count);
        Assert.InRange(_firewall.BlockCalls, 1, 30);
    }

    [Fact]
    public async Task ADeviceThatDoesNotListTheBlock_FailsTheStep_AndTheRecordSaysWhy()
    {
        _firewall.Forget = true;

        var result = await Block("run-1", "10.1.2.3");

        Assert.False(result.Succeeded);
        Assert.Equal("fw1: 10.1.2.3 was blocked but the device does not list it", result.Error);
        var record = Assert.Single(_ledger.All);
        Assert.Equal((ContainmentStatus.Failed, result.Error), (record.Status, record.Error));
        Assert.Empty(_expiry.Scheduled);
    }

    [Fact]
    public async Task Retry_AfterADeviceError_ContinuesItsOwnRecord()
    {
        _firewall.FailNext = "connection refused";
        var failed = await Block("run-1", "10.1.2.3");
        var retried = await Block("run-1", "10.1.2.3");

        Assert.Equal("fw1: connection refused", failed.Error);
        Assert.True(retried.Succeeded, retried.Error);
        var record = Assert.Single(_ledger.All);
        Assert.Equal((ContainmentStatus.Active, (object?)record.Id), (record.Status, retried.Outputs["containment_id"]));
    }

    [Fact]
    public async Task Unblock_ReleasedCancelsTheExpiry_ExpiredKeepsTheOutcome()
    {
        var one = (string)(await Block("run-1", "10.1.2.3")).Outputs["containment_id"]!;
        var two = (string)(await Block("run-2", "10.1.2.4")).Outputs["containment_id"]!;

        await Unblock("r-1", new() { ["containment"] = one });
        await Unblock("r-2", new() { ["containment"] = two, ["outcome"] = "expired" });

        Assert.Empty(_firewall.Blocked);
        Assert.Equal((ContainmentStatus.Released, ContainmentStatus.Expired), ((await _ledger.GetAsync(one, default))!.Status, (await _ledger.GetAsync(two, default))!.Status));
        Assert.Equal([two], _expiry.Scheduled.Keys);
    }

    [Fact]
    public async Task BadInput_AndAmbiguousDevices_FailSayingWhy()
    {
        Assert.Equal("ip: 'PC-1' is not an IP address", (await Block("run-1", "PC-1")).Error);
        Assert.Equal("for: 'soon' is not a positive duration (e.g. 30m, 2h, 7d)", (await Block("run-2", "10.1.2.3", "soon")).Error);
        var two = TestInventory.Of(Device("fw1"), Device("fw2"));
        var step = new FirewallBlockStep(() => two, _batcher, Drivers, _ledger, _expiry, Options, _time);
        Assert.Equal("the inventory has 2 firewalls: say which with device:", (await step.ExecuteAsync(Context("run-3", new() { ["ip"] = "10.1.2.3" }), default)).Error);
        Assert.Equal("no device 'fw9' in the inventory", (await step.ExecuteAsync(Context("run-4", new() { ["ip"] = "10.1.2.3", ["device"] = "fw9" }), default)).Error);
        Assert.Equal([IPAddress.Parse("10.1.2.3")], step.TargetsOf(new Dictionary<string, object?> { ["ip"] = "10.1.2.3" }).Ips);
    }

    private static FirewallBlockOptions Options { get; } = new()
    {
        DefaultDuration = TimeSpan.FromHours(1),
        Repeat = new RepeatOffenders(2, TimeSpan.FromHours(6), TimeSpan.FromDays(30)),
    };

    private static Inventory Single { get; } = TestInventory.Of(Device("fw1"));

    private ValueTask<StepResult> Block(string run, string ip, string? duration = null)
    {
        var parameters = new Dictionary<string, object?> { ["ip"] = ip };
        if (duration is not null)
        {
            parameters["for"] = duration;
        }

        return new FirewallBlockStep(() => Single, _batcher, Drivers, _ledger, _expiry, Options, _time).ExecuteAsync(Context(run, parameters), default);
    }

    private ValueTask<StepResult> Unblock(string run, Dictionary<string, object?> parameters) =>
        new FirewallUnblockStep(() => Single, _batcher, _ledger, _expiry, _time).ExecuteAsync(Context(run, parameters) with { StepType = FirewallUnblockStep.Name }, default);

    private static StepContext Context(string run, Dictionary<string, object?> parameters) =>
        new(run, "p", "block", FirewallBlockStep.Name, parameters, $"{run}/steps/block", 1, false, null);

    private static DeviceDefinition Device(string name) => TestInventory.Device(name, DeviceKind.Firewall);

    /// <summary>A firewall in memory with native expiry: the set of blocked addresses and the timeout each was given.</summary>
    private sealed class FakeFirewall : IFirewallDriver
    {
        private readonly Lock _gate = new();

        public Dictionary<IPAddress, TimeSpan?> Blocked { get; } = [];

        public int BlockCalls { get; private set; }

        public string? FailNext { get; set; }

        public bool Forget { get; set; }

        public bool NativeExpiry => true;

        public async Task BlockAsync(DeviceDefinition device, IReadOnlyList<BlockRequest> blocks, CancellationToken cancellationToken)
        {
            await Task.Delay(5, cancellationToken);
            lock (_gate)
            {
                BlockCalls++;
                if (FailNext is { } error)
                {
                    FailNext = null;
                    throw new FirewallException($"{device.Name}: {error}");
                }

                foreach (var block in blocks.Where(_ => !Forget))
                {
                    Blocked[block.Address] = block.Duration;
                }
            }
        }

        public Task UnblockAsync(DeviceDefinition device, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                foreach (var address in addresses)
                {
                    Blocked.Remove(address);
                }
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<FirewallBlock>> ListAsync(DeviceDefinition device, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                return Task.FromResult<IReadOnlyList<FirewallBlock>>([.. Blocked.Select(b => new FirewallBlock(b.Key, b.Value))]);
            }
        }
    }
}
