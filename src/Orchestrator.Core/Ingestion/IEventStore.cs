using Orchestrator.Core.Events;

namespace Orchestrator.Core.Ingestion;

/// <summary>
/// The durable event store. <see cref="AppendAsync"/> commits a whole batch in one transaction
/// and assigns ids, or throws and commits nothing; an event counts as received only after it
/// returns. Stored events are read back by parsing <c>event.original</c> again with the format,
/// receive time and context stored beside it, so the store keeps the raw line once. All methods
/// honour cancellation before they start work; a commit in progress is not interrupted.
/// </summary>
public interface IEventStore : IAsyncDisposable
{
    ValueTask AppendAsync(IReadOnlyList<IngestItem> batch, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<SecurityEvent>> QueryAsync(EventQuery query, CancellationToken cancellationToken);

    ValueTask<SecurityEvent?> GetAsync(long id, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<DeadLetter>> QueryDeadLettersAsync(int limit, CancellationToken cancellationToken);

    ValueTask<RetentionResult> ApplyRetentionAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Counts of stored events and dead letters.</summary>
    ValueTask<StoreCounts> CountAsync(CancellationToken cancellationToken);
}

/// <summary>How many events and dead letters the store holds.</summary>
public readonly record struct StoreCounts(long Events, long DeadLetters);
