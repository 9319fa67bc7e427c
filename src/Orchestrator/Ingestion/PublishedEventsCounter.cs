using Mediator;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Ingestion;

/// <summary>Counts <see cref="EventStored"/> notifications, so /metrics shows that stored events reach subscribers.</summary>
public sealed class PublishedEventsCounter : INotificationHandler<EventStored>
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public ValueTask Handle(EventStored notification, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return ValueTask.CompletedTask;
    }
}
