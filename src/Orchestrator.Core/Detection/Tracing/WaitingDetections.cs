using Orchestrator.Core.Events;

namespace Orchestrator.Core.Detection.Tracing;

/// <summary>
/// Detections that traced to nothing, held in arrival order until the newest event time seen is
/// <c>wait</c> past their own, so connections that arrive late can still explain them. Bounded: the
/// oldest leaves first when full. One writer (the detector loop); <see cref="Count"/> may be read by any thread.
/// </summary>
internal sealed class WaitingDetections(TimeSpan wait, int capacity)
{
    private readonly Queue<SecurityEvent> _queue = new();
    private DateTimeOffset _newest = DateTimeOffset.MinValue;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Holds <paramref name="detection"/>; returns the oldest held when that makes room for it, else null.</summary>
    public SecurityEvent? Hold(SecurityEvent detection)
    {
        var evicted = _queue.Count >= capacity ? _queue.Dequeue() : null;
        _queue.Enqueue(detection);
        Volatile.Write(ref _count, _queue.Count);
        return evicted;
    }

    /// <summary>Notes an event time and moves to <paramref name="due"/> every detection whose wait it ends.</summary>
    public void TakeDue(DateTimeOffset eventTime, List<SecurityEvent> due)
    {
        if (eventTime > _newest)
        {
            _newest = eventTime;
        }

        // Arrival order is close to event-time order; one held behind a later detection waits a little longer, never less.
        while (_queue.TryPeek(out var first) && _newest - first.Timestamp >= wait)
        {
            due.Add(_queue.Dequeue());
        }

        Volatile.Write(ref _count, _queue.Count);
    }

    /// <summary>Moves every held detection to <paramref name="due"/>: the input has ended.</summary>
    public void TakeAll(List<SecurityEvent> due)
    {
        due.AddRange(_queue);
        _queue.Clear();
        Volatile.Write(ref _count, 0);
    }
}
