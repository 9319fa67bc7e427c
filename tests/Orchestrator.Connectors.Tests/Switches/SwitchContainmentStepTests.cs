using Orchestrator.Connectors.Switches;
using Orchestrator.Connectors.Tests.Containment;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Tests.Switches;

/// <summary>
/// A switch containment that is retried or resumed continues the record it began: the same id, and the state
/// captured before its first change — never the half-changed state a failed attempt left behind.
/// </summary>
public sealed class SwitchContainmentStepTests
{
    private const string Key = "run-1/steps/contain";
    private readonly MemoryLedger _ledger = new();
    private readonly FakeSwitch _switch = new();

    [Fact]
    public async Task Retry_AfterAFailedApply_KeepsTheRecordAndTheStateCapturedFirst()
    {
        _switch.FailNextApply = "timeout";
        var first = await Step().ExecuteAsync(Context(), CancellationToken.None);
        var failed = Assert.Single(await _ledger.ListAsync(activeOnly: false, 10, CancellationToken.None));

        _switch.State = "half-changed";
        var second = await Step().ExecuteAsync(Context(), CancellationToken.None);

        Assert.Equal((false, "sw1 ge1: timeout"), (first.Succeeded, first.Error));
        Assert.True(second.Succeeded, second.Error);
        var record = Assert.Single(await _ledger.ListAsync(activeOnly: false, 10, CancellationToken.None));
        Assert.Equal((failed.Id, ContainmentStatus.Active, "original", (string?)null), (record.Id, record.Status, record.ReplacedState, record.Error));
        Assert.Equal(failed.Id, second.Outputs["containment_id"]);
    }

    [Fact]
    public async Task Resume_OfAPendingRecord_AppliesAgainAndActivatesIt_ThenTheNextRetryIsAlreadyDone()
    {
        await _ledger.SaveAsync(new ContainmentRecord
        {
            Id = "pending-1", IdempotencyKey = Key, Target = "02:00:00:00:00:11", Device = "sw1", Driver = "fake", Action = SwitchContainmentStep.ShutdownName,
            Port = "ge1", PortIfIndex = 1, ReplacedState = "original", CreatedBy = "playbook p", CreatedAt = DateTimeOffset.UnixEpoch,
        }, CancellationToken.None);
        _switch.State = "changed-before-the-crash";

        var resumed = await Step().ExecuteAsync(Context(), CancellationToken.None);
        var again = await Step().ExecuteAsync(Context(), CancellationToken.None);

        Assert.True(resumed.Succeeded, resumed.Error);
        Assert.Equal(("pending-1", false), (resumed.Outputs["containment_id"], resumed.Outputs["already_done"]));
        Assert.Equal(("pending-1", true), (again.Outputs["containment_id"], again.Outputs["already_done"]));
        var record = await _ledger.GetAsync("pending-1", CancellationToken.None);
        Assert.Equal((ContainmentStatus.Active, "original"), (record!.Status, record.ReplacedState));
        Assert.Equal(1, _switch.Applies);
    }

    [Fact]
    public async Task ADriverWithoutDescriptions_ContainsWithoutAWarning_AndReleaseRestoresTheState()
    {
        _switch.State = "original";
        var contained = await Step().ExecuteAsync(Context(), CancellationToken.None);
        var released = await new SwitchReleaseStep(() => Inventory, Drivers, _ledger, TimeProvider.System)
            .ExecuteAsync(Context(new() { ["containment"] = contained.Outputs["containment_id"] }) with { StepType = SwitchReleaseStep.Name, IdempotencyKey = "run-2/steps/release" }, CancellationToken.None);

        Assert.Null(contained.Outputs["warning"]);
        Assert.True(released.Succeeded, released.Error);
        Assert.Equal("original", _switch.State);
        var record = await _ledger.GetAsync((string)contained.Outputs["containment_id"]!, CancellationToken.None);
        Assert.Equal((ContainmentStatus.Released, false), (record!.Status, record.DescriptionMarked));
    }

    [Fact]
    public async Task For_SetsTheEndAndSchedulesIt_AReleaseBeforeThenCancelsIt()
    {
        var expiry = new RecordingExpiry();
        var contained = await new SwitchContainmentStep(PortChange.Shutdown, () => Inventory, Drivers, _ledger, TimeProvider.System, expiry)
            .ExecuteAsync(Context(new() { ["target"] = "02:00:00:00:00:11", ["for"] = "4h" }), CancellationToken.None);
        var id = (string)contained.Outputs["containment_id"]!;
        var record = await _ledger.GetAsync(id, CancellationToken.None);

        Assert.InRange(record!.ExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromHours(3.9), TimeSpan.FromHours(4));
        Assert.Equal(record.ExpiresAt, expiry.Scheduled[id]);

        await new SwitchReleaseStep(() => Inventory, Drivers, _ledger, TimeProvider.System, expiry)
            .ExecuteAsync(Context(new() { ["containment"] = id }) with { StepType = SwitchReleaseStep.Name, IdempotencyKey = "run-2/steps/release" }, CancellationToken.None);
        Assert.Empty(expiry.Scheduled);
        var noScheduler = await Step().ExecuteAsync(Context(new() { ["target"] = "02:00:00:00:00:11", ["for"] = "4h" }) with { IdempotencyKey = "run-3/steps/contain" }, CancellationToken.None);
        Assert.Equal("for: this service schedules no expiries; release the containment by hand", noScheduler.Error);
    }

    private SwitchContainmentStep Step() => new(PortChange.Shutdown, () => Inventory, Drivers, _ledger, TimeProvider.System);

    private Dictionary<string, ISwitchDriver> Drivers => new() { ["fake"] = _switch };

    private static StepContext Context(Dictionary<string, object?>? parameters = null) =>
        new("run-1", "p", "contain", SwitchContainmentStep.ShutdownName, parameters ?? new() { ["target"] = "02:00:00:00:00:11" }, Key, 1, false, null);

    private static Inventory Inventory { get; } = TestInventory.Of(TestInventory.Device("sw1", DeviceKind.Switch));

    /// <summary>One switch, host 02:00:00:00:00:11 alone on ge1; its port state is one string; no descriptions.</summary>
    private sealed class FakeSwitch : ISwitchDriver
    {
        public string State { get; set; } = "original";

        public string? FailNextApply { get; set; }

        public int Applies { get; private set; }

        public Task<SwitchTables> ReadTablesAsync(DeviceDefinition device, CancellationToken cancellationToken) =>
            Task.FromResult(new SwitchTables(device.Name, [new SwitchPort(1, 1, PortName.TryParse("ge1", out var name) ? name : throw new InvalidOperationException())],
                [new FdbEntry(MacAddress.Parse("02:00:00:00:00:11"), 1, null)], [], [], DateTimeOffset.UnixEpoch));

        public Task<IReadOnlyList<ArpEntry>> ReadArpAsync(DeviceDefinition device, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ArpEntry>>([]);

        public Task<string> CaptureAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken) => Task.FromResult(State);

        public Task ApplyAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
        {
            if (FailNextApply is { } error)
            {
                FailNextApply = null;
                throw new InvalidOperationException(error);
            }

            Applies++;
            State = "shut";
            return Task.CompletedTask;
        }

        public Task RestoreAsync(DeviceDefinition device, string captured, CancellationToken cancellationToken)
        {
            State = captured;
            return Task.CompletedTask;
        }
    }
}
