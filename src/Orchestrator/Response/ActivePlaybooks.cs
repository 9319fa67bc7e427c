using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Rules;
using Orchestrator.Core.Runs;

namespace Orchestrator.Response;

/// <summary>The playbooks in force: the loaded set, each one's run plan, and the rules engine built from them.</summary>
public sealed class ActivePlaybooks
{
    private ActivePlaybooks(PlaybookSet set, IReadOnlyDictionary<string, RunPlan> plans, RulesEngine engine)
    {
        Set = set;
        Plans = plans;
        Engine = engine;
    }

    public PlaybookSet Set { get; }

    public IReadOnlyDictionary<string, RunPlan> Plans { get; }

    public RulesEngine Engine { get; }

    /// <summary>Compiles the valid playbooks of <paramref name="set"/>; <paramref name="dryRun"/> makes every plan simulate.</summary>
    public static ActivePlaybooks Build(PlaybookSet set, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(set);
        var plans = set.Playbooks.ToDictionary(p => p.Id, p => PlaybookPlans.Build(p, set.Inventory, dryRun), StringComparer.Ordinal);
        var engine = new RulesEngine(set.Playbooks.Select(p => PlaybookRules.Build(p, set.Inventory)));
        return new ActivePlaybooks(set, plans, engine);
    }
}
