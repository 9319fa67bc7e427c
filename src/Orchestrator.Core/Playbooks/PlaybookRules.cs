using Orchestrator.Core.Conditions;
using Orchestrator.Core.Events;
using Orchestrator.Core.Rules;

namespace Orchestrator.Core.Playbooks;

/// <summary>Turns a loaded playbook's trigger (<c>on</c>, <c>when</c>, <c>group_by</c>, <c>threshold</c>, <c>throttle</c>, <c>mode</c>) into the rules engine's definition.</summary>
public static class PlaybookRules
{
    private const string EventPrefix = "event.";
    private const string LabelsPrefix = "labels.";

    public static RuleDefinition Build(Playbook playbook, Inventory inventory)
    {
        ArgumentNullException.ThrowIfNull(playbook);
        ArgumentNullException.ThrowIfNull(inventory);
        var when = playbook.When is null
            ? null
            : new ConditionPredicate(PlaybookConditions.Compile(playbook.When.Text, new ConditionUse(ConditionPlace.When, inventory, [])));
        return new RuleDefinition
        {
            Id = playbook.Id,
            On = playbook.On.ToHashSet(StringComparer.Ordinal),
            When = when,
            GroupBy = [.. playbook.GroupBy.Select(Selector)],
            Threshold = playbook.Threshold is { } t ? new RuleThreshold(t.Count, t.Within, t.Distinct is null ? null : Selector(t.Distinct)) : null,
            Throttle = playbook.Throttle,
            Mode = playbook.Mode == PlaybookMode.DryRun ? RuleMode.DryRun : RuleMode.Enforce,
        };
    }

    /// <summary>The value of a field written as in playbooks (<c>event.source.ip</c>, <c>event.labels.Group</c>) as text.</summary>
    public static EventFieldSelector Selector(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var ecsPath = path.StartsWith(EventPrefix, StringComparison.Ordinal) ? path[EventPrefix.Length..] : path;
        if (ecsPath.StartsWith(LabelsPrefix, StringComparison.Ordinal))
        {
            var label = ecsPath[LabelsPrefix.Length..];
            return new EventFieldSelector(path, e => e.Labels is { } labels && labels.TryGetValue(label, out var value) && !string.IsNullOrEmpty(value) ? value : null);
        }

        // Explanations quote the path as the playbook wrote it (event.host.name), not the ECS path.
        var field = EventFieldSelector.ForEcsPath(ecsPath);
        return ecsPath.Length == path.Length ? field : new EventFieldSelector(path, field.Select);
    }

    /// <summary>A compiled <c>when</c> as the engine's predicate.</summary>
    private sealed class ConditionPredicate(Condition condition) : IEventPredicate
    {
        public bool Matches(SecurityEvent evt) => condition.Evaluate(new ConditionInput(evt));

        public override string ToString() => condition.Source;
    }
}
