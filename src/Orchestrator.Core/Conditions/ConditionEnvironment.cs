namespace Orchestrator.Core.Conditions;

/// <summary>What a condition may refer to where it is written: the named lists, and whether window and step values exist there.</summary>
public sealed class ConditionEnvironment
{
    /// <summary>How long one <c>matches</c> may run before it counts as a timeout and evaluates to false.</summary>
    public static readonly TimeSpan DefaultRegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>An environment for a <c>when:</c> on events: no lists, no window, no steps.</summary>
    public static ConditionEnvironment Events { get; } = new();

    /// <summary>The named lists of the inventory, by name (written <c>lists.NAME</c> in a condition).</summary>
    public IReadOnlyDictionary<string, NamedList> Lists { get; init; } = new Dictionary<string, NamedList>(StringComparer.Ordinal);

    /// <summary>True where <c>window.count</c> and <c>window.distinct</c> exist: in a step's <c>if:</c>, and after a threshold.</summary>
    public bool AllowWindow { get; init; }

    /// <summary>True where <c>steps.ID.OUTPUT</c> exists: in a step's <c>if:</c>.</summary>
    public bool AllowSteps { get; init; }

    /// <summary>The ids of the steps before this one; null accepts any id.</summary>
    public IReadOnlyCollection<string>? KnownStepIds { get; init; }

    /// <summary>The match timeout of every <c>matches</c> (default 100 ms).</summary>
    public TimeSpan RegexTimeout { get; init; } = DefaultRegexTimeout;

    /// <summary>An environment with these lists, keyed by their names.</summary>
    public static ConditionEnvironment WithLists(params IEnumerable<NamedList> lists) =>
        new() { Lists = lists.ToDictionary(l => l.Name, StringComparer.Ordinal) };
}
