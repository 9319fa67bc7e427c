using System.Net;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests.Sqlite;

public sealed class SqliteEventStoreTests : IDisposable
{
    private const long T0 = 1_790_000_000_000;
    private readonly StoreFixture _fixture = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task AppendAsync_EventsAndDeadLetters_AssignsIncreasingIdsPerTable()
    {
        await using var store = _fixture.Open();
        var first = StoreFixture.Event(T0);
        var second = StoreFixture.Event(T0 + 1);
        var letter = new DeadLetter(StoreFixture.Received, "syslog-udp", null, "no parser", [1, 2, 3]);

        await store.AppendAsync([StoreFixture.Item(first), IngestItem.ForDeadLetter(letter), StoreFixture.Item(second)], _ct);
        var third = StoreFixture.Event(T0 + 2);
        await store.AppendAsync([StoreFixture.Item(third)], _ct);

        Assert.Equal([1L, 2L, 3L], new[] { first.Id, second.Id, third.Id });
        Assert.Equal(1, letter.Id);
        Assert.Equal(new StoreCounts(3, 1), await store.CountAsync(_ct));
    }

    [Fact]
    public async Task QueryAsync_AfterAppend_RebuildsEventByParsingOriginalAgain()
    {
        await using var store = _fixture.Open();
        var evt = StoreFixture.Event(T0, EventKinds.InfectionTraced, "PC-17@10.1.2.3", "10.9.9.9", "W32.Worm");
        await store.AppendAsync([StoreFixture.Item(evt)], _ct);

        var read = Assert.Single(await store.QueryAsync(new EventQuery(), _ct));

        Assert.NotSame(evt, read);
        Assert.Equal(evt.Id, read.Id);
        Assert.Equal(EventKinds.InfectionTraced, read.Kind);
        Assert.Equal(PipeParser.Name, read.Format);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(T0), read.Timestamp);
        Assert.Equal(StoreFixture.Received, read.Ingested);
        Assert.Equal(evt.Original, read.Original);
        Assert.Equal("PC-17", read.HostName);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), read.HostIp);
        Assert.Equal(IPAddress.Parse("10.9.9.9"), read.SourceIp);
        Assert.Equal("W32.Worm", read.RuleName);
        Assert.Null(read.Labels);
    }

    [Fact]
    public async Task QueryAsync_ReceiveTimeWithSubMillisecondTicks_HandsParserTheExactTime()
    {
        await using var store = _fixture.Open();
        var received = StoreFixture.Received.AddTicks(1234567);
        var evt = StoreFixture.Event(T0);
        evt.Ingested = received;
        await store.AppendAsync([StoreFixture.Item(evt)], _ct);

        var read = await store.GetAsync(evt.Id, _ct);

        Assert.Equal(received, read!.Ingested);
    }

    [Fact]
    public async Task QueryAsync_NoFilter_ReturnsNewestEventTimeFirstThenNewestId()
    {
        await using var store = _fixture.Open();
        var a = StoreFixture.Event(T0 + 5, text: "a");
        var b = StoreFixture.Event(T0 + 9, text: "b");
        var c = StoreFixture.Event(T0 + 1, text: "c");
        var d = StoreFixture.Event(T0 + 5, text: "d");
        await store.AppendAsync([StoreFixture.Item(a), StoreFixture.Item(b), StoreFixture.Item(c), StoreFixture.Item(d)], _ct);

        var read = await store.QueryAsync(new EventQuery(), _ct);

        Assert.Equal(["b", "d", "a", "c"], read.Select(e => e.RuleName));
    }

    [Fact]
    public async Task QueryAsync_KindFilter_ReturnsOnlyThatKind()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync(
        [
            StoreFixture.Item(StoreFixture.Event(T0, EventKinds.ProcessStarted, text: "p1")),
            StoreFixture.Item(StoreFixture.Event(T0 + 1, EventKinds.NetworkConnection, text: "n1")),
            StoreFixture.Item(StoreFixture.Event(T0 + 2, EventKinds.ProcessStarted, text: "p2")),
        ], _ct);

        var processes = await store.QueryAsync(new EventQuery { Kind = EventKinds.ProcessStarted }, _ct);
        var unknown = await store.QueryAsync(new EventQuery { Kind = "no.such.kind" }, _ct);

        Assert.Equal(["p2", "p1"], processes.Select(e => e.RuleName));
        Assert.Empty(unknown);
    }

    [Fact]
    public async Task QueryAsync_HostName_MatchesIgnoringCase()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync(
        [
            StoreFixture.Item(StoreFixture.Event(T0, host: "Fileserver01", text: "mine")),
            StoreFixture.Item(StoreFixture.Event(T0 + 1, host: "fileserver02", text: "other")),
        ], _ct);

        var read = await store.QueryAsync(new EventQuery { Host = "FILESERVER01" }, _ct);

        Assert.Equal(["mine"], read.Select(e => e.RuleName));
    }

    [Fact]
    public async Task QueryAsync_HostIsAnIp_MatchesHostIp()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync(
        [
            StoreFixture.Item(StoreFixture.Event(T0, host: "10.0.0.5", text: "ip-only")),
            StoreFixture.Item(StoreFixture.Event(T0 + 1, host: "pc5@10.0.0.5", text: "name-and-ip")),
            StoreFixture.Item(StoreFixture.Event(T0 + 2, host: "10.0.0.6", text: "other")),
            StoreFixture.Item(StoreFixture.Event(T0 + 3, host: "x", sourceIp: "10.0.0.5", text: "source-not-host")),
        ], _ct);

        var read = await store.QueryAsync(new EventQuery { Host = "10.0.0.5" }, _ct);

        Assert.Equal(["name-and-ip", "ip-only"], read.Select(e => e.RuleName));
    }

    [Fact]
    public async Task QueryAsync_SourceIp_MatchesOnlyThatSourceIncludingMappedIpv4()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync(
        [
            StoreFixture.Item(StoreFixture.Event(T0, sourceIp: "192.168.1.50", text: "from-50")),
            StoreFixture.Item(StoreFixture.Event(T0 + 1, sourceIp: "::ffff:192.168.1.50", text: "mapped-50")),
            StoreFixture.Item(StoreFixture.Event(T0 + 2, sourceIp: "192.168.1.51", text: "from-51")),
            StoreFixture.Item(StoreFixture.Event(T0 + 3, text: "no-source")),
        ], _ct);

        var read = await store.QueryAsync(new EventQuery { SourceIp = IPAddress.Parse("192.168.1.50") }, _ct);

        Assert.Equal(["mapped-50", "from-50"], read.Select(e => e.RuleName));
    }

    [Fact]
    public async Task QueryAsync_FromAndTo_FromInclusiveToExclusive()
    {
        await using var store = _fixture.Open();
        var items = Enumerable.Range(0, 10).Select(i => StoreFixture.Item(StoreFixture.Event(T0 + (i * 1000), text: $"e{i}"))).ToArray();
        await store.AppendAsync(items, _ct);

        var read = await store.QueryAsync(new EventQuery
        {
            From = DateTimeOffset.FromUnixTimeMilliseconds(T0 + 3000),
            To = DateTimeOffset.FromUnixTimeMilliseconds(T0 + 6000),
        }, _ct);

        Assert.Equal(["e5", "e4", "e3"], read.Select(e => e.RuleName));
    }

    [Fact]
    public async Task QueryAsync_CombinedFilters_AllMustMatch()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync(
        [
            StoreFixture.Item(StoreFixture.Event(T0, EventKinds.InfectionTraced, "pc1", "10.0.0.9", "hit")),
            StoreFixture.Item(StoreFixture.Event(T0 + 1, EventKinds.InfectionTraced, "pc2", "10.0.0.9", "other-host")),
            StoreFixture.Item(StoreFixture.Event(T0 + 2, EventKinds.InfectionDetected, "pc1", "10.0.0.9", "other-kind")),
            StoreFixture.Item(StoreFixture.Event(T0 - 10_000, EventKinds.InfectionTraced, "pc1", "10.0.0.9", "too-old")),
        ], _ct);

        var read = await store.QueryAsync(new EventQuery
        {
            Kind = EventKinds.InfectionTraced,
            Host = "PC1",
            SourceIp = IPAddress.Parse("10.0.0.9"),
            From = DateTimeOffset.FromUnixTimeMilliseconds(T0),
        }, _ct);

        Assert.Equal(["hit"], read.Select(e => e.RuleName));
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(1_000_000, 5)]
    public async Task QueryAsync_Limit_ClampedAndHonoured(int limit, int expected)
    {
        await using var store = _fixture.Open();
        await store.AppendAsync(Enumerable.Range(0, 5).Select(i => StoreFixture.Item(StoreFixture.Event(T0 + i, text: $"e{i}"))).ToArray(), _ct);

        var read = await store.QueryAsync(new EventQuery { Limit = limit }, _ct);

        Assert.Equal(expected, read.Count);
        Assert.Equal("e4", read[0].RuleName);
    }

    [Fact]
    public async Task GetAsync_KnownAndUnknownId_ReturnsEventOrNull()
    {
        await using var store = _fixture.Open();
        var evt = StoreFixture.Event(T0, text: "wanted");
        await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0)), StoreFixture.Item(evt)], _ct);

        Assert.Equal("wanted", (await store.GetAsync(evt.Id, _ct))?.RuleName);
        Assert.Null(await store.GetAsync(999, _ct));
    }

    [Fact]
    public async Task AppendAsync_SameContextInTwoBatches_StoresItOnceAndHandsItBackToTheParser()
    {
        const string header = "#fields\tts\tid.orig_h";
        await using (var store = _fixture.Open())
        {
            await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0, context: header), header), StoreFixture.Item(StoreFixture.Event(T0 + 1, context: header), header)], _ct);
            await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0 + 2, context: header), header), StoreFixture.Item(StoreFixture.Event(T0 + 3))], _ct);

            var read = await store.QueryAsync(new EventQuery(), _ct);

            Assert.Equal([null, header, header, header], read.Select(e => e.Labels?["context"]));
        }

        // A reopened store starts with an empty cache and must find the stored header, not add a second.
        await using (var reopened = _fixture.Open())
        {
            await reopened.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0 + 4, context: header), header)], _ct);
            var read = await reopened.QueryAsync(new EventQuery(), _ct);
            Assert.Equal(4, read.Count(e => e.Labels?["context"] == header));
        }

        Assert.Equal(1, _fixture.CountRows("SELECT count(*) FROM contexts"));
    }

    [Fact]
    public async Task QueryDeadLettersAsync_AfterAppend_ReturnsRawBytesAndReasonNewestFirst()
    {
        await using var store = _fixture.Open();
        byte[] invalidUtf8 = [0x3C, 0x31, 0x33, 0x3E, 0xC3, 0x28, 0xFF, 0xFE, 0x00, 0x80, 0x0A];
        var older = new DeadLetter(StoreFixture.Received, "syslog-udp", null, "no parser recognised the line", invalidUtf8);
        var newer = new DeadLetter(StoreFixture.Received.AddTicks(5), "http", EventFormats.Cef, "CEF header has 6 fields, expected 7", [0x43]);
        await store.AppendAsync([IngestItem.ForDeadLetter(newer), IngestItem.ForDeadLetter(older)], _ct);

        var read = await store.QueryDeadLettersAsync(10, _ct);

        Assert.Equal(2, read.Count);
        Assert.Equal(newer.Id, read[0].Id);
        Assert.Equal(StoreFixture.Received.AddTicks(5), read[0].ReceivedAt);
        Assert.Equal(EventFormats.Cef, read[0].Format);
        Assert.Equal(older.Id, read[1].Id);
        Assert.Equal(invalidUtf8, read[1].Raw);
        Assert.Equal("no parser recognised the line", read[1].Reason);
        Assert.Equal("syslog-udp", read[1].Listener);
        Assert.Null(read[1].Format);
        Assert.Single(await store.QueryDeadLettersAsync(1, _ct));
    }

    [Fact]
    public async Task QueryDeadLettersAsync_EmptyRawInput_ReturnsEmptyBytesNotNull()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync([IngestItem.ForDeadLetter(new DeadLetter(StoreFixture.Received, "http", EventFormats.Json, "empty body", []))], _ct);

        var read = Assert.Single(await store.QueryDeadLettersAsync(10, _ct));

        Assert.NotNull(read.Raw);
        Assert.Empty(read.Raw);
    }

    [Fact]
    public async Task QueryAsync_HostSpelledDifferentlyAcrossEvents_MatchesEverySpellingAndPairing()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync(
        [
            StoreFixture.Item(StoreFixture.Event(T0, host: "WS-042", text: "upper")),
            StoreFixture.Item(StoreFixture.Event(T0 + 1, host: "ws-042", text: "lower")),
            StoreFixture.Item(StoreFixture.Event(T0 + 2, host: "ws-042@10.3.0.42", text: "with-ip")),
            StoreFixture.Item(StoreFixture.Event(T0 + 3, host: "ws-043@10.3.0.42", text: "ip-reassigned")),
        ], _ct);

        var byName = await store.QueryAsync(new EventQuery { Host = "Ws-042" }, _ct);
        var byIp = await store.QueryAsync(new EventQuery { Host = "10.3.0.42" }, _ct);

        Assert.Equal(["with-ip", "lower", "upper"], byName.Select(e => e.RuleName));
        Assert.Equal(["ip-reassigned", "with-ip"], byIp.Select(e => e.RuleName));
    }

    [Fact]
    public async Task AppendAsync_ItemFailsToInsertMidBatch_CommitsNothingAndSetsNoIds()
    {
        await using var store = _fixture.Open();
        var before = StoreFixture.Event(T0);
        var after = StoreFixture.Event(T0 + 2);
        var broken = new DeadLetter(StoreFixture.Received, "http", null, null!, [1]);

        await Assert.ThrowsAsync<SqliteException>(async () =>
            await store.AppendAsync([StoreFixture.Item(before, "header"), IngestItem.ForDeadLetter(broken), StoreFixture.Item(after)], _ct));

        Assert.Equal(new StoreCounts(0, 0), await store.CountAsync(_ct));
        Assert.Equal(0, before.Id);
        Assert.Equal(0, after.Id);
        Assert.Equal(0, broken.Id);
        Assert.Equal(0, _fixture.CountRows("SELECT count(*) FROM contexts"));

        // The store stays usable and the rolled-back ids are handed out again.
        var next = StoreFixture.Event(T0 + 3);
        await store.AppendAsync([StoreFixture.Item(next, "header")], _ct);
        Assert.Equal(1, next.Id);
        Assert.Equal("header", (await store.GetAsync(1, _ct))!.Labels!["context"]);
    }

    [Fact]
    public async Task AppendAsync_ItemWithNeitherEventNorDeadLetter_ThrowsAndCommitsNothing()
    {
        await using var store = _fixture.Open();
        var evt = StoreFixture.Event(T0);

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync([StoreFixture.Item(evt), default], _ct));

        Assert.Contains("item 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, evt.Id);
        Assert.Equal(new StoreCounts(0, 0), await store.CountAsync(_ct));
    }

    [Fact]
    public async Task AppendAsync_CancelledBeforeStart_ThrowsAndCommitsNothing()
    {
        await using var store = _fixture.Open();
        var evt = StoreFixture.Event(T0);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.AppendAsync([StoreFixture.Item(evt)], new CancellationToken(canceled: true)));

        Assert.Equal(0, evt.Id);
        Assert.Equal(new StoreCounts(0, 0), await store.CountAsync(_ct));
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var store = _fixture.Open();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0))], _ct));
    }

    [Fact]
    public async Task Open_AfterDisposeAndReopen_KeepsEventsDeadLettersAndIdSequence()
    {
        await using (var store = _fixture.Open())
        {
            await store.AppendAsync(
            [
                StoreFixture.Item(StoreFixture.Event(T0, EventKinds.ProcessStarted, "pc1", text: "kept")),
                IngestItem.ForDeadLetter(new DeadLetter(StoreFixture.Received, "http", null, "bad", [9])),
            ], _ct);
        }

        Assert.False(File.Exists(Path.Combine(_fixture.Directory, "events.db-wal")) && new FileInfo(Path.Combine(_fixture.Directory, "events.db-wal")).Length > 0);

        await using var reopened = _fixture.Open();
        var next = StoreFixture.Event(T0 + 1);
        await reopened.AppendAsync([StoreFixture.Item(next)], _ct);

        Assert.Equal(new StoreCounts(2, 1), await reopened.CountAsync(_ct));
        Assert.Equal("kept", (await reopened.GetAsync(1, _ct))!.RuleName);
        Assert.Equal(2, next.Id);
        Assert.Equal([9], (await reopened.QueryDeadLettersAsync(5, _ct))[0].Raw);
    }

    [Fact]
    public async Task Open_NewDatabase_UsesWalIncrementalVacuumAndCurrentSchemaVersion()
    {
        await using var store = _fixture.Open();

        Assert.Equal(SqliteSchema.CurrentVersion, _fixture.CountRows("PRAGMA user_version"));
        Assert.Equal(2, _fixture.CountRows("PRAGMA auto_vacuum"));
        Assert.Equal(32_768, _fixture.CountRows("PRAGMA page_size"));
        Assert.True(File.Exists(store.DatabasePath));
        using var connection = new SqliteConnection("Data Source=" + store.DatabasePath + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task ApplyRetentionAsync_MaxAge_DeletesExactlyTheOlderEventsAndDeadLetters()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(T0);
        await using var store = _fixture.Open();
        await store.AppendAsync(
        [
            StoreFixture.Item(StoreFixture.Event(T0 - 3_600_001, text: "just-too-old")),
            StoreFixture.Item(StoreFixture.Event(T0 - 7_200_000, text: "old")),
            StoreFixture.Item(StoreFixture.Event(T0 - 3_600_000, text: "exactly-at-cutoff")),
            StoreFixture.Item(StoreFixture.Event(T0 - 1, text: "new")),
            IngestItem.ForDeadLetter(new DeadLetter(now.AddHours(-2), "http", null, "old", [1])),
            IngestItem.ForDeadLetter(new DeadLetter(now.AddMinutes(-1), "http", null, "new", [2])),
        ], _ct);

        var result = await store.ApplyRetentionAsync(new RetentionPolicy(TimeSpan.FromHours(1), null), now, _ct);

        Assert.Equal(new RetentionResult(2, 1), result);
        Assert.Equal(["new", "exactly-at-cutoff"], (await store.QueryAsync(new EventQuery(), _ct)).Select(e => e.RuleName));
        Assert.Equal("new", Assert.Single(await store.QueryDeadLettersAsync(10, _ct)).Reason);
    }

    [Fact]
    public async Task ApplyRetentionAsync_MaxAgeLongerThanAllTime_DeletesNothing()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0)), StoreFixture.Item(StoreFixture.Event(-5_000))], _ct);

        var result = await store.ApplyRetentionAsync(new RetentionPolicy(TimeSpan.MaxValue, null), DateTimeOffset.FromUnixTimeMilliseconds(T0), _ct);

        Assert.Equal(new RetentionResult(0, 0), result);
        Assert.Equal(2, (await store.CountAsync(_ct)).Events);
    }

    [Fact]
    public async Task ApplyRetentionAsync_MaxBytes_ShrinksFilesUnderBoundKeepingNewestEvents()
    {
        await using var store = _fixture.Open();
        // Random text: blocks are compressed, and repeated padding would shrink to nothing.
        var random = new Random(7);
        string Padding() => Convert.ToHexString(random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 240));
        for (var batch = 0; batch < 10; batch++)
        {
            await store.AppendAsync(Enumerable.Range(0, 2_000)
                .Select(i => StoreFixture.Item(StoreFixture.Event(T0 + (batch * 2_000) + i, EventKinds.NetworkConnection, $"pc{i % 300}", $"10.0.{i % 7}.{i % 250}", Padding())))
                .ToArray(), _ct);
        }

        var before = store.FileBytes();
        const long bound = 4 * 1024 * 1024;
        Assert.True(before > 2 * bound, $"setup wrote only {before} bytes");

        var result = await store.ApplyRetentionAsync(new RetentionPolicy(null, bound), DateTimeOffset.FromUnixTimeMilliseconds(T0), _ct);

        var counts = await store.CountAsync(_ct);
        Assert.True(store.FileBytes() <= bound, $"{store.FileBytes()} bytes left, bound {bound}");
        Assert.Equal(20_000, result.EventsDeleted + counts.Events);
        Assert.InRange(counts.Events, 1_000, 20_000 - 1);
        var oldestKept = (await store.QueryAsync(new EventQuery { Limit = EventQuery.MaxLimit }, _ct))[^1];
        Assert.Equal(T0 + result.EventsDeleted, oldestKept.Timestamp.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task ApplyRetentionAsync_EverythingDeletedThenReopened_NeverReusesIds()
    {
        await using (var store = _fixture.Open())
        {
            await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0)), StoreFixture.Item(StoreFixture.Event(T0 + 1))], _ct);
            var result = await store.ApplyRetentionAsync(new RetentionPolicy(TimeSpan.Zero, null), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 10), _ct);
            Assert.Equal(2, result.EventsDeleted);
        }

        await using var reopened = _fixture.Open();
        var next = StoreFixture.Event(T0 + 20);
        await reopened.AppendAsync([StoreFixture.Item(next)], _ct);

        Assert.Equal(3, next.Id);
    }

    [Fact]
    public async Task QueryAsync_ParserNowRejectsStoredLine_ReturnsEventFromColumnsWithReparseLabel()
    {
        var evt = StoreFixture.Event(T0, EventKinds.InfectionTraced, "pc9@10.0.0.9", "10.0.0.1", "Trojan");
        await using (var store = _fixture.Open())
        {
            await store.AppendAsync([StoreFixture.Item(evt)], _ct);
        }

        await using var changed = _fixture.Open(new ParserRegistry([new RejectingPipeParser()]));
        var read = Assert.Single(await changed.QueryAsync(new EventQuery(), _ct));

        Assert.Equal(evt.Id, read.Id);
        Assert.Equal(EventKinds.InfectionTraced, read.Kind);
        Assert.Equal(PipeParser.Name, read.Format);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(T0), read.Timestamp);
        Assert.Equal(evt.Original, read.Original);
        Assert.Equal("pc9", read.HostName);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), read.SourceIp);
        Assert.Contains("field 6 is now required", read.Labels![SqliteEventStore.ReparseErrorLabel], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_FormatNoLongerRegistered_ReturnsEventWithReparseLabel()
    {
        await using var store = _fixture.Open();
        var evt = StoreFixture.Event(T0, EventKinds.ProcessStarted);
        evt.Format = "retired-format";
        await store.AppendAsync([StoreFixture.Item(evt)], _ct);

        var read = await store.GetAsync(evt.Id, _ct);

        Assert.Equal("retired-format", read!.Format);
        Assert.Equal(EventKinds.ProcessStarted, read.Kind);
        Assert.Contains("retired-format", read.Labels![SqliteEventStore.ReparseErrorLabel], StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_WhileAnotherQueryIsOpen_BothSeeCommittedEvents()
    {
        await using var store = _fixture.Open();
        await store.AppendAsync(Enumerable.Range(0, 100).Select(i => StoreFixture.Item(StoreFixture.Event(T0 + i))).ToArray(), _ct);

        var queries = Enumerable.Range(0, 8).Select(_ => Task.Run(async () => (await store.QueryAsync(new EventQuery { Limit = 1000 }, _ct)).Count));
        var appending = Task.Run(async () => await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0 + 1000))], _ct));
        var counts = await Task.WhenAll(queries);
        await appending;

        Assert.All(counts, c => Assert.InRange(c, 100, 101));
        Assert.Equal(101, (await store.CountAsync(_ct)).Events);
    }
}
