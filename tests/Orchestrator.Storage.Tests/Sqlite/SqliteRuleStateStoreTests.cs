using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Events;
using Orchestrator.Core.Rules;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests.Sqlite;

public sealed class SqliteRuleStateStoreTests : IDisposable
{
    private const long T0 = 1_790_000_000_000;
    private readonly StoreFixture _fixture = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SaveSnapshotAsync_ThenReopen_LoadsTheLastSnapshotAndTheDecisions()
    {
        var decision = Decision(eventId: 7);
        await using (var events = _fixture.Open())
        using (var rules = new SqliteRuleStateStore(events, new FakeTimeProvider()))
        {
            await rules.SaveSnapshotAsync(new RuleStateSnapshot(5, [1, 2, 3]), _ct);
            await rules.RecordDecisionsAsync([decision], _ct);
            await rules.SaveSnapshotAsync(new RuleStateSnapshot(7, [4, 5]), _ct);
        }

        await using var reopened = _fixture.Open();
        using var store = new SqliteRuleStateStore(reopened, new FakeTimeProvider());
        var snapshot = await store.LoadAsync(_ct);
        var stored = Assert.Single(await store.ReadDecisionsAsync(10, _ct));

        Assert.Equal(7, snapshot!.Checkpoint);
        Assert.Equal([4, 5], snapshot.State);
        Assert.Equal(("worm", "10.0.0.5", 7L, RuleMode.DryRun), (stored.RuleId, stored.GroupKey, stored.EventId, stored.Mode));
        Assert.Contains("\"event_ids\":[5,6,7]", stored.WindowJson, StringComparison.Ordinal);
        Assert.Equal(1, _fixture.CountRows("SELECT count(*) FROM rule_state"));
    }

    [Fact]
    public async Task LoadAsync_NothingSaved_ReturnsNull()
    {
        await using var events = _fixture.Open();
        using var store = new SqliteRuleStateStore(events, new FakeTimeProvider());

        Assert.Null(await store.LoadAsync(_ct));
    }

    [Fact]
    public async Task RecordDecisionsAsync_SameDecisionTwice_IsRecordedOnce()
    {
        await using var events = _fixture.Open();
        using var store = new SqliteRuleStateStore(events, new FakeTimeProvider());

        await store.RecordDecisionsAsync([Decision(7)], _ct);
        await store.RecordDecisionsAsync([Decision(7)], _ct);

        Assert.Single(await store.ReadDecisionsAsync(10, _ct));
    }

    [Fact]
    public async Task ReadAfterAsync_StoredEvents_ReturnsThoseAfterTheIdLowestFirst()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0)), StoreFixture.Item(StoreFixture.Event(T0 + 1))], _ct);
        await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0 + 2)), StoreFixture.Item(StoreFixture.Event(T0 + 3))], _ct);

        var after = await store.ReadAfterAsync(1, 100, _ct);

        Assert.Equal([2L, 3L, 4L], after.Select(e => e.Id));
        Assert.Empty(await store.ReadAfterAsync(4, 100, _ct));
    }

    [Fact]
    public async Task RestoreAsync_AfterKillMidStream_RecordsExactlyTheDecisionsOfAnUninterruptedRun()
    {
        // 30 sources with 4 events each a minute apart, interleaved: each source fires once (throttle 1h).
        await using var events = _fixture.Open();
        var all = new List<SecurityEvent>();
        for (var minute = 0; minute < 4; minute++)
        {
            for (var source = 0; source < 30; source++)
            {
                all.Add(StoreFixture.Event(T0 + (minute * 60_000) + source, EventKinds.InfectionTraced, "PC-1", "10.9.0." + source.ToString(CultureInfo.InvariantCulture)));
            }
        }

        foreach (var chunk in all.Chunk(16))
        {
            await events.AppendAsync(chunk.Select(e => StoreFixture.Item(e)).ToList(), _ct);
        }

        var options = new DurableRulesEngineOptions { SaveEveryEvents = 10 };
        using (var firstStore = new SqliteRuleStateStore(events, new FakeTimeProvider()))
        {
            var first = new DurableRulesEngine(Engine(), firstStore, options, new FakeTimeProvider());
            foreach (var evt in all.Take(75))
            {
                await first.ProcessAsync(evt, _ct);
            }

            // Dropped here without a flush, as after kill -9.
        }

        using var store = new SqliteRuleStateStore(events, new FakeTimeProvider());
        var second = new DurableRulesEngine(Engine(), store, options, new FakeTimeProvider());
        var replayed = await second.RestoreAsync(events, _ct);
        foreach (var evt in all.Skip(60))
        {
            // Re-delivered events from before the checkpoint must not count again.
            Assert.Empty(await second.ProcessAsync(evt, _ct));
        }

        var recorded = await store.ReadDecisionsAsync(1000, _ct);
        Assert.Equal(30, recorded.Count);
        Assert.Equal(30, recorded.Select(d => d.GroupKey).Distinct().Count());
        Assert.All(recorded, d => Assert.Equal(60 + 1 + int.Parse(d.GroupKey.Split('.')[3], CultureInfo.InvariantCulture), d.EventId));
        // The last snapshot was at event 70: the replay made 71-75 again (recorded before the kill, not
        // twice) and then 76-90.
        Assert.Equal(Enumerable.Range(71, 20).Select(i => (long)i), replayed.Select(d => d.Event.Id));
    }

    private static RulesEngine Engine() => new([new RuleDefinition
    {
        Id = "worm",
        On = new HashSet<string> { EventKinds.InfectionTraced },
        GroupBy = [EventFieldSelector.ForEcsPath("source.ip")],
        Threshold = new RuleThreshold(3, TimeSpan.FromMinutes(10)),
        Throttle = TimeSpan.FromHours(1),
    }]);

    private static RuleDecision Decision(long eventId) => new(
        "worm",
        RuleMode.DryRun,
        "10.0.0.5",
        new SecurityEvent { Id = eventId, Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(T0) },
        new WindowSnapshot(3, 0, [], DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0), [eventId - 2, eventId - 1, eventId]));
}
