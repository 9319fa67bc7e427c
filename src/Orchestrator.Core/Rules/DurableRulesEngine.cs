using Orchestrator.Core.Events;

namespace Orchestrator.Core.Rules;

/// <summary>When <see cref="DurableRulesEngine"/> saves its state snapshot.</summary>
public sealed class DurableRulesEngineOptions
{
    /// <summary>Save after this many events processed since the last save; bounds the replay after a crash.</summary>
    public int SaveEveryEvents { get; set; } = 1_000_000;

    /// <summary>Save when this much wall time passed since the last save (checked as events arrive).</summary>
    public TimeSpan SaveEvery { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events read from the store per round while replaying after the checkpoint.</summary>
    public int ReplayBatch { get; set; } = 10_000;
}

/// <summary>
/// A <see cref="RulesEngine"/> whose decisions are exactly-once across crashes: a batch's decisions are
/// recorded idempotently (unique on rule, group and event) before they are handed out; the state
/// snapshot is saved only every <see cref="DurableRulesEngineOptions.SaveEveryEvents"/> events or
/// <see cref="DurableRulesEngineOptions.SaveEvery"/>. On start the last snapshot is restored and the
/// events stored after its checkpoint are replayed: event-time windows make the same decisions again,
/// and the store drops the repeats. Not thread-safe.
/// </summary>
public sealed class DurableRulesEngine
{
    private readonly IRuleStateStore _store;
    private readonly DurableRulesEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly List<RuleDecision> _pending = [];
    private int _unsavedEvents;
    private long _lastSaveTimestamp;

    public DurableRulesEngine(RulesEngine engine, IRuleStateStore store, DurableRulesEngineOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Engine = engine;
        _store = store;
        _options = options;
        _time = time;
        _lastSaveTimestamp = time.GetTimestamp();
    }

    public RulesEngine Engine { get; }

    /// <summary>
    /// Loads the saved state (when any) and replays the stored events after its checkpoint; returns
    /// the decisions the replay made, recorded (some may have been recorded before the crash), for
    /// the caller to run unless it already has.
    /// </summary>
    public async ValueTask<IReadOnlyList<RuleDecision>> RestoreAsync(IEventReplaySource events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (await _store.LoadAsync(cancellationToken).ConfigureAwait(false) is { } snapshot)
        {
            Engine.RestoreState(snapshot);
        }

        var decisions = new List<RuleDecision>();
        while (true)
        {
            var batch = await events.ReadAfterAsync(Engine.Checkpoint, _options.ReplayBatch, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            decisions.AddRange(await ProcessAsync(batch, cancellationToken).ConfigureAwait(false));
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return decisions;
    }

    /// <summary>Processes one event; returns its decisions once they are recorded (usually none).</summary>
    public ValueTask<IReadOnlyList<RuleDecision>> ProcessAsync(SecurityEvent evt, CancellationToken cancellationToken) =>
        ProcessAsync([evt], cancellationToken);

    /// <summary>Processes a batch in id order; its decisions are recorded in one transaction before they are returned.</summary>
    public async ValueTask<IReadOnlyList<RuleDecision>> ProcessAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var evt in events)
        {
            Engine.Process(evt, _pending);
        }

        _unsavedEvents += events.Count;
        IReadOnlyList<RuleDecision> decisions = [];
        if (_pending.Count > 0)
        {
            // If this throws, the engine is ahead of the store: the caller must rebuild from the store
            // (RestoreAsync), which replays these events and makes these decisions again.
            decisions = _pending.ToArray();
            await _store.RecordDecisionsAsync(decisions, cancellationToken).ConfigureAwait(false);
            _pending.Clear();
        }

        if (_unsavedEvents >= _options.SaveEveryEvents || _time.GetElapsedTime(_lastSaveTimestamp) >= _options.SaveEvery)
        {
            await SaveSnapshotAsync(cancellationToken).ConfigureAwait(false);
        }

        return decisions;
    }

    /// <summary>Saves the snapshot now (at shutdown, or when the caller wants a checkpoint).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_unsavedEvents > 0)
        {
            await SaveSnapshotAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SaveSnapshotAsync(CancellationToken cancellationToken)
    {
        await _store.SaveSnapshotAsync(Engine.SaveState(), cancellationToken).ConfigureAwait(false);
        _unsavedEvents = 0;
        _lastSaveTimestamp = _time.GetTimestamp();
    }
}
