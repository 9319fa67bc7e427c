using Orchestrator.Core.Containment;

namespace Orchestrator.Connectors.Tests.Containment;

/// <summary>The expiries the steps scheduled, by containment id.</summary>
public sealed class RecordingExpiry : IContainmentExpiry
{
    public Dictionary<string, DateTimeOffset> Scheduled { get; } = [];

    public ValueTask ScheduleAsync(string containmentId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (Scheduled)
        {
            Scheduled[containmentId] = at;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CancelAsync(string containmentId, CancellationToken cancellationToken)
    {
        lock (Scheduled)
        {
            Scheduled.Remove(containmentId);
        }

        return ValueTask.CompletedTask;
    }
}
