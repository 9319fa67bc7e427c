using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Connectors.Paging;
using Orchestrator.Core.Audit;
using Orchestrator.Core.Incidents;
using Orchestrator.Storage.Sqlite;
using Quartz;

namespace Orchestrator.Alerting;

/// <summary>
/// Pages for incidents and their escalation. Every page sent for an incident is recorded, so that
/// acknowledging the incident acknowledges its alerts and resolving it resolves them (PagerDuty's
/// <c>dedup_key</c> is the incident id). An escalation pages the policy's first level at once; each
/// next level is a Quartz trigger in the persistent job store (the service's SQLite database), so it
/// survives a restart, and one overdue at start fires at once. Acknowledging or resolving the incident
/// removes the pending trigger.
/// </summary>
public sealed partial class Escalations : IIncidentPaging
{
    public const string JobGroup = "escalation";

    /// <summary>The one durable job every escalation trigger fires; the trigger carries the incident and level.</summary>
    public static readonly JobKey JobKey = new("escalate", JobGroup);

    private readonly ISchedulerFactory _schedulers;
    private readonly IReadOnlyDictionary<string, IPagerTarget> _targets;
    private readonly IReadOnlyDictionary<string, EscalationPolicy> _policies;
    private readonly SqliteRunStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public Escalations(
        ISchedulerFactory schedulers,
        IReadOnlyDictionary<string, IPagerTarget> targets,
        IReadOnlyDictionary<string, EscalationPolicy> policies,
        SqliteRunStore store,
        TimeProvider time,
        ILogger<Escalations> logger)
    {
        _schedulers = schedulers;
        _targets = targets;
        _policies = policies;
        _store = store;
        _time = time;
        _logger = logger;
    }

    public bool HasPolicy(string policy) => _policies.ContainsKey(policy);

    public ValueTask PagedAsync(string incidentId, string target, Page page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        return _store.RecordPageAsync(new IncidentPage(incidentId, target, page.DedupKey, 0, null, _time.GetUtcNow()), cancellationToken);
    }

    public async ValueTask<PageReceipt> EscalateAsync(string incidentId, string policy, Page page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!_policies.TryGetValue(policy, out var known))
        {
            throw new PagingException($"no escalation policy '{policy}' (configured: {string.Join(", ", _policies.Keys)})");
        }

        var receipt = await PageLevelAsync(incidentId, known, 0, page, cancellationToken).ConfigureAwait(false);
        await ScheduleAsync(incidentId, known, 1, page, cancellationToken).ConfigureAwait(false);
        return receipt;
    }

    /// <summary>Stops the incident's escalation and acknowledges the alerts paged for it.</summary>
    public ValueTask AcknowledgedAsync(Incident incident, CancellationToken cancellationToken) =>
        CloseAsync(incident, PageAction.Acknowledge, cancellationToken);

    /// <summary>Stops the incident's escalation and resolves the alerts paged for it.</summary>
    public ValueTask ResolvedAsync(Incident incident, CancellationToken cancellationToken) =>
        CloseAsync(incident, PageAction.Resolve, cancellationToken);

    /// <summary>The pending escalation of an incident: the level and when it pages, or null.</summary>
    public async ValueTask<(int Level, DateTimeOffset At)?> PendingAsync(string incidentId, CancellationToken cancellationToken)
    {
        var scheduler = await _schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var trigger = await scheduler.GetTrigger(new TriggerKey(incidentId, JobGroup), cancellationToken).ConfigureAwait(false);
        if (trigger?.NextFireTimeUtc is not { } at)
        {
            return null;
        }

        return (int.Parse(Text(trigger.JobDataMap, DataKeys.Level), CultureInfo.InvariantCulture), at);
    }

    /// <summary>A level's timer fired: page it unless the incident was acknowledged or resolved meanwhile, then schedule the next.</summary>
    internal async ValueTask FireAsync(JobDataMap data, CancellationToken cancellationToken)
    {
        var incidentId = Text(data, DataKeys.Incident);
        var level = int.Parse(Text(data, DataKeys.Level), CultureInfo.InvariantCulture);
        var policyName = Text(data, DataKeys.Policy);
        var incident = await _store.GetIncidentAsync(incidentId, cancellationToken).ConfigureAwait(false);
        if (incident is null || incident.Status == IncidentStatus.Resolved || incident.AcknowledgedAt is not null)
        {
            LogEscalationStopped(_logger, incidentId, level);
            return;
        }

        if (!_policies.TryGetValue(policyName, out var policy) || level >= policy.Levels.Count)
        {
            await AuditAsync(incidentId, $"escalation policy '{policyName}' has no level {level} any more (configuration changed): escalation ends", cancellationToken).ConfigureAwait(false);
            return;
        }

        var page = PageFrom(data);
        try
        {
            await PageLevelAsync(incidentId, policy, level, page, cancellationToken).ConfigureAwait(false);
        }
        catch (PagingException ex)
        {
            // A level that cannot be reached must not stop the escalation: the next level still pages.
            LogEscalationPageFailed(_logger, ex, incidentId, level, policy.Levels[level].Target);
            await AuditAsync(incidentId, $"escalation level {level} ({policy.Levels[level].Target}) failed: {ex.Message}", cancellationToken).ConfigureAwait(false);
        }

        await ScheduleAsync(incidentId, policy, level + 1, page, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<PageReceipt> PageLevelAsync(string incidentId, EscalationPolicy policy, int level, Page page, CancellationToken cancellationToken)
    {
        var targetName = policy.Levels[level].Target;
        if (!_targets.TryGetValue(targetName, out var target))
        {
            throw new PagingException($"escalation policy '{policy.Name}' level {level} names pager target '{targetName}', which is not configured");
        }

        var receipt = await target.SendAsync(page with { Action = PageAction.Trigger }, cancellationToken).ConfigureAwait(false);
        await _store.RecordPageAsync(new IncidentPage(incidentId, targetName, page.DedupKey, level, policy.Name, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await AuditAsync(incidentId, $"paged {targetName} (level {level} of escalation policy {policy.Name}): {page.Summary}", cancellationToken).ConfigureAwait(false);
        return receipt;
    }

    private async ValueTask ScheduleAsync(string incidentId, EscalationPolicy policy, int level, Page page, CancellationToken cancellationToken)
    {
        if (level >= policy.Levels.Count)
        {
            return;
        }

        // Acknowledged (or resolved) while this level paged: nothing more to schedule. An answer that
        // lands after this check is still honoured: the level's timer finds it and pages nobody.
        if (await _store.GetIncidentAsync(incidentId, cancellationToken).ConfigureAwait(false) is { } incident
            && (incident.AcknowledgedAt is not null || incident.Status == IncidentStatus.Resolved))
        {
            return;
        }

        var at = _time.GetUtcNow() + policy.Levels[level].After;
        var trigger = TriggerBuilder.Create(_time)
            .WithIdentity(new TriggerKey(incidentId, JobGroup))
            .ForJob(JobKey)
            .StartAt(at)
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .UsingJobData(DataKeys.Incident, incidentId)
            .UsingJobData(DataKeys.Policy, policy.Name)
            .UsingJobData(DataKeys.Level, level.ToString(CultureInfo.InvariantCulture))
            .UsingJobData(DataKeys.Page, JsonSerializer.Serialize(StoredPage.From(page)))
            .Build();
        var scheduler = await _schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, cancellationToken).ConfigureAwait(false);
        LogEscalationScheduled(_logger, incidentId, level, policy.Levels[level].Target, at);
    }

    private async ValueTask CloseAsync(Incident incident, PageAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var scheduler = await _schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        if (await scheduler.UnscheduleJob(new TriggerKey(incident.Id, JobGroup), cancellationToken).ConfigureAwait(false))
        {
            await AuditAsync(incident.Id, $"escalation stopped: {(action == PageAction.Acknowledge ? "acknowledged" : "resolved")}", cancellationToken).ConfigureAwait(false);
        }

        var pages = await _store.ListPagesAsync(incident.Id, cancellationToken).ConfigureAwait(false);
        foreach (var paged in pages.DistinctBy(p => (p.Target, p.DedupKey)))
        {
            if (!_targets.TryGetValue(paged.Target, out var target))
            {
                continue;
            }

            var verb = action == PageAction.Acknowledge ? "acknowledged" : "resolved";
            var page = new Page(action, paged.DedupKey, $"{incident.Title}: {verb}", "info", string.Join(", ", incident.Hosts.Concat(incident.Ips.Select(ip => ip.ToString()))), new Dictionary<string, object?>());
            try
            {
                await target.SendAsync(page, cancellationToken).ConfigureAwait(false);
                await AuditAsync(incident.Id, $"{verb} the alert on {paged.Target}", cancellationToken).ConfigureAwait(false);
            }
            catch (PagingException ex)
            {
                LogClosePageFailed(_logger, ex, incident.Id, paged.Target);
                await AuditAsync(incident.Id, $"could not mark the alert on {paged.Target} {verb}: {ex.Message}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private ValueTask AuditAsync(string incidentId, string text, CancellationToken cancellationToken) =>
        _store.AppendAsync(new AuditEntry(_time.GetUtcNow(), AuditKinds.Page, text, IncidentId: incidentId, Actor: "escalation"), cancellationToken);

    private static Page PageFrom(JobDataMap data) =>
        JsonSerializer.Deserialize<StoredPage>(Text(data, DataKeys.Page))!.ToPage();

    private static string Text(JobDataMap data, string key) =>
        data.TryGetValue(key, out var value) && value is string text ? text : throw new InvalidOperationException($"escalation trigger without '{key}'");

    private static class DataKeys
    {
        public const string Incident = "incident";
        public const string Policy = "policy";
        public const string Level = "level";
        public const string Page = "page";
    }

    // The page as the trigger keeps it: strings only, so the job store holds plain JSON.
    private sealed record StoredPage(string DedupKey, string Summary, string Severity, string Source, Dictionary<string, string?> Details, string? Link)
    {
        public static StoredPage From(Page page) => new(
            page.DedupKey, page.Summary, page.Severity, page.Source,
            page.Details.ToDictionary(kv => kv.Key, kv => kv.Value is null ? null : Convert.ToString(kv.Value, CultureInfo.InvariantCulture), StringComparer.Ordinal),
            page.Link);

        public Page ToPage() => new(PageAction.Trigger, DedupKey, Summary, Severity, Source, Details.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal), Link);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Incident {IncidentId}: escalation level {Level} ({Target}) pages at {At:u} unless acknowledged")]
    private static partial void LogEscalationScheduled(ILogger logger, string incidentId, int level, string target, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Information, Message = "Incident {IncidentId}: escalation level {Level} not paged, the incident is acknowledged, resolved or gone")]
    private static partial void LogEscalationStopped(ILogger logger, string incidentId, int level);

    [LoggerMessage(Level = LogLevel.Error, Message = "Incident {IncidentId}: escalation level {Level} could not page {Target}; the next level still will")]
    private static partial void LogEscalationPageFailed(ILogger logger, Exception exception, string incidentId, int level, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Incident {IncidentId}: could not update the alert on {Target}")]
    private static partial void LogClosePageFailed(ILogger logger, Exception exception, string incidentId, string target);
}

/// <summary>The Quartz job every escalation trigger fires.</summary>
public sealed class EscalationJob(Escalations escalations) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        await escalations.FireAsync(context.MergedJobDataMap, cancellationToken).ConfigureAwait(false);
    }
}
