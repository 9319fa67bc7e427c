using Orchestrator.Core.Events;

namespace Orchestrator.Core.Conditions;

/// <summary>What one evaluation reads: the event, the threshold window (if any), and the outputs of earlier steps (if any) by step id.</summary>
public readonly record struct ConditionInput(
    SecurityEvent Event,
    WindowValues? Window = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>? Steps = null);

/// <summary>The counts of a threshold window: events in it, and distinct values of its <c>distinct:</c> field.</summary>
public readonly record struct WindowValues(long Count, long Distinct);
