using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Orchestrator.Alerting;
using Orchestrator.Configuration;
using Orchestrator.Connectors.Email;
using Orchestrator.Connectors.Tests.Email;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Incidents;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Detection;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Tests.Cli;
using Quartz;

namespace Orchestrator.Tests.Alerting;

/// <summary>The scheduled reports (incidents summary, unknown processes), rendered from the stores and emailed through a real SMTP server, and their cron trigger in the persistent store.</summary>
public sealed class ReportTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 7, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("orch-report-").FullName;
    private SmtpTestServer _smtp = null!;

    private string Database => Path.Combine(_directory, SqliteEventStore.FileName);

    public async Task InitializeAsync() => _smtp = await SmtpTestServer.StartAsync();

    private SqliteEventStore OpenEvents() => new(new SqliteEventStoreOptions { DataDirectory = _directory }, ParserRegistry.CreateDefault());

    private static async Task StoreSysmonAsync(SqliteEventStore events, string[] lines)
    {
        var session = ParserRegistry.CreateDefault().StartSession(EventFormats.Sysmon);
        var items = lines.Select(line => IngestItem.ForEvent(session.Parse(line, DateTimeOffset.UnixEpoch).Event!, null, "test")).ToList();
        await events.AppendAsync(items, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
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
        await using var events = OpenEvents();
        using var firstSeen = new SqliteFirstSeenStore(events);
        var data = ReportData.FromStore(events, firstSeen, new FirstSeenOptions());
        var job = new ReportJob(new Dictionary<string, ReportSchedule> { ["daily"] = schedule }, store, data, sender, new FakeTimeProvider(Now), NullLogger<ReportJob>.Instance);

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
    public async Task UnknownProcesses_EmailsTheExecutablesFirstSeenInThePeriod_WithCsvAttached()
    {
        // The report runs at 07:00 on 2015-12-13 over the 24 hours before.
        var now = new DateTimeOffset(2015, 12, 13, 7, 0, 0, TimeSpan.Zero);
        const string Invoice = "3337e3875b05e0bfba69ab926532e3f179e8cfbf162ebb60ce58a0281437a7ef";
        const string Svchost = "141b2190f51397dbd0dfde0e3904b264c91b6f81febc823ff0c33da980b69944";
        await using var events = OpenEvents();
        await StoreSysmonAsync(events,
        [
            SysmonLines.ProcessStart(now.AddDays(-12), "PC-01", @"C:\Windows\System32\svchost.exe", Svchost),
            SysmonLines.ProcessStart(now.AddHours(-22), "PC-02", @"C:\Users\bob\AppData\Local\Temp\invoice.exe", Invoice),
            SysmonLines.ProcessStart(now.AddHours(-21), "PC-03", @"C:\Users\eve\AppData\Local\Temp\invoice.exe", Invoice),
            SysmonLines.ProcessStart(now.AddHours(-20), "PC-03", @"C:\Windows\System32\svchost.exe", Svchost),
            SysmonLines.ProcessStart(now.AddHours(-24).AddMilliseconds(-1), "PC-04", @"C:\Temp\before.exe", null),
        ]);
        using var store = new SqliteRunStore(Database, SqliteSynchronous.Full);
        using var firstSeen = new SqliteFirstSeenStore(events);
        var schedule = new ReportSchedule("new-executables", "unknown-processes", "0 0 7 * * ?", TimeZoneInfo.Utc, ["soc@example.org"], TimeSpan.FromHours(24));
        await using var sender = new SmtpEmailSender(new SmtpOptions { Host = "127.0.0.1", Port = _smtp.Port, Security = SmtpSecurity.None, From = "orchestrator@example.org" }, NullLogger<SmtpEmailSender>.Instance, TimeProvider.System);
        var job = new ReportJob(new Dictionary<string, ReportSchedule> { ["new-executables"] = schedule }, store, ReportData.FromStore(events, firstSeen, new FirstSeenOptions()), sender, new FakeTimeProvider(now), NullLogger<ReportJob>.Instance);

        await job.RunAsync(schedule, CancellationToken.None);

        var message = Assert.Single(_smtp.Received()).Parse();
        Assert.Equal("Unknown processes first seen from 2015-12-12 07:00 to 2015-12-13 07:00 UTC: 1 executable first seen, on 2 hosts", message.Subject);
        Assert.Contains($"2015-12-12 09:00:00  {Invoice}  invoice.exe  C:\\Users\\bob\\AppData\\Local\\Temp\\invoice.exe", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("svchost", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("before.exe", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("<td>pc-02, pc-03</td>", message.HtmlBody, StringComparison.Ordinal);
        var attachment = Assert.IsAssignableFrom<MimePart>(Assert.Single(message.Attachments));
        Assert.Equal(("new-executables-20151213.csv", "text/csv"), (attachment.FileName, attachment.ContentType.MimeType));
        using var csv = new MemoryStream();
        await attachment.Content!.DecodeToAsync(csv);
        Assert.Equal(
            "first_seen,sha256,name,path,signer,host_count,hosts,allowlisted\r\n"
            + $"2015-12-12 09:00:00,{Invoice},invoice.exe,C:\\Users\\bob\\AppData\\Local\\Temp\\invoice.exe,,2,\"pc-02, pc-03\",\r\n",
            Encoding.UTF8.GetString(csv.ToArray()));
        var audit = await store.ReadAuditAsync(null, null, 10, CancellationToken.None);
        Assert.Contains(audit, a => a.Kind == "report" && a.Text.StartsWith("report new-executables (unknown-processes) sent to soc@example.org", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ShareServer_OnlyForPinpointAndAnAddressOrName()
    {
        var errors = new List<string>();
        var schedules = ReportJob.Parse(
        [
            new ReportScheduleConfig { Name = "ok", Report = "pinpoint", Cron = "0 0 7 * * ?", To = ["soc@example.org"], ShareServer = "fs01.corp.local" },
            new ReportScheduleConfig { Name = "bad-name", Report = "pinpoint", Cron = "0 0 7 * * ?", To = ["soc@example.org"], ShareServer = "file server" },
            new ReportScheduleConfig { Name = "wrong-report", Report = "unknown-processes", Cron = "0 0 7 * * ?", To = ["soc@example.org"], ShareServer = "10.0.0.5" },
        ], errors);

        Assert.Equal(
        [
            "alerting.reports[1].share_server: 'file server' is neither an IP address nor a host name",
            "alerting.reports[2].share_server: only the pinpoint report filters on a share server; remove it or use report: pinpoint",
        ], errors);
        Assert.Equal("fs01.corp.local", schedules["ok"].ShareServer);
    }

    [Fact]
    public void Parse_KnownReports_IncludeTheFirstSeenReports() =>
        Assert.Equal(["incidents-summary", "unknown-processes", "pinpoint"], ReportJob.Known);

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
