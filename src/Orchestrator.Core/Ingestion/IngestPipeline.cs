using System.Diagnostics;
using System.Threading.Channels;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Core.Ingestion;

/// <summary>
/// The single writer between listeners and the store. Listeners hand over batches; the writer
/// merges what is waiting into one transaction, commits it, and only then counts the items as
/// stored, completes the callers that wait for the commit (HTTP answers 202 after that) and
/// publishes <see cref="EventStored"/> for each event. A failed commit fails the callers that
/// wait (they can retry), and is retried with back-off for items nobody waits on (syslog), so
/// nothing accepted is dropped while the store is briefly unavailable.
/// </summary>
public sealed partial class IngestPipeline
{
    private readonly Channel<PendingBatch> _queue;
    private readonly IEventStore _store;
    private readonly IPublisher _publisher;
    private readonly IngestMetrics _metrics;
    private readonly ILogger<IngestPipeline> _logger;
    private readonly IngestPipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly QueueRoom _room;

    public IngestPipeline(IEventStore store, IPublisher publisher, IngestMetrics metrics, ILogger<IngestPipeline> logger, IngestPipelineOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _publisher = publisher;
        _metrics = metrics;
        _logger = logger;
        _options = options;
        _time = time;
        _queue = Channel.CreateUnbounded<PendingBatch>(new UnboundedChannelOptions { SingleReader = true });
        _room = new QueueRoom(options.QueueItems);
    }

    /// <summary>Hands items to the writer without waiting for the commit; waits only when the queue is full.</summary>
    public ValueTask EnqueueAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Count == 0 ? ValueTask.CompletedTask : WriteAsync(new PendingBatch(items, null), cancellationToken);
    }

    /// <summary>Hands items to the writer and returns once they are committed; throws if the commit failed.</summary>
    public async ValueTask CommitAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await WriteAsync(new PendingBatch(items, done), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting batches; <see cref="RunAsync"/> commits what is queued and returns.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>The writer loop. Runs until <see cref="Complete"/> is called and the queue is drained.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        var pending = new List<PendingBatch>();
        var items = new List<IngestItem>(_options.MaxBatchItems);
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pending.Clear();
            items.Clear();
            while (items.Count < _options.MaxBatchItems && reader.TryRead(out var batch))
            {
                pending.Add(batch);
                items.AddRange(batch.Items);
            }

            _room.Release(items.Count);

            await CommitBatchAsync(pending, items, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask WriteAsync(PendingBatch batch, CancellationToken cancellationToken)
    {
        await _room.TakeAsync(batch.Items.Count, cancellationToken).ConfigureAwait(false);
        if (!_queue.Writer.TryWrite(batch))
        {
            _room.Release(batch.Items.Count);
            throw new ChannelClosedException("the ingest pipeline is shutting down and accepts no more batches");
        }
    }

    private async Task CommitBatchAsync(List<PendingBatch> pending, List<IngestItem> items, CancellationToken cancellationToken)
    {
        var delay = _options.RetryDelay;
        while (true)
        {
            var started = _time.GetTimestamp();
            try
            {
                await _store.AppendAsync(items, cancellationToken).ConfigureAwait(false);
                _metrics.RecordCommit(_time.GetElapsedTime(started));
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _metrics.RecordCommitFailure();
                LogCommitFailed(ex, items.Count);
                var waiting = pending.Where(p => p.Done is not null).ToList();
                foreach (var batch in waiting)
                {
                    batch.Done!.TrySetException(new StoreUnavailableException("the event store could not commit the batch", ex));
                }

                pending.RemoveAll(p => p.Done is not null);
                items.Clear();
                foreach (var batch in pending)
                {
                    items.AddRange(batch.Items);
                }

                if (items.Count == 0)
                {
                    return;
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }

        CountStored(items);
        foreach (var batch in pending)
        {
            batch.Done?.TrySetResult();
        }

        foreach (var item in items)
        {
            // Id 0: a derived event the store already held under its key, skipped.
            if (item.Event is { Id: > 0 } evt)
            {
                await _publisher.Publish(new EventStored(evt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void CountStored(List<IngestItem> items)
    {
        // Runs of the same listener and format are the common case: count them with one increment.
        var i = 0;
        while (i < items.Count)
        {
            var key = CountKey(items[i]);
            var run = 1;
            while (i + run < items.Count && CountKey(items[i + run]) == key)
            {
                run++;
            }

            if (key.IsEvent)
            {
                _metrics.AddStored(key.Listener, key.Format, run);
            }
            else
            {
                _metrics.AddRejected(key.Listener, key.Format, run);
            }

            i += run;
        }
    }

    private static (string Listener, bool IsEvent, string Format) CountKey(IngestItem item) => item.Event is { } evt
        ? (item.Listener, true, evt.Format)
        : (item.Listener, false, item.DeadLetter!.Format ?? StreamIngestor.UnknownFormat);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} items to the event store failed")]
    private partial void LogCommitFailed(Exception exception, int count);

    private sealed record PendingBatch(IReadOnlyList<IngestItem> Items, TaskCompletionSource? Done);

    /// <summary>The count of items waiting for the writer, and the callers waiting for room.</summary>
    private sealed class QueueRoom(int capacity)
    {
        private readonly Lock _lock = new();
        private int _queued;
        private TaskCompletionSource? _freed;

        public async ValueTask TakeAsync(int count, CancellationToken cancellationToken)
        {
            while (true)
            {
                Task freed;
                lock (_lock)
                {
                    if (_queued == 0 || _queued + count <= capacity)
                    {
                        _queued += count;
                        return;
                    }

                    _freed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    freed = _freed.Task;
                }

                await freed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public void Release(int count)
        {
            TaskCompletionSource? freed;
            lock (_lock)
            {
                _queued -= count;
                freed = _freed;
                _freed = null;
            }

            freed?.TrySetResult();
        }
    }
}

/// <summary>The store could not commit; the caller may retry.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
