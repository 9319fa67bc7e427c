using System.Net;

namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>
/// One source's detections in time order, and the sliding window that ends at its newest detection
/// with a count per victim in it, so an in-order detection updates the distinct-victim count in O(1).
/// </summary>
internal sealed class SourceTrack(string id, OutbreakSourceKind kind)
{
    private readonly Dictionary<string, int> _victims = new(StringComparer.Ordinal);

    public string Id { get; } = id;

    public OutbreakSourceKind Kind { get; } = kind;

    public IPAddress? Ip { get; set; }

    /// <summary>The name last reported for this source.</summary>
    public string? Name { get; set; }

    public DetectionTimeline Timeline { get; } = new();

    /// <summary>The window is <c>Timeline[WindowStart..]</c>: the detections less than one window older than the newest.</summary>
    public int WindowStart { get; private set; }

    /// <summary>Detections per victim key within the window; its count is the distinct victims.</summary>
    public Dictionary<string, int> WindowVictims { get; } = new(StringComparer.Ordinal);

    /// <summary>Distinct victims over the whole timeline: fewer than the threshold means no window can pass.</summary>
    public int DistinctVictims => _victims.Count;

    /// <summary>Event times of the <c>outbreak.source</c> events raised for this source, oldest first.</summary>
    public List<DateTimeOffset> Raises { get; } = [];

    /// <summary>Adds a detection; true when it falls within the window ending at the newest detection.</summary>
    public bool Add(ObservedDetection detection, TimeSpan window)
    {
        Increment(_victims, detection.VictimKey);
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
        Decrement(_victims, first.VictimKey);
        if (WindowStart > 0)
        {
            WindowStart--;
        }
        else
        {
            CountOut(first);
        }

        return first;
    }

    private void CountIn(ObservedDetection detection) => Increment(WindowVictims, detection.VictimKey);

    private void CountOut(ObservedDetection detection) => Decrement(WindowVictims, detection.VictimKey);

    /// <summary>Counts one more detection of <paramref name="victim"/> in <paramref name="counts"/>.</summary>
    public static void Increment(Dictionary<string, int> counts, string victim)
    {
        counts[victim] = counts.GetValueOrDefault(victim) + 1;
    }

    /// <summary>Counts one detection of <paramref name="victim"/> less, forgetting the victim at zero so the count of keys stays the distinct victims.</summary>
    public static void Decrement(Dictionary<string, int> counts, string victim)
    {
        var left = counts[victim] - 1;
        if (left == 0)
        {
            counts.Remove(victim);
        }
        else
        {
            counts[victim] = left;
        }
    }
}
