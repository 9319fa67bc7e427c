using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Events;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests.Sqlite;

/// <summary>The first-seen record survives a restart whole: nothing already seen is raised again, and a lowered first seen stays lowered.</summary>
public sealed class SqliteFirstSeenStoreTests : IDisposable
{
    private const string HashA = "3337e3875b05e0bfba69ab926532e3f179e8cfbf162ebb60ce58a0281437a7ef";
    private const string HashB = "141b2190f51397dbd0dfde0e3904b264c91b6f81febc823ff0c33da980b69944";
    private static readonly DateTimeOffset Day = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
    private readonly StoreFixture _fixture = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public SqliteFirstSeenStoreTests() => Directory.CreateDirectory(_fixture.Directory);

    private string Database => Path.Combine(_fixture.Directory, "events.db");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SaveAsync_Reopened_LoadsEveryHostEntryAndSighting()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        registry.Observe(Start(1, Day.AddHours(9).AddTicks(7), "pc-1", HashA, signer: "Contoso Ltd"));
        registry.Observe(Start(2, Day.AddHours(10), "pc-2", HashA));
        registry.Observe(Start(3, Day.AddHours(11), host: null, sha256: null));
        var saved = registry.TakeChanges();
        using (var store = new SqliteFirstSeenStore(Database, SqliteSynchronous.Full))
        {
            await store.SaveAsync(saved, _ct);
        }

        using var reopened = new SqliteFirstSeenStore(Database, SqliteSynchronous.Full);
        var loaded = await reopened.LoadAsync(_ct);

        Assert.Equal(3, loaded.Checkpoint);
        Assert.Equal(saved.Hosts, loaded.Hosts);
        Assert.Equal(saved.Entries, loaded.Entries);
        Assert.Equal(saved.Sightings.OrderBy(s => (s.EntryId, s.HostId)), loaded.Sightings.OrderBy(s => (s.EntryId, s.HostId)));
        Assert.Equal(Day.AddHours(9).AddTicks(7), loaded.Entries[0].FirstSeen);
    }

    [Fact]
    public async Task LoadAsync_NothingSaved_IsEmpty()
    {
        using var store = new SqliteFirstSeenStore(Database, SqliteSynchronous.Full);

        var loaded = await store.LoadAsync(_ct);

        Assert.True(loaded.IsEmpty);
        Assert.Equal(0, loaded.Checkpoint);
    }

    [Fact]
    public async Task LoadAsync_AfterRestart_NeverRaisesWhatWasAlreadySeen()
    {
        var options = new FirstSeenOptions { PerHost = true };
        await using (var events = _fixture.Open())
        using (var store = new SqliteFirstSeenStore(events))
        {
            var before = new FirstSeenRegistry(options);
            Assert.Single(before.Derive(Start(1, Day, "pc-1", HashA)));
            Assert.Single(before.Derive(Start(2, Day.AddHours(1), "pc-2", HashA)));
            await store.SaveAsync(before.TakeChanges(), _ct);
        }

        await using var restarted = _fixture.Open();
        using var reopened = new SqliteFirstSeenStore(restarted);
        var after = FirstSeenRegistry.Load(await reopened.LoadAsync(_ct), options);

        var sameHashSameHosts = after.Derive(Start(3, Day.AddDays(1), "pc-1", HashA)).Concat(after.Derive(Start(4, Day.AddDays(1), "PC-2", HashA)));
        var seen = after.Observe(Start(5, Day.AddDays(1), "pc-1", HashA));
        var newHash = after.Derive(Start(6, Day.AddDays(1), "pc-1", HashB));

        Assert.Empty(sameHashSameHosts);
        Assert.Equal((false, false, 2), (seen.IsNewInFleet, seen.IsNewOnHost, seen.Prevalence));
        Assert.Equal("process.unknown:sha256:" + HashB, Assert.Single(newHash).DedupeKey);
    }

    [Fact]
    public async Task SaveAsync_EarlierEventAfterTheFirstSave_PersistsTheLoweredFirstSeen()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        using (var store = new SqliteFirstSeenStore(Database, SqliteSynchronous.Full))
        {
            registry.Observe(Start(10, Day.AddHours(10), "pc-2", HashA));
            await store.SaveAsync(registry.TakeChanges(), _ct);
            registry.Observe(Start(9, Day.AddHours(8), "pc-1", HashA, path: @"C:\first\tool.exe"));
            registry.Observe(Start(11, Day.AddHours(7), "pc-2", HashA));
            await store.SaveAsync(registry.TakeChanges(), _ct);
        }

        using var reopened = new SqliteFirstSeenStore(Database, SqliteSynchronous.Full);
        var loaded = FirstSeenRegistry.Load(await reopened.LoadAsync(_ct), new FirstSeenOptions { UnknownFor = TimeSpan.FromHours(1) });

        var entry = loaded.Get("sha256:" + HashA)!;
        Assert.Equal((Day.AddHours(7), "pc-2", 11L, Day.AddHours(10), 2), (entry.FirstSeen, entry.FirstHost, entry.FirstEventId, entry.LastSeen, entry.HostCount));
        Assert.Equal([("pc-2", Day.AddHours(7))], loaded.UnknownRunsBetween(Day, Day.AddDays(1)).Select(r => (r.Host, r.FirstSeenOnHost)));
    }

    [Fact]
    public async Task SaveAsync_OldChangesSavedAgainAfterNewerOnes_UndoNothing()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        registry.Observe(Start(1, Day.AddHours(9), "pc-1", HashA));
        var older = registry.TakeChanges();
        registry.Observe(Start(2, Day.AddHours(12), "pc-2", HashA));
        registry.Observe(Start(3, Day.AddHours(8), "pc-3", HashA));
        var newer = registry.TakeChanges();
        using var store = new SqliteFirstSeenStore(Database, SqliteSynchronous.Full);

        await store.SaveAsync(older, _ct);
        await store.SaveAsync(newer, _ct);
        await store.SaveAsync(older, _ct);

        var loaded = await store.LoadAsync(_ct);
        var entry = Assert.Single(loaded.Entries);
        Assert.Equal((Day.AddHours(8), "pc-3", Day.AddHours(12), 3), (entry.FirstSeen, entry.FirstHost, entry.LastSeen, entry.HostCount));
        Assert.Equal(3, loaded.Checkpoint);
    }

    private static SecurityEvent Start(long id, DateTimeOffset time, string? host, string? sha256, string? signer = null, string path = @"C:\Temp\tool.exe") => new()
    {
        Id = id,
        Kind = EventKinds.ProcessStarted,
        Timestamp = time,
        HostName = host,
        ProcessHashSha256 = sha256,
        ProcessExecutable = path,
        ProcessName = "tool.exe",
        ProcessSigner = signer,
    };
}
