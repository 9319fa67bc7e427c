using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Runs;

/// <summary>
/// Carries out runs step by step: renders parameters, checks containments against protected
/// assets and the blast-radius breaker, runs the connector with a timeout and retries, records
/// every change in the journal before going on, pauses at approvals, and runs <c>on_failure</c>
/// steps when a step fails. A run found unfinished after a crash continues from its first step
/// not completed, with the same idempotency keys.
/// </summary>
public sealed partial class ActionRunner
{
    /// <summary>Who "decides" an approval that nobody answered in time.</summary>
    public const string TimeoutActor = "timeout";

    private readonly IReadOnlyDictionary<string, IActionConnector> _connectors;
    private readonly IRunJournal _journal;
    private readonly INotifier _notifier;
    private readonly Func<ProtectedAssets> _protected;
    private readonly BlastRadiusBreaker _breaker;
    private readonly RunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<double> _jitter;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _deviceLocks = new(StringComparer.OrdinalIgnoreCase);

    // protectedAssets gives the inventory's current protected assets (it follows playbook reloads);
    // jitter returns a number in [0, 1) that spreads retries, injected so tests are deterministic.
    public ActionRunner(
        IReadOnlyDictionary<string, IActionConnector> connectors,
        IRunJournal journal,
        INotifier notifier,
        Func<ProtectedAssets> protectedAssets,
        BlastRadiusBreaker breaker,
        RunnerOptions options,
        TimeProvider time,
        Func<double> jitter,
        ILogger<ActionRunner> logger)
    {
        _connectors = connectors;
        _journal = journal;
        _notifier = notifier;
        _protected = protectedAssets;
        _breaker = breaker;
        _options = options;
        _time = time;
        _jitter = jitter;
        _logger = logger;
    }

    private enum Outcome
    {
        Done,
        Failed,
        Waiting,
    }

    /// <summary>Starts a run of <paramref name="plan"/> for <paramref name="evt"/> and carries it as far as it goes.</summary>
    public async Task<RunRecord> StartAsync(RunPlan plan, SecurityEvent? evt, IReadOnlyDictionary<string, object?> window, CancellationToken cancellationToken)
    {
        var run = await CreateAsync(plan, evt, window, null, cancellationToken).ConfigureAwait(false);
        return await ContinueAsync(run, plan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a new run without running a step yet; <see cref="ContinueAsync"/> carries it out.</summary>
    public async Task<RunRecord> CreateAsync(RunPlan plan, SecurityEvent? evt, IReadOnlyDictionary<string, object?> window, string? decisionKey, CancellationToken cancellationToken)
    {
        var run = NewRun(plan, evt, window, decisionKey);
        await SaveAsync(run, cancellationToken).ConfigureAwait(false);
        return run;
    }

    /// <summary>A new run, not yet saved: the caller records it (with others, in one commit) before <see cref="ContinueAsync"/>.</summary>
    public RunRecord NewRun(RunPlan plan, SecurityEvent? evt, IReadOnlyDictionary<string, object?> window, string? decisionKey)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var now = _time.GetUtcNow();
        var run = new RunRecord(Guid.CreateVersion7(now).ToString("N"), plan.PlaybookId, plan.DryRun || _options.DryRun, now)
        {
            Event = evt,
            EventId = evt?.Id,
            Window = window,
            DecisionKey = decisionKey,
        };
        LogRunStarted(_logger, run.Id, plan.PlaybookId, run.DryRun);
        return run;
    }

    /// <summary>Carries a run on from its first step not completed: after a start, a crash, or an approval.</summary>
    public async Task<RunRecord> ContinueAsync(RunRecord run, RunPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        if (run.IsFinished || run.Status == RunStatus.WaitingApproval)
        {
            return run;
        }

        var mainFailed = false;
        foreach (var step in plan.Steps)
        {
            var outcome = await RunStepAsync(run, plan, step, StepPhase.Main, cancellationToken).ConfigureAwait(false);
            if (outcome == Outcome.Waiting || run.IsFinished)
            {
                return run;
            }

            if (outcome == Outcome.Failed && !step.ContinueOnError)
            {
                mainFailed = true;
                break;
            }
        }

        if (!mainFailed)
        {
            await FinishAsync(run, RunStatus.Succeeded, null, cancellationToken).ConfigureAwait(false);
            return run;
        }

        foreach (var step in plan.OnFailure)
        {
            // Each failure step is tried even when an earlier one fails: they are the last chance to tell someone.
            var outcome = await RunStepAsync(run, plan, step, StepPhase.OnFailure, cancellationToken).ConfigureAwait(false);
            if (outcome == Outcome.Waiting || run.IsFinished)
            {
                return run;
            }
        }

        await FinishAsync(run, RunStatus.Failed, run.Error, cancellationToken).ConfigureAwait(false);
        return run;
    }

    /// <summary>A person approves or denies what <paramref name="run"/> waits for; an approved run goes on at once.</summary>
    public async Task<RunRecord> ResolveApprovalAsync(RunRecord run, RunPlan plan, bool approved, string by, CancellationToken cancellationToken)
    {
        await AnswerApprovalAsync(run, plan, approved, by, cancellationToken).ConfigureAwait(false);
        return await ContinueAsync(run, plan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records the answer to what <paramref name="run"/> waits for without going on: the run is then
    /// running (for the caller to carry on, e.g. in the background) or aborted.
    /// </summary>
    public async Task<RunRecord> AnswerApprovalAsync(RunRecord run, RunPlan plan, bool approved, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        var wait = run.Waiting;
        if (run.Status != RunStatus.WaitingApproval || wait is null)
        {
            throw new InvalidOperationException($"run {run.Id} is not waiting for an approval (it is {run.Status.ToString().ToLowerInvariant()})");
        }

        var planned = (wait.Phase == StepPhase.Main ? plan.Steps : plan.OnFailure).FirstOrDefault(s => s.Id == wait.StepId)
            ?? throw new InvalidOperationException($"run {run.Id} waits at step '{wait.StepId}', which playbook '{plan.PlaybookId}' no longer has");
        if (planned.Approval is { Approvers.Count: > 0 } gate && by != TimeoutActor && !gate.Approvers.Contains(by, StringComparer.OrdinalIgnoreCase))
        {
            throw new UnauthorizedAccessException($"{by} may not answer step '{wait.StepId}' of run {run.Id}; its approvers are {string.Join(", ", gate.Approvers)}");
        }

        var record = run.Step(planned.Id, planned.Type, wait.Phase);
        record.DecidedBy = by;
        run.Waiting = null;
        LogApprovalResolved(_logger, run.Id, wait.StepId, approved ? "approved" : "denied", by);
        if (!approved)
        {
            record.Status = StepStatus.Failed;
            record.Error = $"denied by {by}";
            record.FinishedAt = _time.GetUtcNow();
            await FinishAsync(run, RunStatus.Aborted, $"step '{wait.StepId}' denied by {by}", cancellationToken).ConfigureAwait(false);
            return run;
        }

        if (planned.Approval is not null)
        {
            record.Status = StepStatus.Succeeded;
            record.Outputs = new Dictionary<string, object?> { ["approved"] = true, ["by"] = by };
            record.FinishedAt = _time.GetUtcNow();
        }
        else
        {
            // A containment held by the breaker: approved, it runs past the limit.
            record.Status = StepStatus.Pending;
        }

        run.Status = RunStatus.Running;
        await SaveAsync(run, cancellationToken).ConfigureAwait(false);
        return run;
    }

    /// <summary>Applies an approval's default when its deadline has passed and goes on; does nothing before it.</summary>
    public async Task<RunRecord> ExpireApprovalAsync(RunRecord run, RunPlan plan, CancellationToken cancellationToken)
    {
        await AnswerTimeoutAsync(run, plan, cancellationToken).ConfigureAwait(false);
        return await ContinueAsync(run, plan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records an approval's default when its deadline has passed, without going on; does nothing before it.</summary>
    public async Task<RunRecord> AnswerTimeoutAsync(RunRecord run, RunPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Status != RunStatus.WaitingApproval || run.Waiting is not { } wait || _time.GetUtcNow() < wait.Deadline)
        {
            return run;
        }

        var proceed = wait.Default == ApprovalDefault.Proceed;
        await _notifier.NotifyAsync(
            new Notification(
                proceed ? NotificationSeverity.Warning : NotificationSeverity.Critical,
                $"Approval timed out: {run.PlaybookId}",
                $"Nobody answered step '{wait.StepId}' ({wait.Reason}) by {wait.Deadline:u}; the default is to {(proceed ? "proceed" : "abort")}.",
                run.Id,
                run.PlaybookId),
            cancellationToken).ConfigureAwait(false);
        return await AnswerApprovalAsync(run, plan, proceed, TimeoutActor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops a run that is not finished; a step in flight is cancelled by the caller's token.</summary>
    public async Task<RunRecord> CancelAsync(RunRecord run, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.IsFinished)
        {
            throw new InvalidOperationException($"run {run.Id} is already {run.Status.ToString().ToLowerInvariant()}");
        }

        run.Waiting = null;
        await FinishAsync(run, RunStatus.Cancelled, $"cancelled by {by}", cancellationToken).ConfigureAwait(false);
        return run;
    }

    private async Task<Outcome> RunStepAsync(RunRecord run, RunPlan plan, PlannedStep step, StepPhase phase, CancellationToken cancellationToken)
    {
        var record = run.Step(step.Id, step.Type, phase);
        switch (record.Status)
        {
            case StepStatus.Succeeded or StepStatus.Skipped:
                return Outcome.Done;
            case StepStatus.Failed:
                return Outcome.Failed;
            default:
                break;
        }

        record.StartedAt ??= _time.GetUtcNow();
        var view = run.View();
        if (step.If is { } condition && !condition(view))
        {
            record.Status = StepStatus.Skipped;
            record.FinishedAt = _time.GetUtcNow();
            await SaveAsync(run, cancellationToken).ConfigureAwait(false);
            return Outcome.Done;
        }

        if (step.Approval is { } approval)
        {
            return await WaitForApprovalAsync(run, record, approval.Timeout, approval.Default, approval.Message ?? $"approve step '{step.Id}' of {run.PlaybookId}", cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyDictionary<string, object?> parameters;
        try
        {
            parameters = step.RenderParameters(view);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await FailStepAsync(run, record, "parameters could not be rendered: " + ex.Message, cancellationToken).ConfigureAwait(false);
        }

        record.Parameters = parameters;
        if (!_connectors.TryGetValue(step.Type, out var connector))
        {
            return await FailStepAsync(run, record, $"no connector is registered for step type '{step.Type}'", cancellationToken).ConfigureAwait(false);
        }

        if (connector is IContainmentConnector containment)
        {
            var verdict = await CheckContainmentAsync(run, record, containment, parameters, cancellationToken).ConfigureAwait(false);
            if (verdict is not null)
            {
                return verdict.Value;
            }
        }

        return await ExecuteWithRetriesAsync(run, record, step, connector, parameters, phase, cancellationToken).ConfigureAwait(false);
    }

    // Null when the containment may go ahead; otherwise what became of the step.
    private async Task<Outcome?> CheckContainmentAsync(RunRecord run, StepRecord record, IContainmentConnector connector, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        ContainmentTargets targets;
        try
        {
            targets = connector.TargetsOf(parameters);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            return await FailStepAsync(run, record, "containment target: " + ex.Message, cancellationToken).ConfigureAwait(false);
        }

        if (_protected().Refusal(targets) is { } refusal)
        {
            await _notifier.NotifyAsync(
                new Notification(NotificationSeverity.Critical, $"Containment refused: {run.PlaybookId}", $"Step '{record.Id}' ({record.Type}) was refused: {refusal}.", run.Id, run.PlaybookId),
                cancellationToken).ConfigureAwait(false);
            return await FailStepAsync(run, record, "refused: " + refusal, cancellationToken).ConfigureAwait(false);
        }

        if (run.DryRun)
        {
            return null;
        }

        if (record.DecidedBy is not null)
        {
            _breaker.CountApproved(run.PlaybookId);
            return null;
        }

        if (_breaker.TryCount(run.PlaybookId) is { } held)
        {
            await _notifier.NotifyAsync(
                new Notification(NotificationSeverity.Critical, $"Containment held: {run.PlaybookId}", $"Step '{record.Id}' ({record.Type}) on {targets} is held for approval: {held}.", run.Id, run.PlaybookId),
                cancellationToken).ConfigureAwait(false);
            return await WaitForApprovalAsync(run, record, _options.HeldContainmentTimeout, ApprovalDefault.Abort, held, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private async Task<Outcome> ExecuteWithRetriesAsync(RunRecord run, StepRecord record, PlannedStep step, IActionConnector connector, IReadOnlyDictionary<string, object?> parameters, StepPhase phase, CancellationToken cancellationToken)
    {
        var deviceLock = connector is not IBatchingConnector && parameters.TryGetValue("device", out var device) && device is string { Length: > 0 } name
            ? _deviceLocks.GetOrAdd(name, _ => new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentPerDevice)))
            : null;
        var timeout = step.Timeout ?? _options.DefaultStepTimeout;
        var idempotencyKey = string.Create(CultureInfo.InvariantCulture, $"{run.Id}/{(phase == StepPhase.Main ? "steps" : "on_failure")}/{step.Id}");

        // A step found running after a crash repeats its interrupted attempt; the idempotency key lets the connector see it.
        var attempt = record.Status == StepStatus.Running ? Math.Max(1, record.Attempts) : record.Attempts + 1;
        for (; attempt <= step.Retry.Attempts; attempt++)
        {
            if (attempt > 1 && attempt > record.Attempts)
            {
                await Task.Delay(step.Retry.BackoffBefore(attempt, _jitter()), _time, cancellationToken).ConfigureAwait(false);
            }

            record.Attempts = attempt;
            record.Status = StepStatus.Running;
            await SaveAsync(run, cancellationToken).ConfigureAwait(false);

            var context = new StepContext(run.Id, run.PlaybookId, step.Id, step.Type, parameters, idempotencyKey, attempt, run.DryRun, run.Event, run.IncidentId, run.Window) { StartedBy = run.StartedBy };
            var (result, error) = await AttemptAsync(connector, context, deviceLock, timeout, cancellationToken).ConfigureAwait(false);
            if (result is { Succeeded: true })
            {
                record.Status = StepStatus.Succeeded;
                record.Outputs = result.Outputs;
                record.Error = null;
                record.FinishedAt = _time.GetUtcNow();
                await SaveAsync(run, cancellationToken).ConfigureAwait(false);
                return Outcome.Done;
            }

            record.Error = error;
            LogStepAttemptFailed(_logger, run.Id, step.Id, attempt, step.Retry.Attempts, error);
        }

        return await FailStepAsync(run, record, record.Error ?? "failed", cancellationToken).ConfigureAwait(false);
    }

    private async Task<(StepResult? Result, string Error)> AttemptAsync(IActionConnector connector, StepContext context, SemaphoreSlim? deviceLock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var locked = false;
        try
        {
            if (deviceLock is not null)
            {
                await deviceLock.WaitAsync(linked.Token).ConfigureAwait(false);
                locked = true;
            }

            var result = await connector.ExecuteAsync(context, linked.Token).ConfigureAwait(false);
            return (result, result.Error ?? "failed");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"timed out after {timeout.TotalSeconds:0.###} s"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, ex.GetType().Name + ": " + ex.Message);
        }
        finally
        {
            if (locked)
            {
                deviceLock!.Release();
            }
        }
    }

    private async Task<Outcome> WaitForApprovalAsync(RunRecord run, StepRecord record, TimeSpan timeout, ApprovalDefault fallback, string reason, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + timeout;
        record.Status = StepStatus.WaitingApproval;
        run.Status = RunStatus.WaitingApproval;
        run.Waiting = new ApprovalWait(record.Id, record.Phase, deadline, fallback, reason);
        await SaveAsync(run, cancellationToken).ConfigureAwait(false);
        await _notifier.NotifyAsync(
            new Notification(
                NotificationSeverity.Warning,
                $"Approval needed: {run.PlaybookId}",
                $"{reason}. Approve or deny run {run.Id} (`orchestrator runs approve {run.Id}`) by {deadline:u}; then it will {(fallback == ApprovalDefault.Proceed ? "proceed" : "abort")}.",
                run.Id,
                run.PlaybookId),
            cancellationToken).ConfigureAwait(false);
        return Outcome.Waiting;
    }

    private async Task<Outcome> FailStepAsync(RunRecord run, StepRecord record, string error, CancellationToken cancellationToken)
    {
        record.Status = StepStatus.Failed;
        record.Error = error;
        record.FinishedAt = _time.GetUtcNow();
        run.Error ??= $"step '{record.Id}' failed: {error}";
        await SaveAsync(run, cancellationToken).ConfigureAwait(false);
        return Outcome.Failed;
    }

    private async Task FinishAsync(RunRecord run, RunStatus status, string? error, CancellationToken cancellationToken)
    {
        run.Status = status;
        run.Error = error;
        await SaveAsync(run, cancellationToken).ConfigureAwait(false);
        LogRunFinished(_logger, run.Id, run.PlaybookId, status, error);
    }

    private ValueTask SaveAsync(RunRecord run, CancellationToken cancellationToken)
    {
        run.UpdatedAt = _time.GetUtcNow();
        return _journal.SaveAsync(run, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of playbook {PlaybookId} started (dry run: {DryRun})")]
    private static partial void LogRunStarted(ILogger logger, string runId, string playbookId, bool dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of playbook {PlaybookId} finished: {Status} {Error}")]
    private static partial void LogRunFinished(ILogger logger, string runId, string playbookId, RunStatus status, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {StepId} attempt {Attempt} of {Attempts} failed: {Error}")]
    private static partial void LogStepAttemptFailed(ILogger logger, string runId, string stepId, int attempt, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {StepId} {Decision} by {By}")]
    private static partial void LogApprovalResolved(ILogger logger, string runId, string stepId, string decision, string by);
}
