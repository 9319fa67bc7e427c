using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests.Sqlite;

/// <summary>How events are laid out in blocks: merging, splitting, searching across blocks, migration.</summary>
public sealed class EventBlockStorageTests : IDisposable
{
    private const long T0 = 1_790_000_000_000;
    private readonly StoreFixture _fixture = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task AppendAsync_ManySmallCommits_MergeIntoOneBlockUntilItIsFull()
    {
        await using var store = _fixture.Open();
        for (var i = 0; i < EventAppender.MergeBelowEvents + 5; i++)
        {
            await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0 + i, text: "e" + i))], _ct);
        }

        Assert.Equal(2, _fixture.CountRows("SELECT count(*) FROM event_blocks"));
        Assert.Equal(EventAppender.MergeBelowEvents, _fixture.CountRows("SELECT count FROM event_blocks ORDER BY first_id LIMIT 1"));
        Assert.Equal(EventAppender.MergeBelowEvents + 5, (await store.CountAsync(_ct)).Events);
        Assert.Equal("e0", (await store.GetAsync(1, _ct))!.RuleName);
        Assert.Equal("e" + (EventAppender.MergeBelowEvents + 4), (await store.GetAsync(EventAppender.MergeBelowEvents + 5, _ct))!.RuleName);
    }

    [Fact]
    public async Task AppendAsync_BatchLargerThanABlock_SplitsAndEveryIdStaysReadable()
    {
        await using var store = _fixture.Open();
        var count = (EventAppender.MaxBlockEvents * 2) + 10;
        var batch = Enumerable.Range(0, count).Select(i => StoreFixture.Item(StoreFixture.Event(T0 + i, text: "e" + i))).ToArray();

        await store.AppendAsync(batch, _ct);

        Assert.Equal(3, _fixture.CountRows("SELECT count(*) FROM event_blocks"));
        Assert.Equal(EventAppender.MaxBlockEvents, _fixture.CountRows("SELECT max(count) FROM event_blocks"));
        foreach (var id in new long[] { 1, EventAppender.MaxBlockEvents, EventAppender.MaxBlockEvents + 1, count })
        {
            Assert.Equal("e" + (id - 1), (await store.GetAsync(id, _ct))!.RuleName);
        }

        Assert.Null(await store.GetAsync(count + 1, _ct));
        Assert.Null(await store.GetAsync(0, _ct));
    }

    [Fact]
    public async Task QueryAsync_OverlappingBlocksAndFilters_ReturnsExactlyWhatAScanOfAllEventsWould()
    {
        // Blocks whose time ranges overlap, out-of-order times inside blocks, equal times across
        // blocks: every answer must equal a sort of all matching events, whatever the limit.
        var random = new Random(11);
        string[] kinds = [EventKinds.NetworkConnection, EventKinds.ProcessStarted, EventKinds.InfectionTraced];
        var all = new List<SecurityEvent>();
        await using var store = _fixture.Open();
        for (var batch = 0; batch < 12; batch++)
        {
            var events = Enumerable.Range(0, random.Next(1, 1_500)).Select(_ =>
            {
                var host = random.Next(40);
                var name = host % 3 == 0 ? $"PC-{host}" : $"pc-{host}@10.0.0.{host}";
                var source = random.Next(4) == 0 ? $"192.168.1.{random.Next(30)}" : "";
                return StoreFixture.Event(T0 + random.Next(0, 100_000), kinds[random.Next(kinds.Length)], name, source);
            }).ToList();
            await store.AppendAsync(events.Select(e => StoreFixture.Item(e)).ToArray(), _ct);
            all.AddRange(events);
        }

        var queries = new List<EventQuery>();
        foreach (var limit in new[] { 1, 7, 250, 100_000 })
        {
            queries.Add(new EventQuery { Limit = limit });
            queries.Add(new EventQuery { Limit = limit, Kind = EventKinds.InfectionTraced });
            queries.Add(new EventQuery { Limit = limit, Host = "pc-3" });
            queries.Add(new EventQuery { Limit = limit, Host = "10.0.0.7" });
            queries.Add(new EventQuery { Limit = limit, SourceIp = IPAddress.Parse("192.168.1.4") });
            queries.Add(new EventQuery { Limit = limit, From = DateTimeOffset.FromUnixTimeMilliseconds(T0 + 20_000), To = DateTimeOffset.FromUnixTimeMilliseconds(T0 + 30_000) });
            queries.Add(new EventQuery { Limit = limit, Kind = EventKinds.ProcessStarted, Host = "PC-5", To = DateTimeOffset.FromUnixTimeMilliseconds(T0 + 50_000) });
            queries.Add(new EventQuery { Limit = limit, Kind = "no.such.kind" });
        }

        foreach (var query in queries)
        {
            var expected = all.Where(e => Matches(e, query))
                .OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id)
                .Take(query.Limit).Select(e => e.Id);

            var actual = await store.QueryAsync(query, _ct);

            Assert.Equal(expected, actual.Select(e => e.Id));
        }
    }

    [Fact]
    public async Task QueryAsync_DamagedBlock_FailsSayingTheDatabaseIsDamaged()
    {
        await using (var store = _fixture.Open())
        {
            await store.AppendAsync([StoreFixture.Item(StoreFixture.Event(T0))], _ct);
        }

        Execute("UPDATE event_blocks SET payload = x'00ff00ff'");

        await using var damaged = _fixture.Open();
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await damaged.QueryAsync(new EventQuery(), _ct));
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_VersionOneDatabase_MovesEveryEventIntoBlocksKeepingIdsHostsAndContexts()
    {
        var path = Path.Combine(_fixture.Directory, "events.db");
        Directory.CreateDirectory(_fixture.Directory);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            SqliteSchema.Migrate(connection, stopAtVersion: 1);
            var traced = StoreFixture.Event(T0, EventKinds.InfectionTraced, "PC-9@10.0.0.9", "10.9.9.9", "Worm", context: "#hdr");
            var other = StoreFixture.Event(T0 + 5, text: "plain");
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO terms(id, text) VALUES(1, 'infection.traced'), (2, 'pipe'), (3, 'test'), (4, 'other');
                INSERT INTO contexts(id, text) VALUES(1, '#hdr');
                INSERT INTO hosts(id, name, ip) VALUES(1, 'PC-9', '10.0.0.9');
                INSERT INTO events(id, ts_ms, ingested_ticks, kind, format, listener, host_id, source_ip, context_id, original)
                VALUES(7, $t1, $ticks, 1, 2, 3, 1, '10.9.9.9', 1, $o1), (9, $t2, $ticks, 4, 2, 3, NULL, NULL, NULL, $o2);
                INSERT INTO meta(key, value) VALUES('events.last_id', 12);
                """;
            insert.Parameters.AddWithValue("$t1", T0);
            insert.Parameters.AddWithValue("$t2", T0 + 5);
            insert.Parameters.AddWithValue("$ticks", SqliteEventStore.ToTicks(StoreFixture.Received));
            insert.Parameters.AddWithValue("$o1", traced.Original);
            insert.Parameters.AddWithValue("$o2", other.Original);
            insert.ExecuteNonQuery();
        }

        await using var store = _fixture.Open();

        Assert.Equal(SqliteSchema.CurrentVersion, _fixture.CountRows("PRAGMA user_version"));
        Assert.Equal(0, _fixture.CountRows("SELECT count(*) FROM sqlite_schema WHERE name IN ('events', 'hosts')"));
        var byHost = Assert.Single(await store.QueryAsync(new EventQuery { Host = "pc-9", SourceIp = IPAddress.Parse("10.9.9.9") }, _ct));
        Assert.Equal(7, byHost.Id);
        Assert.Equal("Worm", byHost.RuleName);
        Assert.Equal("#hdr", byHost.Labels!["context"]);
        Assert.Equal("plain", (await store.GetAsync(9, _ct))!.RuleName);
        var next = StoreFixture.Event(T0 + 9);
        await store.AppendAsync([StoreFixture.Item(next)], _ct);
        Assert.Equal(13, next.Id);
    }

    [Fact]
    public void BlockKeyFilter_AddedKeysAlwaysMatch_OtherKeysRarely()
    {
        var filter = new BlockKeyFilter();
        var random = new Random(3);
        var added = Enumerable.Range(0, 5_000).Select(_ => (ulong)random.NextInt64()).ToArray();
        foreach (var key in added)
        {
            filter.Add(key);
        }

        var stored = filter.Build();

        Assert.All(added, key => Assert.True(BlockKeyFilter.MayContain(stored, key)));
        var falsePositives = Enumerable.Range(0, 100_000).Count(_ => BlockKeyFilter.MayContain(stored, (ulong)random.NextInt64()));
        Assert.InRange(falsePositives, 0, 1_000);
    }

    private static bool Matches(SecurityEvent e, EventQuery query) =>
        (query.Kind is null || e.Kind == query.Kind)
        && (query.Host is null
            || string.Equals(e.HostName, query.Host, StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(query.Host, out var ip) && ip.Equals(e.HostIp)))
        && (query.SourceIp is null || query.SourceIp.Equals(e.SourceIp))
        && (query.From is null || e.Timestamp >= query.From)
        && (query.To is null || e.Timestamp < query.To);

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(string.Create(CultureInfo.InvariantCulture, $"Data Source={Path.Combine(_fixture.Directory, "events.db")};Pooling=False"));
        connection.Open();
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Constant test SQL.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }
}
