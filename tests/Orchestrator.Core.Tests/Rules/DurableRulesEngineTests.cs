using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Events;
using Orchestrator.Core.Rules;
using static Orchestrator.Core.Tests.Rules.RuleEvents;

namespace Orchestrator.Core.Tests.Rules;

public sealed class DurableRulesEngineTests
{
    [Fact]
    public async Task RestoreAsync_AfterACrashMidStream_MakesExactlyTheDecisionsOfAnUninterruptedRun()
    {
        var events = Workload();
        var expected = Run(new RulesEngine([SourceRule(TimeSpan.FromHours(1))]), events)
            .Select(d => (d.GroupKey, d.Event.Id)).ToList();
        Assert.Equal(20, expected.Count);

        var store = new MemoryRuleStateStore();
        var log = new MemoryEventLog(events);
        var options = new DurableRulesEngineOptions { SaveEveryEvents = 7 };
        var first = new DurableRulesEngine(new RulesEngine([SourceRule(TimeSpan.FromHours(1))]), store, options, new FakeTimeProvider());
        foreach (var evt in events.Take(95))
        {
            await first.ProcessAsync(evt, CancellationToken.None);
        }

        // kill -9: the first engine is dropped without a flush; events since its last save are only in the event log.
        var second = new DurableRulesEngine(new RulesEngine([SourceRule(TimeSpan.FromHours(1))]), store, options, new FakeTimeProvider());
        await second.RestoreAsync(log.UpTo(95), CancellationToken.None);
        foreach (var evt in events.Skip(80))
        {
            await second.ProcessAsync(evt, CancellationToken.None);
        }

        await second.FlushAsync(CancellationToken.None);

        Assert.Equal(expected, store.Decisions.Select(d => (d.GroupKey, d.Event.Id)));
        Assert.Equal(events[^1].Id, store.Snapshot!.Checkpoint);
    }

    [Fact]
    public async Task ProcessAsync_Decision_IsRecordedBeforeItIsReturnedWithoutSavingTheSnapshot()
    {
        var store = new MemoryRuleStateStore();
        var engine = new DurableRulesEngine(new RulesEngine([SourceRule()]), store, new DurableRulesEngineOptions(), new FakeTimeProvider());

        await engine.ProcessAsync([Traced(1, 0, "10.0.0.5"), Traced(2, 1, "10.0.0.5")], CancellationToken.None);
        var decisions = await engine.ProcessAsync(Traced(3, 2, "10.0.0.5"), CancellationToken.None);

        Assert.Equal(decisions, store.Decisions);
        Assert.Null(store.Snapshot);
    }

    [Fact]
    public async Task RestoreAsync_CrashAfterADecisionBeforeTheSnapshot_RecordsItOnceAndHandsItOutAgain()
    {
        var events = new List<SecurityEvent> { Traced(1, 0, "10.0.0.5"), Traced(2, 1, "10.0.0.5"), Traced(3, 2, "10.0.0.5"), Traced(4, 3, "10.0.0.6") };
        var store = new MemoryRuleStateStore();
        var options = new DurableRulesEngineOptions { SaveEveryEvents = 2 };
        var first = new DurableRulesEngine(new RulesEngine([SourceRule(TimeSpan.FromHours(1))]), store, options, new FakeTimeProvider());
        await first.ProcessAsync(events[0], CancellationToken.None);
        await first.ProcessAsync(events[1], CancellationToken.None);
        var made = await first.ProcessAsync(events[2], CancellationToken.None);

        // kill -9 after the decision was recorded, before the next snapshot (checkpoint 2).
        var second = new DurableRulesEngine(new RulesEngine([SourceRule(TimeSpan.FromHours(1))]), store, options, new FakeTimeProvider());
        var replayed = await second.RestoreAsync(new MemoryEventLog(events), CancellationToken.None);

        Assert.Equal(made.Select(d => (d.GroupKey, d.Event.Id)), replayed.Select(d => (d.GroupKey, d.Event.Id)));
        Assert.Single(store.Decisions);
        Assert.Equal(4, store.Snapshot!.Checkpoint);
    }

    [Fact]
    public async Task ProcessAsync_QuietStream_SavesAfterTheIntervalOfWallTime()
    {
        var store = new MemoryRuleStateStore();
        var time = new FakeTimeProvider();
        var engine = new DurableRulesEngine(new RulesEngine([SourceRule()]), store, new DurableRulesEngineOptions { SaveEvery = TimeSpan.FromSeconds(5) }, time);

        await engine.ProcessAsync(Traced(1, 0, "10.0.0.5"), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(6));
        await engine.ProcessAsync(Traced(2, 1, "10.0.0.6"), CancellationToken.None);

        Assert.Equal(2, store.Snapshot!.Checkpoint);
    }

    /// <summary>20 attackers with 5 events each inside 4 minutes, interleaved with single-event sources.</summary>
    private static List<SecurityEvent> Workload()
    {
        var events = new List<SecurityEvent>();
        var id = 0;
        for (var second = 0; second < 300; second += 3)
        {
            var attacker = (second / 3) % 20;
            events.Add(Traced(++id, second, "10.9.0." + attacker));
            events.Add(Traced(++id, second + 1, "10.8." + (second / 256) + "." + (second % 256)));
        }

        return events;
    }

    private sealed class MemoryRuleStateStore : IRuleStateStore
    {
        public RuleStateSnapshot? Snapshot { get; private set; }

        private readonly HashSet<(string, string, long)> _keys = [];

        public List<RuleDecision> Decisions { get; } = [];

        public ValueTask<RuleStateSnapshot?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Snapshot);

        // Unique on (rule, group, event), as rule_decisions.
        public ValueTask RecordDecisionsAsync(IReadOnlyList<RuleDecision> decisions, CancellationToken cancellationToken)
        {
            Decisions.AddRange(decisions.Where(d => _keys.Add((d.RuleId, d.GroupKey, d.Event.Id))));
            return ValueTask.CompletedTask;
        }

        public ValueTask SaveSnapshotAsync(RuleStateSnapshot snapshot, CancellationToken cancellationToken)
        {
            Snapshot = snapshot;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class MemoryEventLog(List<SecurityEvent> events) : IEventReplaySource
    {
        private int _stored = events.Count;

        public MemoryEventLog UpTo(int stored)
        {
            _stored = stored;
            return this;
        }

        public ValueTask<IReadOnlyList<SecurityEvent>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<SecurityEvent>>(events.Take(_stored).Where(e => e.Id > afterId).Take(limit).ToList());
    }
}
