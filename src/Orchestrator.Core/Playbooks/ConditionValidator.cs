namespace Orchestrator.Core.Playbooks;

/// <summary>
/// Checks one condition (<c>when</c> or a step's <c>if</c>) at load time; returns null when it compiles,
/// otherwise the 0-based offset into <paramref name="source"/> where it goes wrong and why.
/// The loader maps the offset to the file's line and column.
/// </summary>
public delegate ConditionCheck? ConditionValidator(string source, ConditionUse use);

/// <summary>Where a condition failed to compile: a 0-based offset into its source text and the reason.</summary>
public readonly record struct ConditionCheck(int Offset, string Message);

/// <summary>Where a condition is written.</summary>
public enum ConditionPlace
{
    /// <summary>A playbook's <c>when</c>: sees <c>event</c> and <c>lists</c>.</summary>
    When,

    /// <summary>A step's <c>if</c>: also sees <c>window</c> and the outputs of earlier steps.</summary>
    StepIf,
}

/// <summary>What a condition may refer to: where it is written, the inventory's lists, and the ids of the steps before it.</summary>
public sealed record ConditionUse(ConditionPlace Place, Inventory Inventory, IReadOnlyList<string> EarlierStepIds);
