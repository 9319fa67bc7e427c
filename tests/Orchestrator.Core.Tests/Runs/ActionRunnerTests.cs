using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Events;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Tests.Runs;

public sealed class ActionRunnerTests
{
    private static readonly IReadOnlyDictionary<string, object?> NoWindow = new Dictionary<string, object?>();

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryRunJournal _journal = new();
    private readonly RecordingNotifier _notifier = new();
    private readonly Dictionary<string, IActionConnector> _connectors = new(StringComparer.Ordinal);
    private ProtectedAssets _protected = ProtectedAssets.None;

    [Fact]
    public async Task StartAsync_AllStepsSucceed_LaterStepSeesEarlierOutputs()
    {
        _connectors["locate"] = new ScriptedStep(_ => StepResult.Success(new Dictionary<string, object?> { ["port"] = "Gi1/0/7" }));
        var block = new ScriptedStep(_ => StepResult.Success());
        _connectors["shut"] = block;
        var plan = Plan(
            Step("locate", "locate"),
            Step("shut", "shut", view => Params(("port", view.Steps["locate"]["port"]))));

        var run = await Runner().StartAsync(plan, Event(), NoWindow, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("Gi1/0/7", Assert.Single(block.Calls).Parameters["port"]);
        Assert.All(run.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
    }

    [Fact]
    public async Task StartAsync_StepFailsThenSucceeds_RetriedWithTheSameIdempotencyKey()
    {
        var flaky = new ScriptedStep(c => c.Attempt < 3 ? StepResult.Failed("device busy") : StepResult.Success());
        _connectors["flaky"] = flaky;
        var plan = Plan(Step("f", "flaky") with { Retry = new RetryPolicy(3, TimeSpan.Zero, TimeSpan.Zero) });

        var run = await Runner().StartAsync(plan, Event(), NoWindow, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal([1, 2, 3], flaky.Calls.Select(c => c.Attempt));
        Assert.Single(flaky.Calls.Select(c => c.IdempotencyKey).Distinct());
        Assert.Equal(3, run.Steps[0].Attempts);
    }

    [Fact]
    public async Task StartAsync_StepKeepsFailing_OnFailureRunsAndRunFails()
    {
        _connectors["broken"] = new ScriptedStep(_ => StepResult.Failed("connection refused"));
        var pager = new ScriptedStep(_ => StepResult.Success());
        _connectors["page"] = pager;
        var after = new ScriptedStep(_ => StepResult.Success());
        _connectors["after"] = after;
        var plan = Plan(Step("b", "broken") with { Retry = new RetryPolicy(2, TimeSpan.Zero, TimeSpan.Zero) }, Step("a", "after")) with
        {
            OnFailure = [Step("p", "page")],
        };

        var run = await Runner().StartAsync(plan, Event(), NoWindow, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("step 'b' failed: connection refused", run.Error);
        Assert.Single(pager.Calls);
        Assert.Empty(after.Calls);
        Assert.Equal(StepPhase.OnFailure, run.Steps.Single(s => s.Id == "p").Phase);
    }

    [Fact]
    public async Task StartAsync_ContinueOnError_RunGoesOnAndSucceeds()
    {
        _connectors["broken"] = new ScriptedStep(_ => StepResult.Failed("no route"));
        var next = new ScriptedStep(_ => StepResult.Success());
        _connectors["next"] = next;
        var plan = Plan(Step("b", "broken") with { ContinueOnError = true }, Step("n", "next"));

        var run = await Runner().StartAsync(plan, Event(), NoWindow, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(StepStatus.Failed, run.Steps[0].Status);
        Assert.Single(next.Calls);
    }

    [Fact]
    public async Task StartAsync_StepOutlivesItsTimeout_FailsWithTheTimeout()
    {
        _connectors["hang"] = new HangingStep();
        var plan = Plan(Step("h", "hang") with { Timeout = TimeSpan.FromSeconds(5) });

        var running = Runner().StartAsync(plan, Event(), NoWindow, CancellationToken.None);
        while (!running.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        var run = await running;
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("timed out after 5 s", run.Steps[0].Error);
    }

    [Fact]
    public async Task StartAsync_IfIsFalse_StepSkipped()
    {
        var step = new ScriptedStep(_ => StepResult.Success());
        _connectors["s"] = step;
        var plan = Plan(Step("s", "s") with { If = view => view.Event!.SourceIp is not null });

        var run = await Runner().StartAsync(plan, Event(source: null), NoWindow, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(StepStatus.Skipped, run.Steps[0].Status);
        Assert.Empty(step.Calls);
    }

    [Fact]
    public async Task ResolveApprovalAsync_Approved_RunContinuesAfterTheApproveStep()
    {
        var after = new ScriptedStep(_ => StepResult.Success());
        _connectors["after"] = after;
        var plan = Plan(Approve("ok", TimeSpan.FromMinutes(15), ApprovalDefault.Abort), Step("a", "after"));
        var runner = Runner();

        var waiting = await runner.StartAsync(plan, Event(), NoWindow, CancellationToken.None);
        Assert.Equal(RunStatus.WaitingApproval, waiting.Status);
        Assert.Empty(after.Calls);
        Assert.Contains(_notifier.Sent, n => n.Title.StartsWith("Approval needed", StringComparison.Ordinal));

        var run = await runner.ResolveApprovalAsync(waiting, plan, approved: true, "alice", CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("alice", run.Steps[0].DecidedBy);
        Assert.Single(after.Calls);
    }

    [Fact]
    public async Task ResolveApprovalAsync_Denied_RunAbortedAndLaterStepsNeverRun()
    {
        var after = new ScriptedStep(_ => StepResult.Success());
        _connectors["after"] = after;
        var plan = Plan(Approve("ok", TimeSpan.FromMinutes(15), ApprovalDefault.Proceed), Step("a", "after"));
        var runner = Runner();
        var waiting = await runner.StartAsync(plan, Event(), NoWindow, CancellationToken.None);

        var run = await runner.ResolveApprovalAsync(waiting, plan, approved: false, "bob", CancellationToken.None);

        Assert.Equal(RunStatus.Aborted, run.Status);
        Assert.Equal("step 'ok' denied by bob", run.Error);
        Assert.Empty(after.Calls);
    }

    [Theory]
    [InlineData(ApprovalDefault.Proceed, RunStatus.Succeeded, 1)]
    [InlineData(ApprovalDefault.Abort, RunStatus.Aborted, 0)]
    public async Task ExpireApprovalAsync_DeadlinePassed_DefaultApplies(ApprovalDefault fallback, RunStatus expected, int afterCalls)
    {
        var after = new ScriptedStep(_ => StepResult.Success());
        _connectors["after"] = after;
        var plan = Plan(Approve("ok", TimeSpan.FromMinutes(15), fallback), Step("a", "after"));
        var runner = Runner();
        var waiting = await runner.StartAsync(plan, Event(), NoWindow, CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(RunStatus.WaitingApproval, (await runner.ExpireApprovalAsync(waiting, plan, CancellationToken.None)).Status);
        _time.Advance(TimeSpan.FromMinutes(1));
        var run = await runner.ExpireApprovalAsync(waiting, plan, CancellationToken.None);

        Assert.Equal(expected, run.Status);
        Assert.Equal("timeout", run.Steps[0].DecidedBy);
        Assert.Equal(afterCalls, after.Calls.Count);
    }

    [Fact]
    public async Task StartAsync_ContainmentOfProtectedNetwork_RefusedNotifiedAndNeverExecuted()
    {
        _protected = new ProtectedAssets([], [IPNetwork.Parse("10.0.0.0/24")], []);
        var block = new BlockStep();
        _connectors["firewall.block"] = block;
        var plan = Plan(Step("block", "firewall.block", _ => Params(("ip", "10.0.0.5"))));

        var run = await Runner().StartAsync(plan, Event(), NoWindow, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("refused: 10.0.0.5 is in the protected network 10.0.0.0/24", run.Steps[0].Error);
        Assert.Empty(block.Calls);
        Assert.Contains(_notifier.Sent, n => n.Severity == NotificationSeverity.Critical && n.Text.Contains("10.0.0.5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_SixthContainmentInTenMinutes_HeldForApprovalThenRunsWhenApproved()
    {
        var block = new BlockStep();
        _connectors["firewall.block"] = block;
        var runner = Runner();
        for (var i = 1; i <= 5; i++)
        {
            var done = await runner.StartAsync(Plan(Step("block", "firewall.block", _ => Params(("ip", $"192.0.2.{i}")))), Event(), NoWindow, CancellationToken.None);
            Assert.Equal(RunStatus.Succeeded, done.Status);
        }

        var plan = Plan(Step("block", "firewall.block", _ => Params(("ip", "192.0.2.6"))));
        var held = await runner.StartAsync(plan, Event(), NoWindow, CancellationToken.None);

        Assert.Equal(RunStatus.WaitingApproval, held.Status);
        Assert.Equal(5, block.Calls.Count);
        Assert.Contains(_notifier.Sent, n => n.Title.StartsWith("Containment held", StringComparison.Ordinal) && n.Text.Contains("limit 5", StringComparison.Ordinal));

        var run = await runner.ResolveApprovalAsync(held, plan, approved: true, "carol", CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(6, block.Calls.Count);
    }

    [Fact]
    public async Task StartAsync_DryRunPlaybook_ConnectorToldToSimulateAndBreakerNotCounted()
    {
        var block = new BlockStep();
        _connectors["firewall.block"] = block;
        var runner = Runner();

        for (var i = 1; i <= 8; i++)
        {
            var run = await runner.StartAsync(Plan(Step("block", "firewall.block", _ => Params(("ip", $"192.0.2.{i}")))) with { DryRun = true }, Event(), NoWindow, CancellationToken.None);
            Assert.Equal(RunStatus.Succeeded, run.Status);
        }

        Assert.Equal(8, block.Calls.Count);
        Assert.All(block.Calls, c => Assert.True(c.DryRun));
    }

    [Fact]
    public async Task ContinueAsync_AfterCrashInSecondStep_FirstStepNotRepeatedSecondRepeatedWithSameKey()
    {
        var first = new ScriptedStep(_ => StepResult.Success(new Dictionary<string, object?> { ["mac"] = "00:11:22:33:44:55" }));
        var second = new ScriptedStep(_ => StepResult.Success());
        _connectors["first"] = first;
        _connectors["second"] = second;
        var plan = Plan(Step("one", "first"), Step("two", "second"));
        var crashed = new RunRecord("run-1", "p", dryRun: false, _time.GetUtcNow()) { Event = Event() };
        var done = crashed.Step("one", "first", StepPhase.Main);
        done.Status = StepStatus.Succeeded;
        done.Outputs = new Dictionary<string, object?> { ["mac"] = "00:11:22:33:44:55" };
        var interrupted = crashed.Step("two", "second", StepPhase.Main);
        interrupted.Status = StepStatus.Running;
        interrupted.Attempts = 1;

        var run = await Runner().ContinueAsync(crashed, plan, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Empty(first.Calls);
        var call = Assert.Single(second.Calls);
        Assert.Equal("run-1/steps/two", call.IdempotencyKey);
        Assert.Equal(1, call.Attempt);
    }

    [Fact]
    public async Task StartAsync_TwoRunsOnTheSameDevice_StepsOnThatDeviceNeverOverlap()
    {
        var device = new GatedStep();
        _connectors["switch.shutdown"] = device;
        var runner = Runner();
        var plan = Plan(Step("shut", "switch.shutdown", _ => Params(("device", "sw1"))));

        var first = runner.StartAsync(plan, Event(), NoWindow, CancellationToken.None);
        var second = runner.StartAsync(plan, Event(), NoWindow, CancellationToken.None);
        await device.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, device.Running);
        device.Release.Release(2);
        await Task.WhenAll(first, second);

        Assert.Equal(1, device.MaxRunning);
        Assert.Equal(2, device.Calls);
    }

    [Fact]
    public void BackoffBefore_GrowsExponentiallyUpToTheCapWithJitter()
    {
        var retry = new RetryPolicy(6, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(1), retry.BackoffBefore(2, jitter: 1));
        Assert.Equal(TimeSpan.FromSeconds(4), retry.BackoffBefore(4, jitter: 1));
        Assert.Equal(TimeSpan.FromSeconds(10), retry.BackoffBefore(6, jitter: 1));
        Assert.Equal(TimeSpan.FromSeconds(2), retry.BackoffBefore(4, jitter: 0));
    }

    private ActionRunner Runner() => new(
        _connectors,
        _journal,
        _notifier,
        () => _protected,
        new BlastRadiusBreaker(BlastRadiusLimits.Default, _time),
        new RunnerOptions(),
        _time,
        () => 0.5,
        NullLogger<ActionRunner>.Instance);

    private static RunPlan Plan(params PlannedStep[] steps) => new("share-worm-source", steps, [], DryRun: false);

    private static PlannedStep Step(string id, string type, Func<RunView, IReadOnlyDictionary<string, object?>>? render = null) =>
        new(id, type, render ?? (_ => Params()));

    private static PlannedStep Approve(string id, TimeSpan timeout, ApprovalDefault fallback) =>
        new(id, "approve", _ => Params()) { Approval = new ApprovalPolicy(timeout, fallback, null) };

    private static Dictionary<string, object?> Params(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

    private static SecurityEvent Event(string? source = "10.9.8.7") => new()
    {
        Id = 42,
        Kind = EventKinds.InfectionTraced,
        HostName = "WS-0042",
        SourceIp = source is null ? null : IPAddress.Parse(source),
    };

    private sealed class ScriptedStep(Func<StepContext, StepResult> behaviour) : IActionConnector
    {
        public List<StepContext> Calls { get; } = [];

        public ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            Calls.Add(context);
            return ValueTask.FromResult(behaviour(context));
        }
    }

    private sealed class BlockStep : IContainmentConnector
    {
        public List<StepContext> Calls { get; } = [];

        public ContainmentTargets TargetsOf(IReadOnlyDictionary<string, object?> parameters) =>
            new([IPAddress.Parse((string)parameters["ip"]!)], [], []);

        public ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            Calls.Add(context);
            return ValueTask.FromResult(StepResult.Success());
        }
    }

    private sealed class GatedStep : IActionConnector
    {
        private int _running;
        private int _maxRunning;
        private int _calls;

        public SemaphoreSlim Entered { get; } = new(0);

        public SemaphoreSlim Release { get; } = new(0);

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        public int Calls => Volatile.Read(ref _calls);

        public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            Interlocked.Increment(ref _calls);
            InterlockedMax(ref _maxRunning, now);
            Entered.Release();
            await Release.WaitAsync(cancellationToken);
            Interlocked.Decrement(ref _running);
            return StepResult.Success();
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    private sealed class HangingStep : IActionConnector
    {
        public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return StepResult.Success();
        }
    }

    private sealed class RecordingNotifier : INotifier
    {
        public List<Notification> Sent { get; } = [];

        public ValueTask NotifyAsync(Notification notification, CancellationToken cancellationToken)
        {
            Sent.Add(notification);
            return ValueTask.CompletedTask;
        }
    }
}
