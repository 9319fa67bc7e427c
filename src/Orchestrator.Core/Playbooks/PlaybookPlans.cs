using System.Globalization;
using Orchestrator.Core.Conditions;
using Orchestrator.Core.Rules;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Playbooks;

/// <summary>Turns a loaded playbook's steps into what the runner carries out: compiled <c>if</c> conditions and parameter rendering.</summary>
public static class PlaybookPlans
{
    /// <summary>The run plan of <paramref name="playbook"/>; <paramref name="dryRun"/> forces simulation whatever its mode.</summary>
    public static RunPlan Build(Playbook playbook, Inventory inventory, bool dryRun = false)
    {
        ArgumentNullException.ThrowIfNull(playbook);
        ArgumentNullException.ThrowIfNull(inventory);
        return new RunPlan(
            playbook.Id,
            Steps(playbook, playbook.Steps, inventory, []),
            Steps(playbook, playbook.OnFailure, inventory, [.. playbook.Steps.Select((s, i) => s.Name(i))]),
            dryRun || playbook.Mode == PlaybookMode.DryRun);
    }

    /// <summary>A decision's window as templates and step conditions see it: <c>window.count</c>, <c>window.distinct</c>, <c>window.values</c>, <c>window.group</c>, <c>window.first</c>, <c>window.last</c>.</summary>
    public static Dictionary<string, object?> Window(RuleDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new(StringComparer.Ordinal)
        {
            ["count"] = (long)decision.Window.Count,
            ["distinct"] = (long)decision.Window.DistinctCount,
            ["values"] = decision.Window.DistinctValues.Cast<object?>().ToList(),
            ["group"] = decision.GroupKey.Replace(RulesEngine.GroupKeySeparator, ' '),
            ["first"] = decision.Window.First.ToString("O", CultureInfo.InvariantCulture),
            ["last"] = decision.Window.Last.ToString("O", CultureInfo.InvariantCulture),
            ["event_ids"] = decision.Window.EventIds.Cast<object?>().ToList(),
        };
    }

    /// <summary>The window values conditions and templates see: <c>window.count</c>, <c>window.distinct</c>, and the rest.</summary>
    public static WindowValues WindowOf(IReadOnlyDictionary<string, object?> window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return new WindowValues(Number(window, "count"), Number(window, "distinct"));
    }

    private static List<PlannedStep> Steps(Playbook playbook, IReadOnlyList<PlaybookStep> steps, Inventory inventory, IReadOnlyList<string> before)
    {
        var planned = new List<PlannedStep>(steps.Count);
        var earlier = new List<string>(before);
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var condition = step.If is null
                ? null
                : PlaybookConditions.Compile(step.If.Text, new ConditionUse(ConditionPlace.StepIf, inventory, [.. earlier]));
            var parameters = step.Parameters;
            var playbookId = playbook.Id;
            planned.Add(new PlannedStep(step.Name(i), step.Type, view => parameters.RenderMap(Values(view, playbookId)))
            {
                If = condition is null ? null : view => view.Event is { } evt && condition.Evaluate(new ConditionInput(evt, WindowOf(view.Window), view.Steps)),
                Timeout = step.Timeout,
                Retry = step.Retry ?? RetryPolicy.None,
                ContinueOnError = step.ContinueOnError,
                Approval = step.Approval,
            });
            earlier.Add(step.Name(i));
        }

        return planned;
    }

    private static TemplateValues Values(RunView view, string playbookId) => new()
    {
        Event = view.Event,
        Window = view.Window,
        Steps = view.Steps,
        PlaybookId = playbookId,
    };

    private static long Number(IReadOnlyDictionary<string, object?> window, string name) =>
        window.TryGetValue(name, out var value) && value is not null ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
}
