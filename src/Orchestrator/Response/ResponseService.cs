using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Alerting;
using Orchestrator.Core.Audit;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Events;
using Orchestrator.Core.Incidents;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Rules;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Response;

/// <summary>
/// Decides and acts: every stored event goes through the rules engine built from the playbooks;
/// each decision is audited, joins an incident, and starts a run. The engine's state and its
/// decisions are durable (replayed from the store after a crash); a decision that was recorded but
/// never got its run gets it at start; unfinished runs resume; approvals time out to their default;
/// an edit of the playbook folder takes effect without a restart, or is rejected with its errors.
/// </summary>
public sealed partial class ResponseService : BackgroundService
{
    private const int QueueCapacity = 65_536;
    private const int MaxBatch = 1_024;
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly ResponseOptions _options;
    private readonly SqliteEventStore _events;
    private readonly SqliteRunStore _runs;
    private readonly SqliteRuleStateStore _ruleState;
    private readonly DecisionsWithRuns _decisionStore;
    private readonly ActionRunner _runner;
    private readonly IncidentTracker _incidents;
    private readonly Escalations _escalations;
    private readonly IContainmentLedger _ledger;
    private readonly IContainmentExpiry _expiry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Offered> _queue = Channel.CreateBounded<Offered>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private readonly SemaphoreSlim _runSlots;
    private readonly SemaphoreSlim _runLock = new(1, 1);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _runTasks = new();
    private ActivePlaybooks? _active;
    private DurableRulesEngine? _engine;
    private FileSystemWatcher? _watcher;
    private int _behind;
    private int _reloadRequested;

    public ResponseService(
        ResponseOptions options,
        SqliteEventStore events,
        SqliteRunStore runs,
        SqliteRuleStateStore ruleState,
        ActionRunner runner,
        IncidentTracker incidents,
        Escalations escalations,
        IContainmentLedger ledger,
        IContainmentExpiry expiry,
        TimeProvider time,
        ILogger<ResponseService> logger)
    {
        _options = options;
        _events = events;
        _runs = runs;
        _ruleState = ruleState;
        _decisionStore = new DecisionsWithRuns(ruleState);
        _runner = runner;
        _incidents = incidents;
        _escalations = escalations;
        _ledger = ledger;
        _expiry = expiry;
        _time = time;
        _logger = logger;
        _runSlots = new SemaphoreSlim(options.MaxConcurrentRuns);
    }

    /// <summary>The playbooks in force (null before start).</summary>
    public ActivePlaybooks? Active => Volatile.Read(ref _active);

    /// <summary>From an event committed to the first step of its run starting, for the runs started live.</summary>
    public LatencyRecorder RunStartLatency { get; } = new();

    /// <summary>The highest event id the rules engine has processed (0 before start).</summary>
    public long Checkpoint => Volatile.Read(ref _engine)?.Engine.Checkpoint ?? 0;

    /// <summary>Decisions made since start.</summary>
    public long Decisions => Interlocked.Read(ref _decisions);

    private long _decisions;

    /// <summary>Takes a stored event for the engine; when the queue is full it is read back from the store later.</summary>
    public void Offer(SecurityEvent evt)
    {
        if (!_queue.Writer.TryWrite(new Offered(evt, _time.GetTimestamp())))
        {
            Volatile.Write(ref _behind, 1);
        }
    }

    /// <summary>
    /// Approves or denies what a run waits for; returns the run as it then stands. Throws
    /// <see cref="KeyNotFoundException"/> for an unknown run, <see cref="InvalidOperationException"/> when it
    /// waits for nothing, and <see cref="UnauthorizedAccessException"/> when <paramref name="by"/> is not an approver.
    /// </summary>
    public async Task<RunRecord> ResolveApprovalAsync(string runId, bool approved, string by, string? comment, CancellationToken cancellationToken)
    {
        var (run, plan) = await LoadRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var at = _time.GetUtcNow();
        await _runLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            run = await _runner.AnswerApprovalAsync(run, plan, approved, by, cancellationToken).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException ex)
        {
            // Only an answer that counted is audited as one; a refused attempt is audited as a refusal.
            await AuditAsync(new AuditEntry(at, AuditKinds.Refusal, ex.Message, run.PlaybookId, run.Id, Actor: by), cancellationToken).ConfigureAwait(false);
            throw;
        }
        finally
        {
            _runLock.Release();
        }

        await AuditAsync(new AuditEntry(at, AuditKinds.Approval, WithComment($"{(approved ? "approved" : "denied")} by {by}", comment), run.PlaybookId, run.Id, Actor: by), cancellationToken).ConfigureAwait(false);

        // The rest of the run goes on in the background, like any run: the answer returns at once and /cancel still reaches it.
        if (run.Status == RunStatus.Running)
        {
            Launch(run, plan);
        }

        return run;
    }

    /// <summary>
    /// Starts a run of <paramref name="playbookId"/> for the stored event <paramref name="eventId"/> by
    /// hand, outside any threshold; <paramref name="dryRun"/> simulates this one run whatever the
    /// playbook and the global setting say. Throws <see cref="KeyNotFoundException"/> for an unknown
    /// playbook or event.
    /// </summary>
    public async Task<RunRecord> StartRunAsync(string playbookId, long eventId, bool dryRun, string by, CancellationToken cancellationToken)
    {
        RunPlan? plan = null;
        if (Active?.Plans.TryGetValue(playbookId, out plan) != true)
        {
            throw new KeyNotFoundException($"no playbook '{playbookId}' is loaded (loaded: {string.Join(", ", Active?.Plans.Keys ?? [])})");
        }

        var evt = await _events.GetAsync(eventId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"no event with id {eventId}");
        var run = _runner.NewRun(dryRun ? plan! with { DryRun = true } : plan!, evt, new Dictionary<string, object?>(StringComparer.Ordinal) { ["count"] = 1L, ["distinct"] = 0L }, null);
        var incident = _incidents.Track(evt, playbookId, run.Id);
        run.IncidentId = incident.Id;
        run.StartedBy = by;
        var entry = new AuditEntry(_time.GetUtcNow(), AuditKinds.Run, $"started by hand by {by} for event {eventId}{(run.DryRun ? " (dry run)" : "")}", playbookId, run.Id, incident.Id, eventId, by);
        await _runs.RecordStartsAsync(new RunStarts([run], [incident], [entry], [], entry.At), cancellationToken).ConfigureAwait(false);
        Launch(run, run.DryRun == plan!.DryRun ? plan : plan with { DryRun = true });
        return run;
    }

    /// <summary>Cancels a run that has not finished; a step in flight is cancelled too.</summary>
    public async Task<RunRecord> CancelAsync(string runId, string by, string? comment, CancellationToken cancellationToken)
    {
        var (run, _) = await LoadRunAsync(runId, cancellationToken, needPlan: false).ConfigureAwait(false);
        if (run.IsFinished)
        {
            throw new InvalidOperationException($"run {run.Id} is already {run.Status.ToString().ToLowerInvariant()}");
        }

        if (_inFlight.TryGetValue(runId, out var running))
        {
            await running.CancelAsync().ConfigureAwait(false);
        }

        run = await _runner.CancelAsync(run, by, cancellationToken).ConfigureAwait(false);
        await AuditAsync(new AuditEntry(_time.GetUtcNow(), AuditKinds.Run, WithComment($"cancelled by {by}", comment), run.PlaybookId, run.Id, Actor: by), cancellationToken).ConfigureAwait(false);
        return run;
    }

    /// <summary>
    /// Closes an incident; the next event about its hosts opens a new one. Null for an unknown id;
    /// <see cref="InvalidOperationException"/> when it is resolved already.
    /// </summary>
    public async Task<Incident?> ResolveIncidentAsync(string incidentId, string by, string? comment, CancellationToken cancellationToken)
    {
        var incident = _incidents.Open.FirstOrDefault(i => i.Id == incidentId) ?? await _runs.GetIncidentAsync(incidentId, cancellationToken).ConfigureAwait(false);
        if (incident is null)
        {
            return null;
        }

        if (incident.Status == IncidentStatus.Resolved)
        {
            throw new InvalidOperationException($"incident {incident.Id} is already resolved (by {incident.ResolvedBy})");
        }

        _incidents.Resolve(incident, by);
        await _runs.SaveIncidentAsync(incident, cancellationToken).ConfigureAwait(false);
        await AuditAsync(new AuditEntry(_time.GetUtcNow(), AuditKinds.Incident, WithComment($"resolved by {by}", comment), IncidentId: incident.Id, Actor: by), cancellationToken).ConfigureAwait(false);
        await _escalations.ResolvedAsync(incident, cancellationToken).ConfigureAwait(false);
        return incident;
    }

    /// <summary>
    /// Records that a person took the incident on: its escalation stops and the alerts paged for it are
    /// acknowledged. Null for an unknown id; <see cref="InvalidOperationException"/> when it is resolved
    /// or acknowledged already.
    /// </summary>
    public async Task<Incident?> AcknowledgeIncidentAsync(string incidentId, string by, string? comment, CancellationToken cancellationToken)
    {
        var incident = _incidents.Open.FirstOrDefault(i => i.Id == incidentId) ?? await _runs.GetIncidentAsync(incidentId, cancellationToken).ConfigureAwait(false);
        if (incident is null)
        {
            return null;
        }

        if (incident.Status == IncidentStatus.Resolved)
        {
            throw new InvalidOperationException($"incident {incident.Id} is already resolved (by {incident.ResolvedBy})");
        }

        if (incident.AcknowledgedAt is { } at)
        {
            throw new InvalidOperationException($"incident {incident.Id} is already acknowledged (by {incident.AcknowledgedBy} at {at:u})");
        }

        incident.AcknowledgedAt = _time.GetUtcNow();
        incident.AcknowledgedBy = by;
        await _runs.SaveIncidentAsync(incident, cancellationToken).ConfigureAwait(false);
        await AuditAsync(new AuditEntry(_time.GetUtcNow(), AuditKinds.Incident, WithComment($"acknowledged by {by}", comment), IncidentId: incident.Id, Actor: by), cancellationToken).ConfigureAwait(false);
        await _escalations.AcknowledgedAsync(incident, cancellationToken).ConfigureAwait(false);
        return incident;
    }

    private static string WithComment(string text, string? comment) =>
        string.IsNullOrWhiteSpace(comment) ? text : $"{text}: {comment.Trim()}";

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _watcher?.Dispose();
        await Task.WhenAll(_runTasks.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_engine is not null)
        {
            await _engine.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _incidents.Restore(await _runs.ListIncidentsAsync(openOnly: true, 10_000, stoppingToken).ConfigureAwait(false));
        var initial = PlaybookLoader.LoadDirectory(_options.PlaybookDirectory, _options.LoaderOptions);
        foreach (var error in initial.Errors)
        {
            LogPlaybookError(_logger, error.ToString());
        }

        Activate(ActivePlaybooks.Build(initial, _options.DryRun));
        LogPlaybooksLoaded(_logger, initial.Playbooks.Count, _options.PlaybookDirectory, _options.DryRun);
        WatchPlaybooks();

        var replayed = await _engine!.RestoreAsync(_events, stoppingToken).ConfigureAwait(false);
        // Resume before starting the replayed decisions: their runs are unfinished too, and listed after
        // their launch they would be launched a second time (every step done twice).
        await ResumeRunsAsync(stoppingToken).ConfigureAwait(false);
        await StartRecordedDecisionsAsync(replayed, stoppingToken).ConfigureAwait(false);
        await ScheduleExpiriesAsync(stoppingToken).ConfigureAwait(false);

        var batch = new List<SecurityEvent>(MaxBatch);
        var stamps = new List<long>(MaxBatch);
        var nextExpiryCheck = _time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = _queue.Reader.WaitToReadAsync(stoppingToken).AsTask();
            await Task.WhenAny(wait, Task.Delay(Tick, _time, stoppingToken)).ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            if (Interlocked.Exchange(ref _reloadRequested, 0) == 1)
            {
                await ReloadAsync(stoppingToken).ConfigureAwait(false);
            }

            batch.Clear();
            stamps.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var offered))
            {
                batch.Add(offered.Event);
                stamps.Add(offered.Timestamp);
            }

            var engine = _engine!;
            if (Interlocked.Exchange(ref _behind, 0) == 1 || (batch.Count > 0 && batch[0].Id > engine.Engine.Checkpoint + 1 && engine.Engine.Checkpoint > 0))
            {
                // Events were dropped from the queue (or stored by another process): read them back in order.
                while (_queue.Reader.TryRead(out _))
                {
                }

                batch.Clear();
                await CatchUpAsync(stoppingToken).ConfigureAwait(false);
            }
            else if (batch.Count > 0)
            {
                var decisions = await engine.ProcessAsync(batch, stoppingToken).ConfigureAwait(false);
                await HandleAsync(decisions, fromReplay: false, stoppingToken, decisions.Count == 0 ? null : evt => CommittedAt(batch, stamps, evt)).ConfigureAwait(false);
            }

            if (_time.GetUtcNow() >= nextExpiryCheck)
            {
                nextExpiryCheck = _time.GetUtcNow() + Tick * 5;
                await ExpireApprovalsAsync(stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void Activate(ActivePlaybooks active)
    {
        Volatile.Write(ref _active, active);
        _engine = new DurableRulesEngine(active.Engine, _decisionStore, new DurableRulesEngineOptions(), _time);
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var engine = _engine!;
        while (true)
        {
            var events = await _events.ReadAfterAsync(engine.Engine.Checkpoint, MaxBatch * 8, cancellationToken).ConfigureAwait(false);
            if (events.Count == 0)
            {
                return;
            }

            await HandleAsync(await engine.ProcessAsync(events, cancellationToken).ConfigureAwait(false), fromReplay: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var set = PlaybookLoader.LoadDirectory(_options.PlaybookDirectory, _options.LoaderOptions);
        if (!set.IsValid)
        {
            foreach (var error in set.Errors)
            {
                LogPlaybookError(_logger, error.ToString());
            }

            LogReloadRejected(_logger, set.Errors.Count, _options.PlaybookDirectory);
            await AuditAsync(new AuditEntry(_time.GetUtcNow(), AuditKinds.Playbooks, $"edit rejected, the last good playbooks keep running: {set.Errors.Count} error(s), first: {set.Errors[0]}"), cancellationToken).ConfigureAwait(false);
            return;
        }

        // The windows of playbooks that stay (same id) carry over; new playbooks start empty.
        await _engine!.FlushAsync(cancellationToken).ConfigureAwait(false);
        var state = _engine.Engine.SaveState();
        var next = ActivePlaybooks.Build(set, _options.DryRun);
        next.Engine.RestoreState(state);
        Activate(next);
        LogPlaybooksLoaded(_logger, set.Playbooks.Count, _options.PlaybookDirectory, _options.DryRun);
        await AuditAsync(new AuditEntry(_time.GetUtcNow(), AuditKinds.Playbooks, $"reloaded: {string.Join(", ", set.Playbooks.Select(p => p.Id))}"), cancellationToken).ConfigureAwait(false);
    }

    private void WatchPlaybooks()
    {
        if (!Directory.Exists(_options.PlaybookDirectory))
        {
            return;
        }

        _watcher = new FileSystemWatcher(_options.PlaybookDirectory) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
        FileSystemEventHandler changed = (_, e) =>
        {
            if (e.Name is { } name && (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)))
            {
                Volatile.Write(ref _reloadRequested, 1);
            }
        };
        _watcher.Changed += changed;
        _watcher.Created += changed;
        _watcher.Deleted += changed;
        _watcher.Renamed += (sender, e) => changed(sender, e);
        _watcher.EnableRaisingEvents = true;
    }

    private static long? CommittedAt(List<SecurityEvent> batch, List<long> stamps, SecurityEvent evt)
    {
        var index = batch.IndexOf(evt);
        return index < 0 ? null : stamps[index];
    }

    // fromReplay: the decisions may repeat ones made before a crash (the engine replays from its last
    // snapshot), so each is checked against the runs already started. Live decisions are new.
    private async Task HandleAsync(IReadOnlyList<RuleDecision> decisions, bool fromReplay, CancellationToken cancellationToken, Func<SecurityEvent, long?>? committedAt = null)
    {
        if (decisions.Count == 0)
        {
            return;
        }

        var starts = new List<(RunRecord Run, RunPlan Plan, long? CommittedAt)>(decisions.Count);
        var incidents = new HashSet<Incident>();
        var entries = new List<AuditEntry>(decisions.Count);
        foreach (var decision in decisions)
        {
            Interlocked.Increment(ref _decisions);
            var key = DecisionKey(decision.RuleId, decision.GroupKey, decision.Event.Id);
            if (fromReplay && await _runs.HasRunForDecisionAsync(key, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            if (Active?.Plans.TryGetValue(decision.RuleId, out var plan) != true)
            {
                LogPlaybookGone(_logger, decision.RuleId);
                continue;
            }

            var run = _runner.NewRun(plan!, decision.Event, PlaybookPlans.Window(decision), key);
            var incident = _incidents.Track(decision.Event, decision.RuleId, run.Id);
            run.IncidentId = incident.Id;
            incidents.Add(incident);
            entries.Add(new AuditEntry(_time.GetUtcNow(), AuditKinds.Decision, Explain(decision), decision.RuleId, run.Id, incident.Id, decision.Event.Id));
            starts.Add((run, plan!, committedAt?.Invoke(decision.Event)));
        }

        // One commit for the decisions and every run, incident and audit entry they start, before any step runs.
        var recorded = _decisionStore.TakeWaiting();
        try
        {
            await _runs.RecordStartsAsync(new RunStarts([.. starts.Select(s => s.Run)], incidents, entries, recorded, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not committed: the decisions must still be recorded before any snapshot that covers them.
            await _decisionStore.RecordDecisionsAsync(recorded, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        foreach (var (run, plan, stamp) in starts)
        {
            Launch(run, plan, stamp);
        }
    }

    // Decisions recorded before a crash whose run was never created get it now.
    private async Task StartRecordedDecisionsAsync(IReadOnlyList<RuleDecision> replayed, CancellationToken cancellationToken)
    {
        await HandleAsync(replayed, fromReplay: true, cancellationToken).ConfigureAwait(false);
        foreach (var stored in await _ruleState.ReadDecisionsAsync(1_000, cancellationToken).ConfigureAwait(false))
        {
            var key = DecisionKey(stored.RuleId, stored.GroupKey, stored.EventId);
            if (await _runs.HasRunForDecisionAsync(key, cancellationToken).ConfigureAwait(false) || Active?.Plans.TryGetValue(stored.RuleId, out var plan) != true)
            {
                continue;
            }

            var evt = await _events.GetAsync(stored.EventId, cancellationToken).ConfigureAwait(false);
            if (evt is null)
            {
                continue;
            }

            var decision = new RuleDecision(stored.RuleId, stored.Mode, stored.GroupKey, evt, stored.Window);
            var run = await _runner.CreateAsync(plan!, evt, PlaybookPlans.Window(decision), key, cancellationToken).ConfigureAwait(false);
            await AuditAsync(new AuditEntry(_time.GetUtcNow(), AuditKinds.Decision, $"{stored.RuleId} fired for {stored.GroupKey} before a restart; its run starts now", stored.RuleId, run.Id, EventId: stored.EventId), cancellationToken).ConfigureAwait(false);
            Launch(run, plan!);
        }
    }

    private async Task ResumeRunsAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await _runs.ListUnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            // A run started through the API since this service started is running here already.
            if (run.Status != RunStatus.Running || _inFlight.ContainsKey(run.Id))
            {
                continue;
            }

            if (PlanOf(run) is not { } plan)
            {
                await _runner.CancelAsync(run, $"restart: playbook '{run.PlaybookId}' no longer exists", cancellationToken).ConfigureAwait(false);
                continue;
            }

            await AttachEventAsync(run, cancellationToken).ConfigureAwait(false);
            LogRunResumed(_logger, run.Id, run.PlaybookId);
            Launch(run, plan);
        }
    }

    private async Task ExpireApprovalsAsync(CancellationToken cancellationToken)
    {
        foreach (var waiting in await _runs.ListUnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (waiting.Status != RunStatus.WaitingApproval || waiting.Waiting is not { } wait || _time.GetUtcNow() < wait.Deadline
                || PlanOf(waiting) is not { } plan)
            {
                continue;
            }

            await AttachEventAsync(waiting, cancellationToken).ConfigureAwait(false);
            await AuditAsync(new AuditEntry(_time.GetUtcNow(), AuditKinds.Approval, $"no answer by {wait.Deadline:u}: default {wait.Default.ToString().ToLowerInvariant()}", waiting.PlaybookId, waiting.Id, Actor: "timeout"), cancellationToken).ConfigureAwait(false);
            await _runLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _runner.AnswerTimeoutAsync(waiting, plan, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _runLock.Release();
            }

            if (waiting.Status == RunStatus.Running)
            {
                Launch(waiting, plan);
            }
        }
    }

    private void Launch(RunRecord run, RunPlan plan, long? committedAt = null)
    {
        var cancel = new CancellationTokenSource();
        _inFlight[run.Id] = cancel;
        var task = Task.Run(async () =>
        {
            await _runSlots.WaitAsync(cancel.Token).ConfigureAwait(false);
            try
            {
                if (committedAt is { } stamp)
                {
                    RunStartLatency.Record(_time.GetElapsedTime(stamp));
                }

                await _runner.ContinueAsync(run, plan, cancel.Token).ConfigureAwait(false);
            }
            finally
            {
                _runSlots.Release();
            }
        });
        _runTasks[task] = true;
        _ = task.ContinueWith(
            t =>
            {
                _runTasks.TryRemove(t, out _);
                _inFlight.TryRemove(run.Id, out _);
                cancel.Dispose();
                if (t.Exception is { } ex)
                {
                    LogRunCrashed(_logger, ex.GetBaseException(), run.Id);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task<(RunRecord Run, RunPlan Plan)> LoadRunAsync(string runId, CancellationToken cancellationToken, bool needPlan = true)
    {
        var run = await _runs.GetAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"no run with id {runId}");
        var plan = needPlan ? PlanOf(run) : null;
        if (needPlan && plan is null)
        {
            throw new InvalidOperationException($"run {runId} belongs to playbook '{run.PlaybookId}', which is no longer loaded");
        }

        await AttachEventAsync(run, cancellationToken).ConfigureAwait(false);
        return (run, plan!);
    }

    // A by-hand run carries its own one-step plan; any other run follows its playbook as now loaded.
    private RunPlan? PlanOf(RunRecord run) =>
        run.PlaybookId == ByHandPlaybookId ? ByHandPlan(run) : Active?.Plans.GetValueOrDefault(run.PlaybookId);

    private ValueTask AuditAsync(AuditEntry entry, CancellationToken cancellationToken) => _runs.AppendAsync(entry, cancellationToken);

    // A stored run keeps only its event's id; its templates and conditions need the event itself.
    private async Task AttachEventAsync(RunRecord run, CancellationToken cancellationToken) =>
        run.Event = run.EventId is { } id ? await _events.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;

    internal static string DecisionKey(string ruleId, string groupKey, long eventId) =>
        string.Create(CultureInfo.InvariantCulture, $"{ruleId}/{groupKey}/{eventId}");

    internal static string Explain(RuleDecision decision)
    {
        var group = decision.GroupKey.Replace(RulesEngine.GroupKeySeparator, ' ');
        var values = decision.Window.DistinctValues.Count > 0 ? ": " + string.Join(", ", decision.Window.DistinctValues.Take(10)) : "";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{decision.RuleId} fired{(group.Length > 0 ? " for " + group : "")} ({decision.Mode.ToString().ToLowerInvariant()}): {decision.Window.Count} event(s), {decision.Window.DistinctCount} distinct, between {decision.Window.First:u} and {decision.Window.Last:u} of event time{values}");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Playbook error: {Error}")]
    private static partial void LogPlaybookError(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} playbooks in force from {Directory} (global dry run: {DryRun})")]
    private static partial void LogPlaybooksLoaded(ILogger logger, int count, string directory, bool dryRun);

    [LoggerMessage(Level = LogLevel.Error, Message = "Playbook edit rejected ({Count} errors in {Directory}); the last good playbooks keep running")]
    private static partial void LogReloadRejected(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A decision of playbook {PlaybookId} has no run plan: the playbook was removed")]
    private static partial void LogPlaybookGone(ILogger logger, string playbookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of playbook {PlaybookId} resumes after a restart")]
    private static partial void LogRunResumed(ILogger logger, string runId, string playbookId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} stopped on an unexpected error")]
    private static partial void LogRunCrashed(ILogger logger, Exception exception, string runId);

    private readonly record struct Offered(SecurityEvent Event, long Timestamp);
}
