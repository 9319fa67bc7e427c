using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Audit;
using Orchestrator.Core.Incidents;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Api;

/// <summary>A run in a list: what it is, where it stands, and what it waits for.</summary>
public sealed record RunSummaryView(
    string Id, string PlaybookId, string Status, bool DryRun, DateTime CreatedAt, DateTime UpdatedAt, long? EventId, string? WaitingFor, string? Error);

/// <summary>One run in full: each step's state, attempts, parameters, outputs, error and timings, and the run's audit trail.</summary>
public sealed record RunDetailView(
    string Id, string PlaybookId, string Status, bool DryRun, DateTime CreatedAt, DateTime UpdatedAt, long? EventId, string? IncidentId,
    string? Error, ApprovalView? Waiting, IReadOnlyDictionary<string, object?> Window, IReadOnlyList<StepView> Steps, IReadOnlyList<AuditView> Audit);

/// <summary>One step of a run as the API and the CLI show it.</summary>
public sealed record StepView(
    string Id, string Type, string Phase, string Status, int Attempts,
    IReadOnlyDictionary<string, object?>? Parameters, IReadOnlyDictionary<string, object?>? Outputs, string? Error,
    DateTime? StartedAt, DateTime? FinishedAt, double? DurationMs, string? DecidedBy);

/// <summary>The approval a run waits for: the step, the deadline, and what happens when nobody answers.</summary>
public sealed record ApprovalView(string StepId, DateTime Deadline, string Default, string Reason);

/// <summary>One audit entry as the API and the CLI show it.</summary>
public sealed record AuditView(DateTime At, string Kind, string Text, string? Actor, string? PlaybookId, string? RunId, string? IncidentId, long? EventId);

/// <summary>An incident in a list.</summary>
public sealed record IncidentSummaryView(
    string Id, string Title, string Status, DateTime OpenedAt, DateTime LastActivity, IReadOnlyList<string> Hosts, IReadOnlyList<string> Ips,
    IReadOnlyList<string> RunIds, int EventCount, string? ResolvedBy, string? AcknowledgedBy, DateTime? AcknowledgedAt);

/// <summary>One incident in full: its entities, its runs, its events and its audit trail.</summary>
public sealed record IncidentDetailView(
    string Id, string Title, string Status, DateTime OpenedAt, DateTime LastActivity, IReadOnlyList<string> Hosts, IReadOnlyList<string> Ips,
    IReadOnlyList<long> EventIds, string? ResolvedBy, IReadOnlyList<RunSummaryView> Runs, IReadOnlyList<AuditView> Audit,
    string? AcknowledgedBy, DateTime? AcknowledgedAt, IReadOnlyList<PageView> Pages);

/// <summary>A page sent for an incident.</summary>
public sealed record PageView(string Target, string DedupKey, int Level, string? Policy, DateTime At);

/// <summary>
/// Builds the views of runs and incidents from the run store, for the API and for the CLI (which
/// reads the data directory directly), so both show the same fields under the same names.
/// </summary>
public static class RunViews
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;
    private const int MaxAuditEntries = 1_000;

    /// <summary>snake_case names, as the API writes them; times are UTC (<c>Z</c>).</summary>
    public static JsonSerializerOptions Json { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The snake_case name of a status or phase: <c>waiting_approval</c>.</summary>
    public static string Name<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>Reads the list filters shared by <c>GET /api/v1/runs</c> and <c>orchestrator runs</c>; the error names the parameter.</summary>
    public static bool TryParseRunFilter(string? status, string? limit, out RunStatus? parsedStatus, out int parsedLimit, out string error)
    {
        parsedStatus = null;
        error = "";
        if (!TryParseLimit(limit, out parsedLimit, out error))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(status))
        {
            return true;
        }

        var compact = status.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (!Enum.TryParse<RunStatus>(compact, ignoreCase: true, out var s) || !Enum.IsDefined(s) || int.TryParse(compact, CultureInfo.InvariantCulture, out _))
        {
            error = $"status: unknown run status '{status}' (known: {string.Join(", ", Enum.GetValues<RunStatus>().Select(v => Name(v)))})";
            return false;
        }

        parsedStatus = s;
        return true;
    }

    /// <summary>A list size between 1 and <see cref="MaxLimit"/>; <see cref="DefaultLimit"/> when not given.</summary>
    public static bool TryParseLimit(string? limit, out int parsedLimit, out string error)
    {
        error = "";
        parsedLimit = DefaultLimit;
        if (string.IsNullOrWhiteSpace(limit))
        {
            return true;
        }

        if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out parsedLimit) || parsedLimit < 1 || parsedLimit > MaxLimit)
        {
            error = $"limit: '{limit}' is not a number between 1 and {MaxLimit}";
            return false;
        }

        return true;
    }

    public static RunSummaryView Summary(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunSummaryView(run.Id, run.PlaybookId, Name(run.Status), run.DryRun, Utc(run.CreatedAt), Utc(run.UpdatedAt), run.EventId, run.Waiting?.StepId, run.Error);
    }

    /// <summary>The run with its steps and its audit trail; null when there is no run <paramref name="runId"/>.</summary>
    public static async Task<RunDetailView?> DetailAsync(SqliteRunStore store, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var run = await store.GetAsync(runId, cancellationToken).ConfigureAwait(false);
        return run is null ? null : await DetailAsync(store, run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The view of <paramref name="run"/> as it now stands, with its audit trail from the store.</summary>
    public static async Task<RunDetailView> DetailAsync(SqliteRunStore store, RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(run);
        var audit = await store.ReadAuditAsync(run.Id, null, MaxAuditEntries, cancellationToken).ConfigureAwait(false);
        return new RunDetailView(
            run.Id, run.PlaybookId, Name(run.Status), run.DryRun, Utc(run.CreatedAt), Utc(run.UpdatedAt), run.EventId,
            audit.Select(a => a.IncidentId).FirstOrDefault(i => i is not null),
            run.Error,
            run.Waiting is { } w ? new ApprovalView(w.StepId, Utc(w.Deadline), Name(w.Default), w.Reason) : null,
            run.Window,
            [.. run.Steps.Select(Step)],
            [.. audit.Select(Audit)]);
    }

    public static IncidentSummaryView Summary(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return new IncidentSummaryView(
            incident.Id, incident.Title, Name(incident.Status), Utc(incident.OpenedAt), Utc(incident.LastActivity),
            [.. incident.Hosts.Order(StringComparer.OrdinalIgnoreCase)], [.. incident.Ips.Select(ip => ip.ToString()).Order(StringComparer.Ordinal)],
            incident.RunIds, incident.EventIds.Count, incident.ResolvedBy, incident.AcknowledgedBy, incident.AcknowledgedAt is { } at ? Utc(at) : null);
    }

    /// <summary>The incident with its runs and audit trail; null when <paramref name="incident"/> is null (not found).</summary>
    public static async Task<IncidentDetailView?> DetailAsync(SqliteRunStore store, Incident? incident, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (incident is null)
        {
            return null;
        }

        var runs = new List<RunSummaryView>(incident.RunIds.Count);
        foreach (var runId in incident.RunIds)
        {
            if (await store.GetAsync(runId, cancellationToken).ConfigureAwait(false) is { } run)
            {
                runs.Add(Summary(run));
            }
        }

        var audit = await store.ReadAuditAsync(null, incident.Id, MaxAuditEntries, cancellationToken).ConfigureAwait(false);
        var summary = Summary(incident);
        var pages = await store.ListPagesAsync(incident.Id, cancellationToken).ConfigureAwait(false);
        return new IncidentDetailView(
            summary.Id, summary.Title, summary.Status, summary.OpenedAt, summary.LastActivity, summary.Hosts, summary.Ips,
            incident.EventIds, incident.ResolvedBy, runs, [.. audit.Select(Audit)], summary.AcknowledgedBy, summary.AcknowledgedAt,
            [.. pages.Select(p => new PageView(p.Target, p.DedupKey, p.Level, p.Policy, Utc(p.At)))]);
    }

    public static AuditView Audit(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new AuditView(Utc(entry.At), entry.Kind, entry.Text, entry.Actor, entry.PlaybookId, entry.RunId, entry.IncidentId, entry.EventId);
    }

    private static StepView Step(StepRecord step) => new(
        step.Id, step.Type, Name(step.Phase), Name(step.Status), step.Attempts, step.Parameters, step.Outputs, step.Error,
        step.StartedAt is { } started ? Utc(started) : null,
        step.FinishedAt is { } finished ? Utc(finished) : null,
        step.StartedAt is { } s && step.FinishedAt is { } f ? (f - s).TotalMilliseconds : null,
        step.DecidedBy);

    // A UTC DateTime serialises with a trailing Z, the form admins and tools expect in an API.
    private static DateTime Utc(DateTimeOffset value) => value.UtcDateTime;
}
