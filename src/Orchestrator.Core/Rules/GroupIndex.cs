using Orchestrator.Core.Events;

namespace Orchestrator.Core.Rules;

/// <summary>One event remembered in a group's window.</summary>
internal readonly record struct WindowEntry(long Id, long Ticks, string? Distinct);

/// <summary>What <see cref="RuleState.Apply"/> found, in enough detail to explain a non-firing event.</summary>
internal struct RuleTrace
{
    public string? GroupKey;
    public int Have;
    public long ThrottledUntilTicks;
}

/// <summary>One rule's window (entries sorted by event time, then id) and throttle for one group.</summary>
internal struct GroupSlot
{
    // Entries live in [_start, _start + Count): dropping old ones only moves _start, so trimming a
    // long window one entry per event does not copy the array each time.
    private WindowEntry[]? _entries;
    private int _start;

    public static GroupSlot Empty => new() { NewestTicks = long.MinValue, LastDecisionTicks = long.MinValue };

    public int Count { get; private set; }

    public long NewestTicks { get; set; }

    public long LastDecisionTicks { get; set; }

    /// <summary>False for a slot no event of its rule has reached (another rule made the group).</summary>
    public readonly bool InUse => NewestTicks != long.MinValue || LastDecisionTicks != long.MinValue;

    public readonly Span<WindowEntry> Entries => _entries is null ? default : _entries.AsSpan(_start, Count);

    public int Insert(in WindowEntry entry)
    {
        _entries ??= new WindowEntry[4];
        if (_start + Count == _entries.Length)
        {
            if (_start >= _entries.Length / 2)
            {
                Array.Copy(_entries, _start, _entries, 0, Count);
                Array.Clear(_entries, Count, _start);
            }
            else
            {
                var grown = new WindowEntry[_entries.Length * 2];
                Array.Copy(_entries, _start, grown, 0, Count);
                _entries = grown;
            }

            _start = 0;
        }

        var at = Count;
        while (at > 0 && Compare(_entries[_start + at - 1], entry) > 0)
        {
            at--;
        }

        if (at < Count)
        {
            Array.Copy(_entries, _start + at, _entries, _start + at + 1, Count - at);
        }

        _entries[_start + at] = entry;
        Count++;
        NewestTicks = Math.Max(NewestTicks, entry.Ticks);
        return at;
    }

    /// <summary>Drops the first <paramref name="n"/> entries.</summary>
    public void RemovePrefix(int n)
    {
        if (n <= 0)
        {
            return;
        }

        Array.Clear(_entries!, _start, n);
        _start += n;
        Count -= n;
        if (Count == 0)
        {
            _start = 0;
        }
    }

    /// <summary>Restores saved entries (already sorted).</summary>
    public void Load(WindowEntry[] entries, int count)
    {
        _entries = entries;
        _start = 0;
        Count = count;
    }

    private static int Compare(in WindowEntry a, in WindowEntry b) =>
        a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Id.CompareTo(b.Id);
}

/// <summary>
/// The groups of every rule with the same <c>group_by</c>: one dictionary entry per group key, holding
/// one <see cref="GroupSlot"/> per rule side by side. An event computes its key and looks it up once for
/// all those rules, and their slots share cache lines: the engine's cost is memory latency, and this
/// is one lookup per <c>group_by</c> instead of one per rule.
/// </summary>
internal sealed class GroupIndex
{
    private readonly RulesEngineOptions _options;
    private readonly List<RuleState> _slotRules = [];
    private long _sweepEveryTicks = long.MaxValue;
    private long _nextSweepTicks = long.MinValue;
    private long _watermarkTicks = long.MinValue;

    // The key and slots of the event being processed, shared by the rules it visits.
    private long _cachedSerial = -1;
    private string? _cachedKey;
    private GroupSlot[]? _cachedSlots;

    public GroupIndex(IReadOnlyList<EventFieldSelector> groupBy, RulesEngineOptions options)
    {
        GroupBy = groupBy;
        _options = options;
    }

    /// <summary>The selector paths, joined: rules with equal signatures share an index.</summary>
    public static string Signature(IReadOnlyList<EventFieldSelector> groupBy) => string.Join(RulesEngine.GroupKeySeparator, groupBy.Select(s => s.Path));

    public IReadOnlyList<EventFieldSelector> GroupBy { get; }

    public Dictionary<string, GroupSlot[]> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>The rules that keep groups here; a rule's slot is its position in this list.</summary>
    public IReadOnlyList<RuleState> SlotRules => _slotRules;

    /// <summary>Groups evicted by the cap since start.</summary>
    public long Evicted { get; private set; }

    /// <summary>Groups evicted by the most recent sweep over the cap; the engine logs and resets it.</summary>
    public int LastEviction { get; set; }

    /// <summary>Gives <paramref name="rule"/> a slot in every group and returns it.</summary>
    public int AddSlot(RuleState rule, long sweepEveryTicks)
    {
        _slotRules.Add(rule);
        _sweepEveryTicks = Math.Min(_sweepEveryTicks, sweepEveryTicks);
        return _slotRules.Count - 1;
    }

    /// <summary>The event's group key (null when a <c>group_by</c> field is missing), computed once per event.</summary>
    public string? Key(SecurityEvent evt, long serial)
    {
        if (serial != _cachedSerial)
        {
            _cachedSerial = serial;
            _cachedKey = KeyOf(evt);
            _cachedSlots = null;
        }

        return _cachedKey;
    }

    /// <summary>The slots of the event's group (call <see cref="Key"/> first), made when new.</summary>
    public GroupSlot[] Slots(string key, long serial)
    {
        if (serial == _cachedSerial && _cachedSlots is { } cached)
        {
            return cached;
        }

        if (!Groups.TryGetValue(key, out var slots))
        {
            if (Groups.Count >= _options.MaxGroupsPerRule)
            {
                Sweep();
            }

            slots = NewSlots();
            // A copy: the event's own string sits among that event's other fields, and keeping it
            // would scatter the keys that every lookup compares over the whole heap.
            Groups.Add(new string(key), slots);
        }

        if (serial == _cachedSerial)
        {
            _cachedSlots = slots;
        }

        return slots;
    }

    /// <summary>Moves the index's watermark and sweeps idle groups when due.</summary>
    public void Advance(long ticks)
    {
        if (ticks <= _watermarkTicks)
        {
            return;
        }

        _watermarkTicks = ticks;
        if (ticks >= _nextSweepTicks && _slotRules.Count > 0)
        {
            Sweep();
            _nextSweepTicks = ticks + _sweepEveryTicks;
        }
    }

    /// <summary>Puts a restored group's slot back.</summary>
    public void Restore(string key, int slot, GroupSlot state)
    {
        if (!Groups.TryGetValue(key, out var slots))
        {
            slots = NewSlots();
            Groups.Add(key, slots);
        }

        slots[slot] = state;
    }

    public void Clear()
    {
        Groups.Clear();
        _cachedSerial = -1;
        _cachedSlots = null;
        _watermarkTicks = long.MinValue;
        _nextSweepTicks = long.MinValue;
    }

    private GroupSlot[] NewSlots()
    {
        var slots = new GroupSlot[_slotRules.Count];
        slots.AsSpan().Fill(GroupSlot.Empty);
        return slots;
    }

    private string? KeyOf(SecurityEvent evt)
    {
        var selectors = GroupBy;
        if (selectors.Count == 0)
        {
            return "";
        }

        if (selectors.Count == 1)
        {
            return selectors[0].Select(evt);
        }

        if (selectors.Count == 2)
        {
            return selectors[0].Select(evt) is { } first && selectors[1].Select(evt) is { } second
                ? string.Concat(first, RulesEngine.GroupKeySeparatorText, second)
                : null;
        }

        var parts = new string[selectors.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            if (selectors[i].Select(evt) is not { } part)
            {
                return null;
            }

            parts[i] = part;
        }

        return string.Join(RulesEngine.GroupKeySeparator, parts);
    }

    /// <summary>
    /// Empties slots that can no longer matter (no entry within reach of their rule's watermark and no
    /// throttle running) and drops groups left empty; then, over the cap, the groups idle longest.
    /// </summary>
    private void Sweep()
    {
        // A group removed here may be the one cached for the current event: look it up again.
        _cachedSlots = null;
        List<string>? drop = null;
        foreach (var (key, slots) in Groups)
        {
            var inUse = false;
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i].InUse && _slotRules[i].IsIdle(slots[i]))
                {
                    slots[i] = GroupSlot.Empty;
                }

                inUse |= slots[i].InUse;
            }

            if (!inUse)
            {
                (drop ??= []).Add(key);
            }
        }

        if (drop is not null)
        {
            foreach (var key in drop)
            {
                Groups.Remove(key);
            }
        }

        if (Groups.Count >= _options.MaxGroupsPerRule)
        {
            var keep = _options.MaxGroupsPerRule - (_options.MaxGroupsPerRule / 10);
            var idlest = Groups.OrderBy(g => LastActivity(g.Value)).Take(Groups.Count - keep).Select(g => g.Key).ToList();
            foreach (var key in idlest)
            {
                Groups.Remove(key);
            }

            Evicted += idlest.Count;
            LastEviction = idlest.Count;
        }
    }

    private static long LastActivity(GroupSlot[] slots)
    {
        var last = long.MinValue;
        foreach (var slot in slots)
        {
            last = Math.Max(last, Math.Max(slot.NewestTicks, slot.LastDecisionTicks));
        }

        return last;
    }
}
