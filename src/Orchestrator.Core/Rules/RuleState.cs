using Orchestrator.Core.Events;

namespace Orchestrator.Core.Rules;

/// <summary>The live state of one rule: its watermark (the newest event time it has seen) and its slot in the groups of its <c>group_by</c>.</summary>
internal sealed class RuleState
{
    private readonly RulesEngineOptions _options;
    private readonly long _withinTicks;
    private readonly long _throttleTicks;
    private readonly long _retainTicks;
    private readonly int _maxEntries;
    private readonly HashSet<string> _distinctScratch = new(StringComparer.Ordinal);

    public RuleState(RuleDefinition rule, RulesEngineOptions options, GroupIndex index)
    {
        Rule = rule;
        Index = index;
        _options = options;
        _withinTicks = rule.Threshold?.Within.Ticks ?? 0;
        _throttleTicks = rule.Throttle?.Ticks ?? 0;
        _retainTicks = _withinTicks + options.AllowedLateness.Ticks;
        KeepsGroups = rule.Threshold is not null || _throttleTicks > 0;
        // Counting events (not distinct values), a window that a new in-order event completes needs only
        // the newest Count − 1 entries; the slack serves late events. Distinct counting keeps repeats.
        _maxEntries = rule.Threshold is { Distinct: null } t
            ? Math.Min(options.MaxEventsPerGroup, Math.Max(2 * t.Count, t.Count + 32))
            : options.MaxEventsPerGroup;
        if (KeepsGroups)
        {
            Slot = index.AddSlot(this, Math.Max(TimeSpan.FromSeconds(10).Ticks, Math.Max(_withinTicks, _throttleTicks) / 4));
        }
    }

    public RuleDefinition Rule { get; }

    /// <summary>Where the rule's groups live, shared with the rules of the same <c>group_by</c>.</summary>
    public GroupIndex Index { get; }

    /// <summary>The rule's position in each of <see cref="Index"/>'s groups; −1 when it keeps none.</summary>
    public int Slot { get; } = -1;

    public long WatermarkTicks { get; set; } = long.MinValue;

    public bool KeepsGroups { get; }

    /// <summary>Groups the rule currently keeps.</summary>
    public int GroupCount => KeepsGroups ? Index.Groups.Values.Count(slots => slots[Slot].InUse) : 0;

    /// <summary>
    /// Applies the rule to <paramref name="evt"/>; <paramref name="serial"/> names the event for the
    /// index's per-event key cache (a new value for each event processed).
    /// </summary>
    public RuleOutcome Apply(SecurityEvent evt, long serial, bool explain, ref RuleTrace trace, out RuleDecision? decision)
    {
        decision = null;
        var ticks = evt.Timestamp.UtcTicks;
        if (ticks > WatermarkTicks)
        {
            WatermarkTicks = ticks;
            if (KeepsGroups)
            {
                Index.Advance(ticks);
            }
        }

        if (Rule.When is { } when && !when.Matches(evt))
        {
            return RuleOutcome.ConditionFalse;
        }

        var key = Index.Key(evt, serial);
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

        ref var group = ref Index.Slots(key, serial)[Slot];
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
        at -= TrimOld(ref group);
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

    /// <summary>True when the slot can no longer matter: no entry within reach of the watermark and no throttle running.</summary>
    public bool IsIdle(in GroupSlot group) =>
        group.NewestTicks < WatermarkTicks - _retainTicks
        && (_throttleTicks <= 0 || group.LastDecisionTicks == long.MinValue
            || group.LastDecisionTicks + _throttleTicks <= WatermarkTicks - _options.AllowedLateness.Ticks);

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

    private bool IsThrottled(in GroupSlot group, long ticks, ref RuleTrace trace)
    {
        if (_throttleTicks <= 0 || group.LastDecisionTicks == long.MinValue || ticks >= group.LastDecisionTicks + _throttleTicks)
        {
            return false;
        }

        trace.ThrottledUntilTicks = group.LastDecisionTicks + _throttleTicks;
        return true;
    }

    /// <summary>Drops entries too old to meet any event still allowed to arrive; returns how many went.</summary>
    private int TrimOld(ref GroupSlot group)
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

    internal static DateTimeOffset Time(long utcTicks) => new(utcTicks, TimeSpan.Zero);
}
