using System.Net;
using Orchestrator.Core.Detection;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Json;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests.Sqlite;

public sealed class DerivedEventStorageTests : IDisposable
{
    private const long T0 = 1_790_000_000_000;
    private static readonly ParserRegistry Registry = new([new PipeParser(), new EcsJsonParser()]);
    private readonly StoreFixture _fixture = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task AppendAsync_SameDedupeKeyTwice_StoresTheFirstAndSkipsTheRepeat()
    {
        await using var store = _fixture.Open(Registry);
        var detection = StoreFixture.Event(T0, EventKinds.InfectionDetected, "PC-7@10.1.0.7", "", "W32.Worm");
        await store.AppendAsync([StoreFixture.Item(detection)], _ct);

        var first = Traced(detection);
        var repeat = Traced(detection);
        await store.AppendAsync([IngestItem.ForDerived(first)], _ct);
        await store.AppendAsync([IngestItem.ForDerived(repeat), StoreFixture.Item(StoreFixture.Event(T0 + 5))], _ct);

        Assert.Equal(2, first.Event.Id);
        Assert.Equal(0, repeat.Event.Id);
        Assert.Equal(new StoreCounts(3, 0), await store.CountAsync(_ct));
        var read = await store.GetAsync(2, _ct);
        Assert.NotNull(read);
        Assert.Equal(EventKinds.InfectionTraced, read.Kind);
        Assert.Equal(EventFormats.Json, read.Format);
        Assert.Equal(IPAddress.Parse("10.1.0.9"), read.SourceIp);
        Assert.Equal("PC-7", read.HostName);
        Assert.Equal("W32.Worm", read.RuleName);
        Assert.Equal("1", read.Labels![DerivedEvents.DerivedFromLabel]);
        Assert.Equal("connections", read.Labels!["trace.source"]);
    }

    [Fact]
    public async Task IdBeforeTimeAsync_ReadingAfterIt_ReachesEveryEventFromThatTime()
    {
        await using var store = _fixture.Open(Registry);
        await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0)), StoreFixture.Item(StoreFixture.Event(T0 + 1_000))], _ct);
        // Old enough events fill the open block, so the later ones land in a block of their own.
        await store.AppendAsync(Enumerable.Range(0, EventAppender.MergeBelowEvents).Select(i => StoreFixture.Item(StoreFixture.Event(T0 + 2_000 + i))).ToList(), _ct);
        await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0 + 60_000))], _ct);

        var before = await store.IdBeforeTimeAsync(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 60_000), _ct);
        var after = await store.ReadAfterAsync(before, 10_000, _ct);

        Assert.Contains(after, e => e.Timestamp == DateTimeOffset.FromUnixTimeMilliseconds(T0 + 60_000));
        Assert.DoesNotContain(after, e => e.Timestamp == DateTimeOffset.FromUnixTimeMilliseconds(T0));
        Assert.Equal(EventAppender.MergeBelowEvents + 3, await store.IdBeforeTimeAsync(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 120_000), _ct));
    }

    [Fact]
    public async Task SqliteDetectionState_SavedTwice_ReadsTheLast()
    {
        await using var store = _fixture.Open(Registry);
        using var state = new SqliteDetectionState(store);
        Assert.Equal((0L, (DateTimeOffset?)null), await state.ReadAsync(_ct));

        await state.SaveAsync(10, DateTimeOffset.FromUnixTimeMilliseconds(T0), _ct);
        await state.SaveAsync(42, DateTimeOffset.FromUnixTimeMilliseconds(T0 + 5), _ct);

        Assert.Equal((42L, (DateTimeOffset?)DateTimeOffset.FromUnixTimeMilliseconds(T0 + 5)), await state.ReadAsync(_ct));
    }

    private static DerivedEvent Traced(SecurityEvent detection)
    {
        var evt = DerivedEvents.From(detection, EventKinds.InfectionTraced, "tracer");
        evt.SourceIp = IPAddress.Parse("10.1.0.9");
        evt.SetLabel("trace.source", "connections");
        return new DerivedEvent(evt, "infection.traced:" + detection.Id);
    }
}
