namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>
/// Detections ordered by event time then arrival, which grow at the end (events mostly arrive in time
/// order), shrink at the front (the oldest age out) and take a late event by binary insertion.
/// </summary>
internal sealed class DetectionTimeline
{
    // Removal from the front only moves _head; the dead prefix is cut once it is half the list, so
    // removing is amortised O(1) and the list never holds more than twice the live detections.
    private readonly List<ObservedDetection?> _items = [];
    private int _head;

    public int Count => _items.Count - _head;

    public ObservedDetection this[int index] => _items[_head + index]!;

    public ObservedDetection First => _items[_head]!;

    public ObservedDetection Last => _items[^1]!;

    /// <summary>Adds <paramref name="detection"/> (the newest arrival) in order and returns its index.</summary>
    public int Add(ObservedDetection detection)
    {
        if (Count == 0 || Last.Time <= detection.Time)
        {
            _items.Add(detection);
            return Count - 1;
        }

        // After every equal time: the newest arrival sorts last among equals.
        var index = FirstAfter(detection.Time);
        _items.Insert(_head + index, detection);
        return index;
    }

    public ObservedDetection RemoveFirst()
    {
        var first = First;
        _items[_head] = null;
        _head++;
        if (_head == _items.Count)
        {
            _items.Clear();
            _head = 0;
        }
        else if (_head >= 32 && _head * 2 >= _items.Count)
        {
            _items.RemoveRange(0, _head);
            _head = 0;
        }

        return first;
    }

    /// <summary>The index of the first detection at or after <paramref name="time"/> (<see cref="Count"/> when none).</summary>
    public int FirstAtOrAfter(DateTimeOffset time) => Search(time, includeEqual: true);

    /// <summary>The index of the first detection after <paramref name="time"/> (<see cref="Count"/> when none).</summary>
    public int FirstAfter(DateTimeOffset time) => Search(time, includeEqual: false);

    private int Search(DateTimeOffset time, bool includeEqual)
    {
        var low = 0;
        var high = Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            var at = this[middle].Time;
            if (at < time || (!includeEqual && at == time))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
