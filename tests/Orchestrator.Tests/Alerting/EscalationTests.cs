using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Alerting;
using Orchestrator.Connectors.Paging;
using Orchestrator.Core.Incidents;
using Orchestrator.Storage.Sqlite;
using Quartz;

namespace Orchestrator.Tests.Alerting;

/// <summary>
/// Escalation on a real Quartz scheduler whose jobs live in a real SQLite file (the service's database):
/// levels page in order until somebody acknowledges, the pending level survives a restart and fires at
/// start when overdue, and acknowledging or resolving reaches the alerts already paged.
/// </summary>
public sealed class EscalationTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("orch-escalation-").FullName;
    private readonly RecordingPager _first = new("oncall");
    private readonly RecordingPager _second = new("managers");

    private string Database => Path.Combine(_directory, SqliteEventStore.FileName);

    [Fact]
    public async Task Unacknowledged_PagesTheNextLevelAfterItsDelay_AndRecordsBoth()
    {
        await using var service = await StartAsync(TimeSpan.FromSeconds(1));
        var incident = await service.NewIncidentAsync("inc-escalate");

        var receipt = await service.Escalations.EscalateAsync(incident.Id, "soc", PageFor(incident), CancellationToken.None);

        Assert.Equal(202, receipt.Status);
        var first = Assert.Single(_first.Pages);
        Assert.Equal((PageAction.Trigger, "inc-escalate"), (first.Action, first.DedupKey));
        var second = await _second.WaitForAsync(1);
        Assert.Equal((PageAction.Trigger, "inc-escalate"), (second[0].Action, second[0].DedupKey));
        Assert.Equal("worm source 10.0.0.9", second[0].Summary);
        var pages = await service.Store.ListPagesAsync(incident.Id, CancellationToken.None);
        Assert.Equal([("oncall", 0), ("managers", 1)], pages.Select(p => (p.Target, p.Level)));
        Assert.Null(await service.Escalations.PendingAsync(incident.Id, CancellationToken.None));
        var audit = await service.Store.ReadAuditAsync(null, incident.Id, 100, CancellationToken.None);
        Assert.Contains(audit, a => a.Text.StartsWith("paged managers (level 1 of escalation policy soc)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Acknowledged_RemovesThePendingLevel_AndAcknowledgesWhatWasPaged()
    {
        await using var service = await StartAsync(TimeSpan.FromHours(1));
        var incident = await service.NewIncidentAsync("inc-ack");
        await service.Escalations.EscalateAsync(incident.Id, "soc", PageFor(incident), CancellationToken.None);
        Assert.Equal(1, (await service.Escalations.PendingAsync(incident.Id, CancellationToken.None))?.Level);

        await service.Escalations.AcknowledgedAsync(incident, CancellationToken.None);

        Assert.Null(await service.Escalations.PendingAsync(incident.Id, CancellationToken.None));
        Assert.Equal([PageAction.Trigger, PageAction.Acknowledge], _first.Pages.Select(p => p.Action));
        Assert.All(_first.Pages, p => Assert.Equal("inc-ack", p.DedupKey));
        Assert.Empty(_second.Pages);
    }

    [Fact]
    public async Task AlreadyAcknowledged_PagesTheFirstLevel_ButSchedulesNoMore()
    {
        await using var service = await StartAsync(TimeSpan.FromHours(1));
        var incident = await service.NewIncidentAsync("inc-taken");
        incident.AcknowledgedAt = DateTimeOffset.UtcNow;
        incident.AcknowledgedBy = "alice";
        await service.Store.SaveIncidentAsync(incident, CancellationToken.None);

        await service.Escalations.EscalateAsync(incident.Id, "soc", PageFor(incident), CancellationToken.None);

        Assert.Single(_first.Pages);
        Assert.Null(await service.Escalations.PendingAsync(incident.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Resolved_ResolvesEveryAlertPagedForTheIncident()
    {
        await using var service = await StartAsync(TimeSpan.FromHours(1));
        var incident = await service.NewIncidentAsync("inc-resolve");
        await service.Escalations.EscalateAsync(incident.Id, "soc", PageFor(incident), CancellationToken.None);
        await service.Escalations.PagedAsync(incident.Id, "managers", PageFor(incident), CancellationToken.None);

        await service.Escalations.ResolvedAsync(incident, CancellationToken.None);

        Assert.Equal(PageAction.Resolve, _first.Pages[^1].Action);
        Assert.Equal(PageAction.Resolve, _second.Pages[^1].Action);
        Assert.Equal("inc-resolve", _second.Pages[^1].DedupKey);
        Assert.Null(await service.Escalations.PendingAsync(incident.Id, CancellationToken.None));
    }

    [Fact]
    public async Task PendingLevel_SurvivesARestart_AndFiresAtStartWhenOverdue()
    {
        var incident = new Incident("inc-restart", "worm-source: 10.0.0.9", DateTimeOffset.UtcNow);
        await using (var service = await StartAsync(TimeSpan.FromSeconds(2)))
        {
            await service.Store.SaveIncidentAsync(incident, CancellationToken.None);
            await service.Escalations.EscalateAsync(incident.Id, "soc", PageFor(incident), CancellationToken.None);
            Assert.NotNull(await service.Escalations.PendingAsync(incident.Id, CancellationToken.None));
        }

        // Down past the level's time: the trigger is overdue when the next scheduler starts on the same file.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Empty(_second.Pages);
        await using var restarted = await StartAsync(TimeSpan.FromSeconds(2));

        var paged = await _second.WaitForAsync(1);
        Assert.Equal("inc-restart", paged[0].DedupKey);
    }

    [Fact]
    public async Task FailingLevel_IsAudited_AndTheNextLevelStillPages()
    {
        _first.Fail = true;
        await using var service = await StartAsync(TimeSpan.FromSeconds(1), levels: 3);
        var incident = await service.NewIncidentAsync("inc-fail");

        await Assert.ThrowsAsync<PagingException>(async () => await service.Escalations.EscalateAsync(incident.Id, "soc", PageFor(incident), CancellationToken.None));

        // The first page failed before anything was scheduled: the step fails and on_failure runs.
        Assert.Null(await service.Escalations.PendingAsync(incident.Id, CancellationToken.None));
        _first.Fail = false;
        _second.Fail = true;
        await service.Escalations.EscalateAsync(incident.Id, "soc", PageFor(incident), CancellationToken.None);
        var third = await _first.WaitForAsync(2);
        Assert.Equal(PageAction.Trigger, third[1].Action);
        var audit = await service.Store.ReadAuditAsync(null, incident.Id, 100, CancellationToken.None);
        Assert.Contains(audit, a => a.Text.StartsWith("escalation level 1 (managers) failed", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Page PageFor(Incident incident) =>
        new(PageAction.Trigger, incident.Id, "worm source 10.0.0.9", "critical", "10.0.0.9", new Dictionary<string, object?> { ["count"] = 3 });

    private async Task<RunningScheduler> StartAsync(TimeSpan after, int levels = 2)
    {
        var store = new SqliteRunStore(Database, SqliteSynchronous.Full);
        List<EscalationLevel> policyLevels = [new(TimeSpan.Zero, "oncall"), new(after, "managers")];
        if (levels == 3)
        {
            policyLevels.Add(new EscalationLevel(after, "oncall"));
        }

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton(sp => new Escalations(
            sp.GetRequiredService<ISchedulerFactory>(),
            new Dictionary<string, IPagerTarget> { ["oncall"] = _first, ["managers"] = _second },
            new Dictionary<string, EscalationPolicy> { ["soc"] = new("soc", policyLevels) },
            store,
            TimeProvider.System,
            sp.GetRequiredService<ILogger<Escalations>>()));
        services.AddScheduler(Database, new Dictionary<string, ReportSchedule>());
        var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.Start();
        return new RunningScheduler(provider, scheduler, store, provider.GetRequiredService<Escalations>());
    }

    private sealed record RunningScheduler(ServiceProvider Provider, IScheduler Scheduler, SqliteRunStore Store, Escalations Escalations) : IAsyncDisposable
    {
        public async Task<Incident> NewIncidentAsync(string id)
        {
            var incident = new Incident(id, "worm-source: 10.0.0.9", DateTimeOffset.UtcNow);
            incident.Ips.Add(System.Net.IPAddress.Parse("10.0.0.9"));
            await Store.SaveIncidentAsync(incident, CancellationToken.None);
            return incident;
        }

        public async ValueTask DisposeAsync()
        {
            await Scheduler.Shutdown(waitForJobsToComplete: true);
            await Provider.DisposeAsync();
            Store.Dispose();
        }
    }

    /// <summary>A pager target that records what it was sent (or refuses, when told to).</summary>
    private sealed class RecordingPager(string name) : IPagerTarget
    {
        private readonly ConcurrentQueue<Page> _pages = new();

        public string Name { get; } = name;

        public bool Fail { get; set; }

        public IReadOnlyList<Page> Pages => [.. _pages];

        public ValueTask<PageReceipt> SendAsync(Page page, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new PagingException($"{Name} refused the page (test)");
            }

            _pages.Enqueue(page);
            return ValueTask.FromResult(new PageReceipt(202, "id-" + _pages.Count, 1));
        }

        public async Task<IReadOnlyList<Page>> WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (_pages.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{Name} got {_pages.Count} page(s), expected {count}");
                await Task.Delay(50);
            }

            return Pages;
        }
    }
}
