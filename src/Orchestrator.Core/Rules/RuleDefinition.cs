namespace Orchestrator.Core.Rules;

/// <summary>Whether a rule's decisions are carried out or only recorded and shown.</summary>
public enum RuleMode
{
    Enforce,
    DryRun,
}

/// <summary>
/// A compiled rule: the small model the playbook loader maps a playbook onto and the
/// <see cref="RulesEngine"/> evaluates. Windows and throttles are measured in event time.
/// </summary>
public sealed class RuleDefinition
{
    /// <summary>The playbook id; names the rule in decisions, state snapshots and explanations.</summary>
    public required string Id { get; init; }

    /// <summary>Event kinds (<see cref="Events.SecurityEvent.Kind"/>) the rule subscribes to; at least one.</summary>
    public required IReadOnlySet<string> On { get; init; }

    /// <summary>The compiled <c>when</c> condition; null matches every event of a subscribed kind.</summary>
    public IEventPredicate? When { get; init; }

    /// <summary>Selectors whose values together form the group key; empty puts every event in one group.</summary>
    public IReadOnlyList<EventFieldSelector> GroupBy { get; init; } = [];

    /// <summary>How many events (or distinct values) a group needs within a time span; null fires on every match.</summary>
    public RuleThreshold? Threshold { get; init; }

    /// <summary>After a decision, no further decision for the same group until this much event time has passed.</summary>
    public TimeSpan? Throttle { get; init; }

    public RuleMode Mode { get; init; } = RuleMode.Enforce;

    /// <summary>Throws with a message naming the rule when the definition cannot be evaluated.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            throw new ArgumentException("rule id is empty; give every playbook an 'id'.");
        }

        if (On is null || On.Count == 0)
        {
            throw new ArgumentException($"rule '{Id}': 'on' names no event kind; list at least one.");
        }

        if (Threshold is { } threshold)
        {
            if (threshold.Count < 1)
            {
                throw new ArgumentException($"rule '{Id}': threshold count {threshold.Count} must be at least 1.");
            }

            if (threshold.Within <= TimeSpan.Zero)
            {
                throw new ArgumentException($"rule '{Id}': threshold within {threshold.Within} must be positive.");
            }
        }

        if (Throttle is { } throttle && throttle < TimeSpan.Zero)
        {
            throw new ArgumentException($"rule '{Id}': throttle {throttle} must not be negative.");
        }
    }
}

/// <summary>A group fires when, within <see cref="Within"/> of event time, it holds ≥ <see cref="Count"/> events (or distinct values).</summary>
/// <param name="Count">Events needed, or distinct values needed when <paramref name="Distinct"/> is set.</param>
/// <param name="Within">The largest span of event time, exclusive: last − first &lt; Within.</param>
/// <param name="Distinct">Counts distinct values of this field instead of events; an event where it is null does not count.</param>
public sealed record RuleThreshold(int Count, TimeSpan Within, EventFieldSelector? Distinct = null);

/// <summary>The compiled form of a <c>when</c> condition; the condition language plugs in behind it.</summary>
public interface IEventPredicate
{
    /// <summary>True when the event satisfies the condition. Must not throw; a missing field is a false comparison.</summary>
    bool Matches(Events.SecurityEvent evt);
}

/// <summary>An <see cref="IEventPredicate"/> over a delegate, for tests and rules built in code.</summary>
public sealed class DelegatePredicate(Func<Events.SecurityEvent, bool> matches, string text = "<code>") : IEventPredicate
{
    /// <summary>The condition as written, for explanations.</summary>
    public string Text { get; } = text;

    public bool Matches(Events.SecurityEvent evt) => matches(evt);

    public override string ToString() => Text;
}
