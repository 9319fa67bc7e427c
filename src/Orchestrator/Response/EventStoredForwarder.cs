using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Response;

/// <summary>
/// Hands each stored event to the response service when one runs (`serve`; not `ingest`, whose
/// events the service reads from the store when it next starts). Never blocks the writer: a full
/// queue is caught up from the store.
/// </summary>
public sealed class EventStoredForwarder(IServiceProvider services) : INotificationHandler<EventStored>
{
    private readonly ResponseService? _response = services.GetService<ResponseService>();

    public ValueTask Handle(EventStored notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        _response?.Offer(notification.Event);
        return ValueTask.CompletedTask;
    }
}
