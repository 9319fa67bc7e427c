using System.Net;
using Orchestrator.Core.Audit;
using Orchestrator.Core.Incidents;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests.Sqlite;

public sealed class SqliteRunStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private readonly StoreFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SaveAsync_RunWithStepsReopened_EveryStepStateComesBack()
    {
        var run = new RunRecord("run-1", "share-worm-source", dryRun: false, Start)
        {
            EventId = 7,
            Window = new Dictionary<string, object?> { ["count"] = 3L, ["distinct"] = 3L },
            Status = RunStatus.WaitingApproval,
            Waiting = new ApprovalWait("ok", StepPhase.Main, Start.AddMinutes(15), ApprovalDefault.Abort, "approve the block"),
        };
        var locate = run.Step("locate", "network.locate", StepPhase.Main);
        locate.Status = StepStatus.Succeeded;
        locate.Attempts = 2;
        locate.Parameters = new Dictionary<string, object?> { ["ip"] = "10.1.1.50", ["ports"] = new List<object?> { 1L, 2L } };
        locate.Outputs = new Dictionary<string, object?> { ["port"] = "Gi1/0/7", ["confidence"] = 0.9, ["edge"] = true };
        locate.StartedAt = Start;
        locate.FinishedAt = Start.AddSeconds(2);
        run.Step("ok", "approve", StepPhase.Main).Status = StepStatus.WaitingApproval;

        Directory.CreateDirectory(_fixture.Directory);
        var path = Path.Combine(_fixture.Directory, "events.db");
        using (var store = new SqliteRunStore(path, SqliteSynchronous.Full))
        {
            await store.SaveAsync(run, CancellationToken.None);
            run.UpdatedAt = Start.AddMinutes(1);
            await store.SaveAsync(run, CancellationToken.None);
        }

        using var reopened = new SqliteRunStore(path, SqliteSynchronous.Full);
        var loaded = await reopened.GetAsync("run-1", CancellationToken.None);
        var unfinished = await reopened.ListUnfinishedAsync(CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(RunStatus.WaitingApproval, loaded.Status);
        Assert.Equal(run.Waiting, loaded.Waiting);
        Assert.Equal(3L, Assert.IsType<long>(loaded.Window["count"]));
        var step = loaded.Steps[0];
        Assert.Equal((StepStatus.Succeeded, 2, "Gi1/0/7", 0.9, true), (step.Status, step.Attempts, step.Outputs!["port"], step.Outputs["confidence"], step.Outputs["edge"]));
        Assert.Equal(new List<object?> { 1L, 2L }, step.Parameters!["ports"]);
        Assert.Equal(StepStatus.WaitingApproval, loaded.Steps[1].Status);
        Assert.Equal("run-1", Assert.Single(unfinished).Id);
    }

    [Fact]
    public async Task ListAsync_ByPlaybookAndStatus_NewestFirst()
    {
        Directory.CreateDirectory(_fixture.Directory);
        using var store = new SqliteRunStore(Path.Combine(_fixture.Directory, "events.db"), SqliteSynchronous.Full);
        for (var i = 0; i < 4; i++)
        {
            var run = new RunRecord($"run-{i}", i % 2 == 0 ? "a" : "b", dryRun: false, Start.AddMinutes(i)) { Status = i == 3 ? RunStatus.Failed : RunStatus.Succeeded };
            await store.SaveAsync(run, CancellationToken.None);
        }

        var ofA = await store.ListAsync("a", null, 10, CancellationToken.None);
        var failed = await store.ListAsync(null, RunStatus.Failed, 10, CancellationToken.None);

        Assert.Equal(["run-2", "run-0"], ofA.Select(r => r.Id));
        Assert.Equal("run-3", Assert.Single(failed).Id);
        Assert.Empty(await store.ListUnfinishedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_AuditEntries_ReadBackInOrderByRun()
    {
        Directory.CreateDirectory(_fixture.Directory);
        using var store = new SqliteRunStore(Path.Combine(_fixture.Directory, "events.db"), SqliteSynchronous.Full);

        await store.AppendAsync(new AuditEntry(Start, AuditKinds.Decision, "share-worm-source fired for 10.1.1.50: 3 distinct host.name within 10m", "share-worm-source", "run-1", EventId: 9), CancellationToken.None);
        await store.AppendAsync(new AuditEntry(Start.AddSeconds(1), AuditKinds.Approval, "approved", "share-worm-source", "run-1", Actor: "alice"), CancellationToken.None);
        await store.AppendAsync(new AuditEntry(Start.AddSeconds(2), AuditKinds.Run, "other run", "x", "run-2"), CancellationToken.None);

        var entries = await store.ReadAuditAsync("run-1", null, 100, CancellationToken.None);

        Assert.Equal([AuditKinds.Decision, AuditKinds.Approval], entries.Select(e => e.Kind));
        Assert.Equal(("alice", 9L), (entries[1].Actor, entries[0].EventId!.Value));
    }

    [Fact]
    public async Task SaveIncidentAsync_Reopened_HostsAddressesAndRunsKept()
    {
        Directory.CreateDirectory(_fixture.Directory);
        var path = Path.Combine(_fixture.Directory, "events.db");
        var incident = new Incident("inc-1", "share-worm-source: 10.1.1.50", Start);
        incident.Hosts.Add("WS-1");
        incident.Ips.Add(IPAddress.Parse("10.1.1.50"));
        incident.RunIds.Add("run-1");
        incident.EventIds.Add(9);
        using (var store = new SqliteRunStore(path, SqliteSynchronous.Full))
        {
            await store.SaveIncidentAsync(incident, CancellationToken.None);
        }

        using var reopened = new SqliteRunStore(path, SqliteSynchronous.Full);
        var loaded = Assert.Single(await reopened.ListIncidentsAsync(openOnly: true, 10, CancellationToken.None));

        Assert.Equal(("share-worm-source: 10.1.1.50", "WS-1", IPAddress.Parse("10.1.1.50"), "run-1", 9L), (loaded.Title, loaded.Hosts.Single(), loaded.Ips.Single(), loaded.RunIds.Single(), loaded.EventIds.Single()));
    }
}
