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

/// <summary>A group's window (entries sorted by event time, then id) and its throttle.</summary>
internal sealed class GroupState
{
    // Entries live in [_start, _start + Count): dropping old ones only moves _start, so trimming a
    // long window one entry per event does not copy the array each time.
    private WindowEntry[] _entries = new WindowEntry[4];
    private int _start;

    public int Count { get; private set; }

    public long NewestTicks { get; set; } = long.MinValue;

    public long LastDecisionTicks { get; set; } = long.MinValue;

    public Span<WindowEntry> Entries => _entries.AsSpan(_start, Count);

    public int Insert(in WindowEntry entry)
    {
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

        Array.Clear(_entries, _start, n);
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

/// <summary>The live state of one rule: its groups and its watermark (the newest event time it has seen).</summary>
internal sealed class RuleState
{
    private readonly RulesEngineOptions _options;
    private readonly long _withinTicks;
    private readonly long _throttleTicks;
    private readonly long _retainTicks;
    private readonly long _sweepEveryTicks;
    private readonly HashSet<string> _distinctScratch = new(StringComparer.Ordinal);
    private long _nextSweepTicks = long.MinValue;

    public RuleState(RuleDefinition rule, RulesEngineOptions options)
    {
        Rule = rule;
        _options = options;
        _withinTicks = rule.Threshold?.Within.Ticks ?? 0;
        _throttleTicks = rule.Throttle?.Ticks ?? 0;
        _retainTicks = _withinTicks + options.AllowedLateness.Ticks;
        _sweepEveryTicks = Math.Max(TimeSpan.FromSeconds(10).Ticks, Math.Max(_withinTicks, _throttleTicks) / 4);
        KeepsGroups = rule.Threshold is not null || _throttleTicks > 0;
        // Counting events (not distinct values), a window that a new in-order event completes needs only
        // the newest Count − 1 entries; the slack serves late events. Distinct counting keeps repeats.
        _maxEntries = rule.Threshold is { Distinct: null } t
            ? Math.Min(options.MaxEventsPerGroup, Math.Max(2 * t.Count, t.Count + 32))
            : options.MaxEventsPerGroup;
    }

    private readonly int _maxEntries;

    public RuleDefinition Rule { get; }

    public Dictionary<string, GroupState> Groups { get; } = new(StringComparer.Ordinal);

    public long WatermarkTicks { get; set; } = long.MinValue;

    public bool KeepsGroups { get; }

    /// <summary>Groups evicted by the cap since start.</summary>
    public long Evicted { get; private set; }

    public RuleOutcome Apply(SecurityEvent evt, bool explain, ref RuleTrace trace, out RuleDecision? decision)
    {
        decision = null;
        var ticks = evt.Timestamp.UtcTicks;
        if (ticks > WatermarkTicks)
        {
            WatermarkTicks = ticks;
            if (ticks >= _nextSweepTicks && KeepsGroups)
            {
                Sweep();
                _nextSweepTicks = ticks + _sweepEveryTicks;
            }
        }

        if (Rule.When is { } when && !when.Matches(evt))
        {
            return RuleOutcome.ConditionFalse;
        }

        var key = GroupKey(evt);
        if (key is null)
        {
            return RuleOutcome.GroupKeyNull;
        }

        trace.GroupKey = key;
        if (!KeepsGroups)
        {
            decision = Single(evt, key);
            return RuleOutcome.Fired;
        }

        var threshold = Rule.Threshold;
        string? distinct = null;
        if (threshold?.Distinct is { } distinctSelector)
        {
            distinct = distinctSelector.Select(evt);
            if (distinct is null)
            {
                return RuleOutcome.DistinctValueNull;
            }
        }

        if (!Groups.TryGetValue(key, out var group))
        {
            if (Groups.Count >= _options.MaxGroupsPerRule)
            {
                Sweep();
            }

            group = new GroupState();
            Groups.Add(key, group);
        }

        if (threshold is null)
        {
            group.NewestTicks = Math.Max(group.NewestTicks, ticks);
            if (IsThrottled(group, ticks, ref trace))
            {
                return RuleOutcome.Throttled;
            }

            group.LastDecisionTicks = Math.Max(group.LastDecisionTicks, ticks);
            decision = Single(evt, key);
            return RuleOutcome.Fired;
        }

        // A window that fires ends at or after the throttle's end and spans less than within, so an event
        // at or before (throttle end − within) can never be in one: it is not kept. After a decision most
        // of a busy group's events are such, and skipping them saves the window's upkeep.
        if (_throttleTicks > 0 && group.LastDecisionTicks != long.MinValue && ticks <= group.LastDecisionTicks + _throttleTicks - _withinTicks)
        {
            group.NewestTicks = Math.Max(group.NewestTicks, ticks);
            trace.ThrottledUntilTicks = group.LastDecisionTicks + _throttleTicks;
            return RuleOutcome.Throttled;
        }

        var at = group.Insert(new WindowEntry(evt.Id, ticks, distinct));
        at -= TrimOld(group);
        if (at < 0)
        {
            trace.Have = 0;
            return RuleOutcome.BelowThreshold;
        }

        // Every window holding the new event ends at or before the group's newest event: while that is
        // throttled, nothing can fire, so the windows are not counted (except to explain).
        if (!explain && IsThrottled(group, group.NewestTicks, ref trace))
        {
            return RuleOutcome.Throttled;
        }

        var entries = group.Entries;
        var best = 0;
        // Only windows that hold the new event can have changed: those ending at k >= at and starting at j <= at.
        for (var k = at; k < entries.Length && entries[k].Ticks - entries[at].Ticks < _withinTicks; k++)
        {
            var j = FirstWithin(entries[..(at + 1)], entries[k].Ticks - _withinTicks);
            var have = threshold.Distinct is null ? k - j + 1 : CountDistinct(entries, j, k, threshold.Count);
            best = Math.Max(best, have);
            if (have < threshold.Count)
            {
                continue;
            }

            if (IsThrottled(group, entries[k].Ticks, ref trace))
            {
                trace.Have = have;
                return RuleOutcome.Throttled;
            }

            decision = new RuleDecision(Rule.Id, Rule.Mode, key, evt, Snapshot(entries, j, k, threshold.Distinct is not null));
            group.LastDecisionTicks = Math.Max(group.LastDecisionTicks, entries[k].Ticks);
            // The window restarts: what counted toward this decision (and anything older) never counts again.
            group.RemovePrefix(k + 1);
            return RuleOutcome.Fired;
        }

        trace.Have = best;
        return RuleOutcome.BelowThreshold;
    }

    /// <summary>The index of the first entry later than <paramref name="afterTicks"/> (entries are sorted).</summary>
    private static int FirstWithin(ReadOnlySpan<WindowEntry> entries, long afterTicks)
    {
        int lo = 0, hi = entries.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (entries[mid].Ticks > afterTicks)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private bool IsThrottled(GroupState group, long ticks, ref RuleTrace trace)
    {
        if (_throttleTicks <= 0 || group.LastDecisionTicks == long.MinValue || ticks >= group.LastDecisionTicks + _throttleTicks)
        {
            return false;
        }

        trace.ThrottledUntilTicks = group.LastDecisionTicks + _throttleTicks;
        return true;
    }

    private string? GroupKey(SecurityEvent evt)
    {
        var selectors = Rule.GroupBy;
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

    /// <summary>Drops entries too old to meet any event still allowed to arrive; returns how many went.</summary>
    private int TrimOld(GroupState group)
    {
        var cutoff = WatermarkTicks - _retainTicks;
        var n = FirstWithin(group.Entries, cutoff - 1);
        n = Math.Max(n, group.Count - _maxEntries);
        group.RemovePrefix(n);
        return n;
    }

    /// <summary>Distinct values in entries[from..to], counting from the newest and stopping at <paramref name="enough"/>.</summary>
    private int CountDistinct(ReadOnlySpan<WindowEntry> entries, int from, int to, int enough)
    {
        _distinctScratch.Clear();
        for (var i = to; i >= from && _distinctScratch.Count < enough; i--)
        {
            _distinctScratch.Add(entries[i].Distinct!);
        }

        return _distinctScratch.Count;
    }

    private static WindowSnapshot Snapshot(ReadOnlySpan<WindowEntry> entries, int from, int to, bool distinct)
    {
        var ids = new List<long>(Math.Min(to - from + 1, WindowSnapshot.MaxListed));
        for (var i = from; i <= to && ids.Count < WindowSnapshot.MaxListed; i++)
        {
            ids.Add(entries[i].Id);
        }

        var values = new List<string>();
        var distinctCount = 0;
        if (distinct)
        {
            // Its own set: the scratch set must stay small, as clearing a set costs its capacity.
            var all = new HashSet<string>(StringComparer.Ordinal);
            for (var i = from; i <= to; i++)
            {
                if (all.Add(entries[i].Distinct!) && values.Count < WindowSnapshot.MaxListed)
                {
                    values.Add(entries[i].Distinct!);
                }
            }

            distinctCount = all.Count;
        }

        return new WindowSnapshot(to - from + 1, distinctCount, values, Time(entries[from].Ticks), Time(entries[to].Ticks), ids);
    }

    private RuleDecision Single(SecurityEvent evt, string key) =>
        new(Rule.Id, Rule.Mode, key, evt, new WindowSnapshot(1, 0, [], evt.Timestamp, evt.Timestamp, [evt.Id]));

    /// <summary>
    /// Drops groups that can no longer matter (no entry within reach of the watermark and no throttle
    /// running), then, over the cap, the groups idle longest.
    /// </summary>
    private void Sweep()
    {
        var entryCutoff = WatermarkTicks - _retainTicks;
        var throttleCutoff = WatermarkTicks - _options.AllowedLateness.Ticks;
        List<string>? drop = null;
        foreach (var (key, group) in Groups)
        {
            if (group.NewestTicks < entryCutoff
                && (_throttleTicks <= 0 || group.LastDecisionTicks == long.MinValue || group.LastDecisionTicks + _throttleTicks <= throttleCutoff))
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
            var idlest = Groups.OrderBy(g => Math.Max(g.Value.NewestTicks, g.Value.LastDecisionTicks)).Take(Groups.Count - keep).Select(g => g.Key).ToList();
            foreach (var key in idlest)
            {
                Groups.Remove(key);
            }

            Evicted += idlest.Count;
            LastEviction = idlest.Count;
        }
    }

    /// <summary>Groups evicted by the most recent sweep over the cap; the engine logs and resets it.</summary>
    public int LastEviction { get; set; }

    internal static DateTimeOffset Time(long utcTicks) => new(utcTicks, TimeSpan.Zero);
}
