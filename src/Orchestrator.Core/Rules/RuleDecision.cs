using Orchestrator.Core.Events;

namespace Orchestrator.Core.Rules;

/// <summary>A rule fired for a group: the run to start, with the window that made it.</summary>
/// <param name="RuleId">The rule (playbook) id.</param>
/// <param name="Mode">Carried from the rule: dry-run decisions are recorded and shown, not enforced.</param>
/// <param name="GroupKey">The group's key: the <c>group_by</c> values joined by <see cref="RulesEngine.GroupKeySeparator"/>; empty without <c>group_by</c>.</param>
/// <param name="Event">The event that completed the threshold.</param>
/// <param name="Window">What the group held when it fired.</param>
public sealed record RuleDecision(string RuleId, RuleMode Mode, string GroupKey, SecurityEvent Event, WindowSnapshot Window);

/// <summary>The events that made a decision, in event-time order (lists bounded by <see cref="MaxListed"/>).</summary>
/// <param name="Count">Events in the window.</param>
/// <param name="DistinctCount">Distinct values of the threshold's distinct field (0 without one).</param>
/// <param name="DistinctValues">The distinct values, at most <see cref="MaxListed"/>.</param>
/// <param name="First">Event time of the oldest event in the window.</param>
/// <param name="Last">Event time of the newest event in the window.</param>
/// <param name="EventIds">Store ids of the window's events, oldest first, at most <see cref="MaxListed"/>.</param>
public sealed record WindowSnapshot(int Count, int DistinctCount, IReadOnlyList<string> DistinctValues, DateTimeOffset First, DateTimeOffset Last, IReadOnlyList<long> EventIds)
{
    /// <summary>The most ids or distinct values a snapshot lists; counts are always exact.</summary>
    public const int MaxListed = 100;
}

/// <summary>Why an event did or did not make a rule fire, for <c>orchestrator test</c> and the audit trail.</summary>
public enum RuleOutcome
{
    Fired,
    KindNotSubscribed,
    AlreadyProcessed,
    ConditionFalse,
    GroupKeyNull,
    DistinctValueNull,
    BelowThreshold,
    Throttled,
}

/// <summary>One rule's verdict on one event, with a sentence a person reads.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Reason">Why, e.g. "threshold: 2 of 3 events within 10m for group 10.0.0.5".</param>
/// <param name="Decision">The decision when <paramref name="Outcome"/> is <see cref="RuleOutcome.Fired"/>.</param>
/// <param name="ThrottledUntil">When the group may fire again, for <see cref="RuleOutcome.Throttled"/>.</param>
public sealed record RuleEvaluation(string RuleId, RuleOutcome Outcome, string Reason, RuleDecision? Decision = null, DateTimeOffset? ThrottledUntil = null);
