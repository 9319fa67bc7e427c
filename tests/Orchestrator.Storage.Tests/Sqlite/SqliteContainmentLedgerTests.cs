using Orchestrator.Core.Containment;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests.Sqlite;

/// <summary>The containment ledger keeps every record whole across a reopen, finds a request's record by its idempotency key, and lists what may be in force.</summary>
public sealed class SqliteContainmentLedgerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private readonly StoreFixture _fixture = new();

    private string Database => Path.Combine(_fixture.Directory, "events.db");

    public SqliteContainmentLedgerTests() => Directory.CreateDirectory(_fixture.Directory);

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SaveAsync_Reopened_EveryFieldComesBack()
    {
        var record = Record("c-1", "run-1/quarantine", Start);
        record.Mac = "02:1a:2b:00:00:05";
        record.Ip = "10.199.10.11";
        record.Port = "Gi1/0/5";
        record.ReplacedState = """{"method":"cisco-vmvlan","if_index":10105,"vlan":10}""";
        record.ExpiresAt = Start.AddHours(2);
        record.Status = ContainmentStatus.Active;
        using (var ledger = new SqliteContainmentLedger(Database, SqliteSynchronous.Full))
        {
            await ledger.SaveAsync(record, CancellationToken.None);
        }

        using var reopened = new SqliteContainmentLedger(Database, SqliteSynchronous.Full);
        var back = await reopened.GetAsync("c-1", CancellationToken.None);

        Assert.NotNull(back);
        Assert.Equal(
            (record.IdempotencyKey, record.Target, record.Mac, record.Ip, record.Device, record.Driver, record.Action, record.Port, record.ReplacedState, record.PlaybookId, record.RunId, record.IncidentId, record.CreatedBy, record.CreatedAt, record.ExpiresAt, record.Status),
            (back.IdempotencyKey, back.Target, back.Mac, back.Ip, back.Device, back.Driver, back.Action, back.Port, back.ReplacedState, back.PlaybookId, back.RunId, back.IncidentId, back.CreatedBy, back.CreatedAt, back.ExpiresAt, back.Status));
    }

    [Fact]
    public async Task SaveAsync_SameId_UpdatesTheRecord_AndFindAsyncUsesTheIdempotencyKey()
    {
        using var ledger = new SqliteContainmentLedger(Database, SqliteSynchronous.Full);
        var record = Record("c-2", "run-2/shutdown", Start);
        await ledger.SaveAsync(record, CancellationToken.None);
        record.Status = ContainmentStatus.Released;
        record.ReleasedBy = "alice";
        record.ReleasedAt = Start.AddMinutes(30);

        await ledger.SaveAsync(record, CancellationToken.None);

        var found = await ledger.FindAsync("run-2/shutdown", CancellationToken.None);
        Assert.Equal((ContainmentStatus.Released, "alice", Start.AddMinutes(30)), (found!.Status, found.ReleasedBy, found.ReleasedAt));
        Assert.Null(await ledger.FindAsync("run-9/shutdown", CancellationToken.None));
        Assert.Single(await ledger.ListAsync(activeOnly: false, 10, CancellationToken.None));
    }

    [Fact]
    public async Task ListAsync_ActiveOnly_IsPendingAndActive_NewestFirst()
    {
        using var ledger = new SqliteContainmentLedger(Database, SqliteSynchronous.Full);
        var statuses = new[] { ContainmentStatus.Pending, ContainmentStatus.Active, ContainmentStatus.Released, ContainmentStatus.Expired, ContainmentStatus.Failed };
        for (var i = 0; i < statuses.Length; i++)
        {
            var record = Record($"c-{i}", $"key-{i}", Start.AddMinutes(i));
            record.Status = statuses[i];
            await ledger.SaveAsync(record, CancellationToken.None);
        }

        var active = await ledger.ListAsync(activeOnly: true, 10, CancellationToken.None);

        Assert.Equal(["c-1", "c-0"], active.Select(r => r.Id));
        Assert.All(active, r => Assert.True(r.MayBeInForce));
        Assert.Equal(5, (await ledger.ListAsync(activeOnly: false, 10, CancellationToken.None)).Count);
        Assert.Equal(2, (await ledger.ListAsync(activeOnly: false, 2, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task SaveAsync_TwoRecordsWithOneIdempotencyKey_IsRefused()
    {
        using var ledger = new SqliteContainmentLedger(Database, SqliteSynchronous.Full);
        await ledger.SaveAsync(Record("c-a", "run-3/block", Start), CancellationToken.None);

        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(async () => await ledger.SaveAsync(Record("c-b", "run-3/block", Start), CancellationToken.None));
    }

    private static ContainmentRecord Record(string id, string key, DateTimeOffset at) => new()
    {
        Id = id,
        IdempotencyKey = key,
        Target = "10.199.10.11",
        Device = "access-sw-48",
        Driver = "snmp",
        Action = "switch.quarantine",
        PlaybookId = "share-worm-source",
        RunId = "run-1",
        IncidentId = "inc-1",
        CreatedBy = "playbook share-worm-source",
        CreatedAt = at,
    };
}
