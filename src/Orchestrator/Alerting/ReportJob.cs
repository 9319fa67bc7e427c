using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Configuration;
using Orchestrator.Connectors.Email;
using Orchestrator.Core.Audit;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Reports;
using Orchestrator.Detection;
using Orchestrator.Storage.Sqlite;
using Quartz;

namespace Orchestrator.Alerting;

/// <summary>A report on a schedule: which report, who gets it, how far back it looks, and for <c>pinpoint</c> the share server to filter on.</summary>
public sealed record ReportSchedule(string Name, string Report, string Cron, TimeZoneInfo TimeZone, IReadOnlyList<string> To, TimeSpan Period, string? ShareServer = null);

/// <summary>Runs a scheduled report (a Quartz cron trigger in the persistent store) and emails it.</summary>
public sealed partial class ReportJob(IReadOnlyDictionary<string, ReportSchedule> schedules, SqliteRunStore store, ReportData data, IEmailSender email, TimeProvider time, ILogger<ReportJob> logger) : IJob
{
    public const string JobGroup = "report";

    /// <summary>The reports this build can run, by the name configs use.</summary>
    public static IReadOnlyList<string> Known { get; } = [IncidentsSummary.Name, UnknownProcessesReport.Name, PinpointReport.Name];

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.JobDetail.Key.Name;
        if (!schedules.TryGetValue(name, out var schedule))
        {
            LogReportGone(logger, name);
            return;
        }

        await RunAsync(schedule, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the report for the period ending now and emails it; returns what was sent.</summary>
    public async ValueTask<RenderedReport> RunAsync(ReportSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var to = time.GetUtcNow();
        var from = to - schedule.Period;
        RenderedReport report;
        EmailAttachment attachment;
        if (schedule.Report == IncidentsSummary.Name)
        {
            var incidents = await store.ListIncidentsAsync(openOnly: false, 100_000, cancellationToken).ConfigureAwait(false);
            report = IncidentsSummary.Render(incidents, from, to);
            attachment = new EmailAttachment($"{schedule.Name}-{to.UtcDateTime:yyyyMMdd}.txt", "text/plain", Encoding.UTF8.GetBytes(report.Text));
        }
        else
        {
            var table = schedule.Report switch
            {
                UnknownProcessesReport.Name => await data.UnknownProcessesAsync(from, to, cancellationToken).ConfigureAwait(false),
                PinpointReport.Name => await data.PinpointAsync(from, to, schedule.ShareServer, cancellationToken).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"report {schedule.Name}: '{schedule.Report}' is not a report (known: {string.Join(", ", Known)})"),
            };
            report = ReportFormats.ToEmail(table);
            attachment = new EmailAttachment($"{schedule.Name}-{to.UtcDateTime:yyyyMMdd}.csv", "text/csv", Encoding.UTF8.GetBytes(ReportFormats.Render(table, ReportFormats.Csv)));
        }

        await email.SendAsync(new EmailMessage(schedule.To, [], report.Subject, report.Text, report.Html, [attachment]), cancellationToken).ConfigureAwait(false);
        await store.AppendAsync(new AuditEntry(to, AuditKinds.Report, string.Create(CultureInfo.InvariantCulture, $"report {schedule.Name} ({schedule.Report}) sent to {string.Join(", ", schedule.To)}: {report.Subject}"), Actor: "scheduler"), cancellationToken).ConfigureAwait(false);
        LogReportSent(logger, schedule.Name, schedule.To.Count);
        return report;
    }

    /// <summary>Parses the configured schedules; errors name the field and why.</summary>
    public static IReadOnlyDictionary<string, ReportSchedule> Parse(IEnumerable<ReportScheduleConfig> configured, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(errors);
        var schedules = new Dictionary<string, ReportSchedule>(StringComparer.Ordinal);
        var index = 0;
        foreach (var configuredReport in configured)
        {
            var (name, report, cron, zone, to, period, shareServer) = (configuredReport.Name, configuredReport.Report, configuredReport.Cron, configuredReport.TimeZone, configuredReport.To, configuredReport.Period, configuredReport.ShareServer);
            var at = $"alerting.reports[{index++}]";
            if (string.IsNullOrWhiteSpace(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                errors.Add($"{at}.name: use letters, digits, '-' and '_'");
            }
            else if (schedules.ContainsKey(name))
            {
                errors.Add($"{at}.name: '{name}' is used twice");
            }

            if (!Known.Contains(report))
            {
                errors.Add($"{at}.report: '{report}' is not a report (known: {string.Join(", ", Known)})");
            }

            if (!CronExpression.TryParse(cron, out _))
            {
                errors.Add($"{at}.cron: '{cron}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 0 7 * * ?')");
            }

            var timeZone = TimeZoneInfo.Utc;
            if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out timeZone))
            {
                errors.Add($"{at}.time_zone: '{zone}' is not a time zone id (e.g. Europe/Berlin)");
                timeZone = TimeZoneInfo.Utc;
            }

            if (to.Count == 0)
            {
                errors.Add($"{at}.to: give at least one address");
            }

            if (!Durations.TryParse(period, out var span) || span <= TimeSpan.Zero)
            {
                errors.Add($"{at}.period: '{period}' is not a duration like 24h or 7d");
            }

            if (shareServer is not null && report != PinpointReport.Name)
            {
                errors.Add($"{at}.share_server: only the {PinpointReport.Name} report filters on a share server; remove it or use report: {PinpointReport.Name}");
            }
            else if (shareServer is not null && ShareServerClients.Problem(shareServer) is { } problem)
            {
                errors.Add($"{at}.share_server: {problem}");
            }

            schedules[name] = new ReportSchedule(name, report, cron, timeZone!, to, span, shareServer?.Trim());
        }

        return schedules;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {Name} sent to {Recipients} recipient(s)")]
    private static partial void LogReportSent(ILogger logger, string name, int recipients);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {Name} is scheduled but no longer configured; nothing sent")]
    private static partial void LogReportGone(ILogger logger, string name);
}
