using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Ingestion;
using Orchestrator.Detection;

namespace Orchestrator.Response;

/// <summary>
/// Hands each stored event to the detectors and the response service when they run (`serve`; not
/// `ingest`, whose events they read from the store when the service next starts). Never blocks the
/// writer: a full queue is caught up from the store.
/// </summary>
public sealed class EventStoredForwarder(IServiceProvider services) : INotificationHandler<EventStored>
{
    private readonly DetectionService? _detection = services.GetService<DetectionService>();
    private readonly ResponseService? _response = services.GetService<ResponseService>();

    public ValueTask Handle(EventStored notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        _detection?.Offer(notification.Event);
        _response?.Offer(notification.Event);
        return ValueTask.CompletedTask;
    }
}
