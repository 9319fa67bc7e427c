using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Core.Runs;

/// <summary>The `log` step: writes its <c>message</c> (and optional <c>level</c>: info, warning, error) to the service log.</summary>
public sealed partial class LogStep(ILogger<LogStep> logger) : IActionConnector
{
    public ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = StepParameters.Text(context.Parameters, "message") ?? "";
        var level = (StepParameters.Text(context.Parameters, "level") ?? "info").ToLowerInvariant() switch
        {
            "info" => LogLevel.Information,
            "warning" or "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => (LogLevel?)null,
        };
        if (level is null)
        {
            return ValueTask.FromResult(StepResult.Failed($"level '{StepParameters.Text(context.Parameters, "level")}' is not info, warning or error"));
        }

        LogPlaybookMessage(logger, level.Value, context.PlaybookId, context.RunId, context.DryRun ? "(dry run) " : "", message);
        return ValueTask.FromResult(StepResult.Success(new Dictionary<string, object?> { ["message"] = message }));
    }

    [LoggerMessage(Message = "Playbook {PlaybookId} run {RunId}: {DryRun}{Message}")]
    private static partial void LogPlaybookMessage(ILogger logger, LogLevel level, string playbookId, string runId, string dryRun, string message);
}

/// <summary>
/// The `notify` step: <c>subject</c>, <c>message</c>, <c>severity</c> (info, warning, critical) and
/// optional <c>channels</c> to the notifier — the hook the alerting connectors fill. In a dry run
/// nothing is sent.
/// </summary>
public sealed class NotifyStep(INotifier notifier) : IActionConnector
{
    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var severityText = StepParameters.Text(context.Parameters, "severity") ?? "warning";
        NotificationSeverity? parsed = severityText.ToLowerInvariant() switch
        {
            "info" => NotificationSeverity.Info,
            "warning" => NotificationSeverity.Warning,
            "critical" => NotificationSeverity.Critical,
            _ => null,
        };
        if (parsed is not { } severity)
        {
            return StepResult.Failed($"severity '{severityText}' is not info, warning or critical");
        }

        var channels = context.Parameters.TryGetValue("channels", out var list) && list is IEnumerable<object?> names
            ? names.Select(n => Convert.ToString(n, CultureInfo.InvariantCulture) ?? "").ToList()
            : null;
        var notification = new Notification(
            severity,
            StepParameters.Text(context.Parameters, "subject") ?? $"Playbook {context.PlaybookId}",
            StepParameters.Text(context.Parameters, "message") ?? "",
            context.RunId,
            context.PlaybookId)
        {
            Channels = channels,
        };
        if (!context.DryRun)
        {
            await notifier.NotifyAsync(notification, cancellationToken).ConfigureAwait(false);
        }

        return StepResult.Success(new Dictionary<string, object?> { ["sent"] = !context.DryRun, ["subject"] = notification.Title });
    }
}

/// <summary>The notifier used until an alerting connector is configured: writes each notification to the log.</summary>
public sealed partial class LogNotifier(ILogger<LogNotifier> logger) : INotifier
{
    public ValueTask NotifyAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var level = notification.Severity switch
        {
            NotificationSeverity.Critical => LogLevel.Error,
            NotificationSeverity.Warning => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        LogNotification(logger, level, notification.Title, notification.Text, notification.RunId);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Message = "Notification: {Title}: {Text} (run {RunId})")]
    private static partial void LogNotification(ILogger logger, LogLevel level, string title, string text, string? runId);
}

/// <summary>Runs kept in memory only: for `orchestrator test` and `replay`, where nothing is real, and for tests.</summary>
public sealed class InMemoryRunJournal : IRunJournal
{
    private readonly Dictionary<string, RunRecord> _runs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Every save, in order, as (run id, run status, step statuses): what a crash at each point would have left.</summary>
    public List<(string RunId, RunStatus Status, string Steps)> Saves { get; } = [];

    public ValueTask SaveAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_lock)
        {
            _runs[run.Id] = run;
            Saves.Add((run.Id, run.Status, string.Join(",", run.Steps.Select(s => s.Id + "=" + s.Status))));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_runs.GetValueOrDefault(runId));
        }
    }

    public ValueTask<IReadOnlyList<RunRecord>> ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<RunRecord>>([.. _runs.Values.Where(r => !r.IsFinished)]);
        }
    }
}
