using System.Net;
using System.Runtime.InteropServices;

namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>
/// One source's detections in time order, and the sliding window that ends at its newest detection
/// with a count per victim in it, so an in-order detection updates the distinct-victim count in O(1).
/// </summary>
/// <remarks>
/// A flood of detections names tens of thousands of sources, most with one or two detections, and each
/// is held for the horizon: so a track keeps one table of victims (detections over the timeline and
/// within the window) rather than one per count, and its raises only once it has any.
/// </remarks>
internal sealed class SourceTrack(string id, OutbreakSourceKind kind)
{
    private readonly Dictionary<string, VictimCounts> _victims = new(StringComparer.Ordinal);
    private List<DateTimeOffset>? _raises;

    public string Id { get; } = id;

    public OutbreakSourceKind Kind { get; } = kind;

    public IPAddress? Ip { get; set; }

    /// <summary>The name last reported for this source.</summary>
    public string? Name { get; set; }

    public DetectionTimeline Timeline { get; } = new();

    /// <summary>The window is <c>Timeline[WindowStart..]</c>: the detections less than one window older than the newest.</summary>
    public int WindowStart { get; private set; }

    /// <summary>Distinct victims within the window.</summary>
    public int WindowVictims { get; private set; }

    /// <summary>Distinct victims over the whole timeline: fewer than the threshold means no window can pass.</summary>
    public int DistinctVictims => _victims.Count;

    /// <summary>Event times of the <c>outbreak.source</c> events raised for this source, oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> Raises => (IReadOnlyList<DateTimeOffset>?)_raises ?? [];

    /// <summary>Records a raise at <paramref name="time"/>, forgetting those before <paramref name="forgetBefore"/>.</summary>
    public void Raised(DateTimeOffset time, DateTimeOffset forgetBefore)
    {
        _raises ??= [];
        _raises.RemoveAll(r => r < forgetBefore);
        _raises.Add(time);
    }

    /// <summary>Adds a detection; true when it falls within the window ending at the newest detection.</summary>
    public bool Add(ObservedDetection detection, TimeSpan window)
    {
        CollectionsMarshal.GetValueRefOrAddDefault(_victims, detection.VictimKey, out _).Total++;
        if (Timeline.Count == 0 || Timeline.Last.Time <= detection.Time)
        {
            Timeline.Add(detection);
            CountIn(detection);
            while (detection.Time - Timeline[WindowStart].Time >= window)
            {
                CountOut(Timeline[WindowStart]);
                WindowStart++;
            }

            return true;
        }

        // A late detection lands inside the window or before its start; either way the window's
        // first detection keeps its place, so only the index moves when the new one lands before it.
        var newest = Timeline.Last.Time;
        Timeline.Add(detection);
        if (newest - detection.Time < window)
        {
            CountIn(detection);
            return true;
        }

        WindowStart++;
        return false;
    }

    /// <summary>Drops the oldest detection, which the caller has just dropped from the correlator's own timeline.</summary>
    public ObservedDetection RemoveFirst()
    {
        var first = Timeline.RemoveFirst();
        if (WindowStart > 0)
        {
            WindowStart--;
        }
        else
        {
            CountOut(first);
        }

        ref var counts = ref CollectionsMarshal.GetValueRefOrNullRef(_victims, first.VictimKey);
        if (--counts.Total == 0)
        {
            _victims.Remove(first.VictimKey);
        }

        return first;
    }

    private void CountIn(ObservedDetection detection)
    {
        if (CollectionsMarshal.GetValueRefOrNullRef(_victims, detection.VictimKey).InWindow++ == 0)
        {
            WindowVictims++;
        }
    }

    private void CountOut(ObservedDetection detection)
    {
        if (--CollectionsMarshal.GetValueRefOrNullRef(_victims, detection.VictimKey).InWindow == 0)
        {
            WindowVictims--;
        }
    }

    // One victim's detections in the timeline, and how many of them are within the window.
    private struct VictimCounts
    {
        public int Total;
        public int InWindow;
    }
}
