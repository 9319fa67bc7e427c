using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Detection;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Detection;

/// <summary>
/// Runs the detectors over every stored event, in id order, and stores what they derive through the
/// ingest pipeline (so the rules engine sees derived events like any other). Durable in three steps,
/// each safe to repeat: the derived events (once per dedupe key), then the first-seen changes, then
/// the checkpoint. At start the first-seen record is loaded, the windows (lookback, outbreaks) are
/// rebuilt from the stored events before the checkpoint, and the events after it are processed as if
/// live — a restart neither loses a derived event nor raises one twice.
/// </summary>
public sealed partial class DetectionService : BackgroundService
{
    private const int QueueCapacity = 65_536;
    private const int MaxBatch = 4_096;

    // The first-seen changes and the checkpoint are written at most this often (and at stop): under a
    // syslog flood a write per batch would compete with the ingest writer, and a lagging checkpoint only
    // means more events are processed again after a crash, which is safe.
    private static readonly TimeSpan SaveEvery = TimeSpan.FromSeconds(1);

    private readonly Channel<SecurityEvent> _queue = Channel.CreateBounded<SecurityEvent>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private readonly DetectionOptions _options;
    private readonly SqliteEventStore _events;
    private readonly SqliteDetectionState _state;
    private readonly IFirstSeenStore _firstSeenStore;
    private readonly IngestPipeline _pipeline;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Detectors? _detectors;
    private long _checkpoint;
    private DateTimeOffset _checkpointTime;
    private readonly List<Task> _pendingCommits = [];
    private long _savedCheckpoint;
    private long _nextSave;
    private int _behind;

    public DetectionService(DetectionOptions options, SqliteEventStore events, SqliteDetectionState state, IFirstSeenStore firstSeenStore, IngestPipeline pipeline, TimeProvider time, ILogger<DetectionService> logger)
    {
        _time = time;
        _options = options;
        _events = events;
        _state = state;
        _firstSeenStore = firstSeenStore;
        _pipeline = pipeline;
        _logger = logger;
    }

    /// <summary>The detectors once started (null before): the API reads their windows and records.</summary>
    public Detectors? Detectors => Volatile.Read(ref _detectors);

    /// <summary>Completes when the record is loaded and the windows rebuilt.</summary>
    public Task Started => _started.Task;

    /// <summary>The highest event id processed.</summary>
    public long Checkpoint => Interlocked.Read(ref _checkpoint);

    /// <summary>Takes a stored event; when the queue is full it is read back from the store later.</summary>
    public void Offer(SecurityEvent evt)
    {
        if (!_queue.Writer.TryWrite(evt))
        {
            Volatile.Write(ref _behind, 1);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadAndCatchUpAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _started.TrySetException(ex);
            throw;
        }

        _started.TrySetResult();
        var batch = new List<SecurityEvent>(MaxBatch);
        var run = new List<SecurityEvent>(MaxBatch);
        var reader = _queue.Reader;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Wakes at least once a second, so that a quiet spell still saves progress and reads back a dropped tail.
            await Task.WhenAny(reader.WaitToReadAsync(stoppingToken).AsTask(), Task.Delay(SaveEvery, _time, stoppingToken)).ConfigureAwait(false);
            stoppingToken.ThrowIfCancellationRequested();
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var evt))
            {
                batch.Add(evt);
            }

            if (batch.Count == 0)
            {
                if (Interlocked.Exchange(ref _behind, 0) == 1)
                {
                    // The queue was full and its last events were dropped: read them back from the store.
                    await CatchUpAsync(untilId: null, stoppingToken).ConfigureAwait(false);
                }

                await SaveIfDueAsync(stoppingToken).ConfigureAwait(false);
                continue;
            }

            // Process the queued events as they are; read from the store only what is missing between them
            // (dropped from a full queue, or stored by another process), so a loop that fell behind catches up
            // without parsing every event again.
            run.Clear();
            foreach (var evt in batch)
            {
                var expected = (run.Count > 0 ? run[^1].Id : Checkpoint) + 1;
                if (evt.Id < expected)
                {
                    continue;
                }

                if (evt.Id > expected)
                {
                    await ProcessAsync(run, stoppingToken).ConfigureAwait(false);
                    run.Clear();
                    await CatchUpAsync(untilId: evt.Id - 1, stoppingToken).ConfigureAwait(false);
                }

                run.Add(evt);
            }

            await ProcessAsync(run, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task LoadAndCatchUpAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _firstSeenStore.LoadAsync(cancellationToken).ConfigureAwait(false);
        var detectors = _options.Create(FirstSeenRegistry.Load(snapshot, _options.FirstSeen));
        LogLearningPeriod(detectors.FirstSeen);
        var (checkpoint, time) = await _state.ReadAsync(cancellationToken).ConfigureAwait(false);
        _checkpointTime = time ?? DateTimeOffset.MinValue;
        if (time is { } at)
        {
            // The windows hold what happened shortly before the checkpoint: rebuild them without deriving again.
            var replayed = 0L;
            var after = await _events.IdBeforeTimeAsync(at - _options.ReplaySpan, cancellationToken).ConfigureAwait(false);
            var ignored = new List<DerivedEvent>();
            while (after < checkpoint)
            {
                var events = await _events.ReadAfterAsync(after, MaxBatch, cancellationToken).ConfigureAwait(false);
                if (events.Count == 0)
                {
                    break;
                }

                foreach (var evt in events)
                {
                    if (evt.Id > checkpoint)
                    {
                        break;
                    }

                    detectors.Process(evt, ignored, checkProcesses: false);
                    ignored.Clear();
                    replayed++;
                }

                after = events[^1].Id;
            }

            LogWindowsRebuilt(_logger, replayed, checkpoint);
        }

        Interlocked.Exchange(ref _checkpoint, checkpoint);
        Volatile.Write(ref _detectors, detectors);
        await CatchUpAsync(untilId: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the stored events after the checkpoint, up to <paramref name="untilId"/> (null: all), and processes them.</summary>
    private async Task CatchUpAsync(long? untilId, CancellationToken cancellationToken)
    {
        while (untilId is null || Checkpoint < untilId)
        {
            var events = await _events.ReadAfterAsync(Checkpoint, MaxBatch, cancellationToken).ConfigureAwait(false);
            if (untilId is { } until && events.Count > 0 && events[^1].Id > until)
            {
                events = [.. events.Where(e => e.Id <= until)];
            }

            if (events.Count == 0)
            {
                return;
            }

            await ProcessAsync(events, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken)
    {
        var detectors = _detectors!;
        var derived = new List<DerivedEvent>();
        var checkpoint = Checkpoint;
        var time = _checkpointTime;
        foreach (var evt in events)
        {
            if (evt.Id <= checkpoint)
            {
                continue;
            }

            detectors.Process(evt, derived);
            checkpoint = evt.Id;
            time = evt.Timestamp > time ? evt.Timestamp : time;
        }

        if (checkpoint == Checkpoint)
        {
            return;
        }

        if (derived.Count > 0)
        {
            // Not awaited here: the loop goes on with the next batch while the writer commits this one
            // (waiting for each commit under a flood made the loop fall behind and re-read from the store).
            // SaveAsync waits for every pending commit before it records progress past them.
            _pendingCommits.Add(CommitAsync(derived, cancellationToken));
        }

        _checkpointTime = time;
        Interlocked.Exchange(ref _checkpoint, checkpoint);
        await SaveIfDueAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SaveIfDueAsync(CancellationToken cancellationToken)
    {
        if (_time.GetTimestamp() >= _nextSave)
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CommitAsync(List<DerivedEvent> derived, CancellationToken cancellationToken)
    {
        await _pipeline.CommitAsync(derived.Select(IngestItem.ForDerived).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var item in derived)
        {
            LogDerived(_logger, item.Event.Kind, item.Event.Id, item.DedupeKey);
        }
    }

    // Said once at start, so that an admin who sees no process.unknown on a first deployment knows why.
    private void LogLearningPeriod(FirstSeenRegistry firstSeen)
    {
        var learnFor = firstSeen.Options.LearnFor;
        if (learnFor <= TimeSpan.Zero)
        {
            return;
        }

        var learnForText = Durations.Format(learnFor);

        if (firstSeen.LearningUntil is { } until)
        {
            LogLearningUntil(_logger, until, learnForText);
        }
        else if (firstSeen.Count == 0)
        {
            LogLearningFromFirstStart(_logger, learnForText);
        }
    }

    // The derived events first (every pending commit), then the first-seen changes, the checkpoint last.
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (_detectors is not { } detectors || Checkpoint == _savedCheckpoint)
        {
            return;
        }

        await Task.WhenAll(_pendingCommits).ConfigureAwait(false);
        _pendingCommits.Clear();

        var changes = detectors.FirstSeen.TakeChanges();
        if (!changes.IsEmpty)
        {
            await _firstSeenStore.SaveAsync(changes, cancellationToken).ConfigureAwait(false);
        }

        var checkpoint = Checkpoint;
        await _state.SaveAsync(checkpoint, _checkpointTime, cancellationToken).ConfigureAwait(false);
        _savedCheckpoint = checkpoint;
        _nextSave = _time.GetTimestamp() + (long)(SaveEvery.TotalSeconds * _time.TimestampFrequency);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The store closed first (the host stops services in reverse order); the next start processes the rest again.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Detection windows rebuilt from {Events} stored events up to event {Checkpoint}")]
    private static partial void LogWindowsRebuilt(ILogger logger, long events, long checkpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "First-seen learning period until {LearningUntil:O} (learn_for {LearnFor} from the earliest first-seen record): process starts before then are recorded but raise no process.unknown")]
    private static partial void LogLearningUntil(ILogger logger, DateTimeOffset learningUntil, string learnFor);

    [LoggerMessage(Level = LogLevel.Information, Message = "First-seen learning period of {LearnFor} from the first process start recorded (the record is empty): process starts until then are recorded but raise no process.unknown")]
    private static partial void LogLearningFromFirstStart(ILogger logger, string learnFor);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Derived {Kind} event {EventId} ({Key})")]
    private static partial void LogDerived(ILogger logger, string kind, long eventId, string key);
}
