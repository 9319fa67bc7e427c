using Orchestrator.Core.Conditions;

namespace Orchestrator.Core.Playbooks;

/// <summary>Compiles playbook conditions with what each place may see: <c>when</c> the event and lists; a step's <c>if</c> also the window and earlier steps.</summary>
public static class PlaybookConditions
{
    public static ConditionEnvironment Environment(ConditionUse use)
    {
        ArgumentNullException.ThrowIfNull(use);
        return new ConditionEnvironment
        {
            Lists = use.Inventory.Lists,
            AllowWindow = use.Place == ConditionPlace.StepIf,
            AllowSteps = use.Place == ConditionPlace.StepIf,
            KnownStepIds = use.Place == ConditionPlace.StepIf ? use.EarlierStepIds : [],
        };
    }

    /// <summary>Compiles <paramref name="source"/>; the condition, or throws <see cref="ConditionException"/> with the offset of the problem.</summary>
    public static Condition Compile(string source, ConditionUse use) => ConditionCompiler.Compile(source, Environment(use));

    /// <summary>The <see cref="ConditionValidator"/> the loader uses by default.</summary>
    public static ConditionCheck? Validate(string source, ConditionUse use)
    {
        try
        {
            Compile(source, use);
            return null;
        }
        catch (ConditionException ex)
        {
            return new ConditionCheck(ex.Offset, ex.Message);
        }
    }
}
