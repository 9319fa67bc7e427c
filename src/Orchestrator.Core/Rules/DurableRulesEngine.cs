using Orchestrator.Core.Events;

namespace Orchestrator.Core.Rules;

/// <summary>When <see cref="DurableRulesEngine"/> saves its state even without a decision.</summary>
public sealed class DurableRulesEngineOptions
{
    /// <summary>Save after this many events processed since the last save.</summary>
    public int SaveEveryEvents { get; set; } = 10_000;

    /// <summary>Save when this much wall time passed since the last save (checked as events arrive).</summary>
    public TimeSpan SaveEvery { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events read from the store per round while replaying after the checkpoint.</summary>
    public int ReplayBatch { get; set; } = 10_000;
}

/// <summary>
/// A <see cref="RulesEngine"/> whose state survives a crash: decisions are handed out only after
/// they are committed together with the state that produced them, and on start the saved state is
/// restored and the events stored after its checkpoint are replayed. Not thread-safe.
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
    /// the decisions the replay made, already recorded, for the caller to run.
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

    /// <summary>Processes one event; returns its decisions once they are durable (usually none).</summary>
    public ValueTask<IReadOnlyList<RuleDecision>> ProcessAsync(SecurityEvent evt, CancellationToken cancellationToken) =>
        ProcessAsync([evt], cancellationToken);

    /// <summary>Processes a batch in id order with one save for all its decisions.</summary>
    public async ValueTask<IReadOnlyList<RuleDecision>> ProcessAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var evt in events)
        {
            Engine.Process(evt, _pending);
        }

        _unsavedEvents += events.Count;
        if (_pending.Count == 0
            && _unsavedEvents < _options.SaveEveryEvents
            && _time.GetElapsedTime(_lastSaveTimestamp) < _options.SaveEvery)
        {
            return [];
        }

        return await SaveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Saves the state now (at shutdown, or when the caller wants a checkpoint).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_unsavedEvents > 0 || _pending.Count > 0)
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<IReadOnlyList<RuleDecision>> SaveAsync(CancellationToken cancellationToken)
    {
        var decisions = _pending.ToArray();
        // If the save throws, the engine is ahead of the store: the caller must rebuild from the
        // store (RestoreAsync), which replays these events and makes these decisions again.
        await _store.SaveAsync(Engine.SaveState(), decisions, cancellationToken).ConfigureAwait(false);
        _pending.Clear();
        _unsavedEvents = 0;
        _lastSaveTimestamp = _time.GetTimestamp();
        return decisions;
    }
}
