using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Alerting;
using Orchestrator.Connectors.Email;
using Orchestrator.Connectors.Tests.Email;
using Orchestrator.Core.Incidents;
using Orchestrator.Storage.Sqlite;
using Quartz;

namespace Orchestrator.Tests.Alerting;

/// <summary>The daily incidents summary, rendered from the store and emailed through a real SMTP server, and its cron trigger in the persistent store.</summary>
public sealed class ReportTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 7, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("orch-report-").FullName;
    private SmtpTestServer _smtp = null!;

    private string Database => Path.Combine(_directory, SqliteEventStore.FileName);

    public async Task InitializeAsync() => _smtp = await SmtpTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _smtp.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task IncidentsSummary_EmailsThePeriodsIncidents_AndAuditsIt()
    {
        using var store = new SqliteRunStore(Database, SqliteSynchronous.Full);
        var open = new Incident("inc-open", "share-worm-source: 10.0.0.9", Now.AddHours(-2)) { LastActivity = Now.AddHours(-1) };
        open.Hosts.Add("PC-0042");
        var acknowledged = new Incident("inc-acked", "ransomware-alert: PC-0007", Now.AddHours(-3)) { AcknowledgedAt = Now.AddHours(-2), AcknowledgedBy = "alice" };
        var old = new Incident("inc-old", "old news", Now.AddDays(-3)) { Status = IncidentStatus.Resolved, ResolvedBy = "bob" };
        foreach (var incident in new[] { open, acknowledged, old })
        {
            await store.SaveIncidentAsync(incident, CancellationToken.None);
        }

        var schedule = new ReportSchedule("daily", "incidents-summary", "0 0 7 * * ?", TimeZoneInfo.Utc, ["soc@example.org", "ciso@example.org"], TimeSpan.FromHours(24));
        await using var sender = new SmtpEmailSender(new SmtpOptions { Host = "127.0.0.1", Port = _smtp.Port, Security = SmtpSecurity.None, From = "orchestrator@example.org" }, NullLogger<SmtpEmailSender>.Instance, TimeProvider.System);
        var job = new ReportJob(new Dictionary<string, ReportSchedule> { ["daily"] = schedule }, store, sender, new FakeTimeProvider(Now), NullLogger<ReportJob>.Instance);

        var report = await job.RunAsync(schedule, CancellationToken.None);

        var received = Assert.Single(_smtp.Received());
        var message = received.Parse();
        Assert.Equal("Incidents summary: 2 active, 2 open (1 not acknowledged), 2 new", message.Subject);
        Assert.Equal(["soc@example.org", "ciso@example.org"], received.RcptTos);
        Assert.Contains("- inc-open [open] opened 2026-11-24 05:00", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("inc-acked [open, acknowledged by alice]", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("inc-old", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("<td>PC-0042</td>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(report.Subject, message.Subject);
        var audit = await store.ReadAuditAsync(null, null, 10, CancellationToken.None);
        Assert.Contains(audit, a => a.Kind == "report" && a.Text.StartsWith("report daily (incidents-summary) sent to soc@example.org, ciso@example.org", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Schedule_IsACronTriggerInTheDatabase_FiringAtTheConfiguredTime()
    {
        var schedule = new ReportSchedule("daily", "incidents-summary", "0 30 6 * * ?", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), ["soc@example.org"], TimeSpan.FromHours(24));
        using var store = new SqliteRunStore(Database, SqliteSynchronous.Full);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton<IEmailSender, UnconfiguredEmailSender>();
        services.AddSingleton<IReadOnlyDictionary<string, ReportSchedule>>(new Dictionary<string, ReportSchedule> { ["daily"] = schedule });
        services.AddScheduler(Database, new Dictionary<string, ReportSchedule> { ["daily"] = schedule });
        await using var provider = services.BuildServiceProvider();
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.Start();
        try
        {
            var trigger = await scheduler.GetTrigger(new TriggerKey("daily", ReportJob.JobGroup));

            Assert.NotNull(trigger);
            var next = TimeZoneInfo.ConvertTime(trigger.NextFireTimeUtc!.Value, schedule.TimeZone);
            Assert.Equal((6, 30, 0), (next.Hour, next.Minute, next.Second));
            Assert.Equal(new JobKey("daily", ReportJob.JobGroup), trigger.JobKey);
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: true);
        }
    }
}
