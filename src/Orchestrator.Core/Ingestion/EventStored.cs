using Mediator;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Ingestion;

/// <summary>Published once for each event after its batch is committed; the rules engine subscribes to it.</summary>
public sealed record EventStored(SecurityEvent Event) : INotification;
