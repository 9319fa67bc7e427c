using Orchestrator.Core.Conditions;
using Orchestrator.Core.Events;
using Orchestrator.Core.Rules;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Playbooks;

/// <summary>
/// Feeds events through a rules engine holding the given playbooks and, when one fires, works out
/// the run it would start without calling any connector: for <c>orchestrator test</c> and <c>replay</c>.
/// </summary>
/// <remarks>
/// The engine is the live one (same windows on event time, same throttles), so the verdicts are the
/// decisions live processing makes. The simulated run walks the plan in order: each step's <c>if</c>
/// is evaluated and its parameters rendered from the event, the window and what earlier steps are
/// known to output. Connector outputs are not known without running them, so a template that reads
/// <c>steps.X.field</c> renders empty here; an <c>approve</c> step is shown as approved so the steps
/// after it are shown too. Not thread-safe, like the engine.
/// </remarks>
public sealed class PlaybookSimulator
{
    private readonly RulesEngine _engine;
    private readonly Dictionary<string, Playbook> _playbooks;
    private readonly Dictionary<string, RunPlan> _plans;
    private readonly Dictionary<string, Condition> _when;
    private readonly List<RuleDecision> _decisions = [];

    public PlaybookSimulator(IEnumerable<Playbook> playbooks, Inventory inventory)
    {
        ArgumentNullException.ThrowIfNull(playbooks);
        ArgumentNullException.ThrowIfNull(inventory);
        var list = playbooks.ToList();
        _playbooks = list.ToDictionary(p => p.Id, StringComparer.Ordinal);
        _plans = list.ToDictionary(p => p.Id, p => PlaybookPlans.Build(p, inventory, dryRun: true), StringComparer.Ordinal);
        _when = list.Where(p => p.When is not null).ToDictionary(
            p => p.Id,
            p => PlaybookConditions.Compile(p.When!.Text, new ConditionUse(ConditionPlace.When, inventory, [])),
            StringComparer.Ordinal);
        _engine = new RulesEngine(list.Select(p => PlaybookRules.Build(p, inventory)));
    }

    /// <summary>The playbooks the engine holds, in the order given.</summary>
    public IReadOnlyList<Playbook> Playbooks => [.. _playbooks.Values];

    /// <summary>Every playbook's verdict on <paramref name="evt"/> (the event counts in the windows, as live).</summary>
    public IReadOnlyList<PlaybookVerdict> Evaluate(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var verdicts = new List<PlaybookVerdict>();
        foreach (var evaluation in _engine.Evaluate(evt))
        {
            var playbook = _playbooks[evaluation.RuleId];
            var when = evaluation.Outcome == RuleOutcome.ConditionFalse && _when.TryGetValue(playbook.Id, out var condition)
                ? condition.Explain(new ConditionInput(evt))
                : null;
            var run = evaluation.Decision is { } decision ? Simulate(playbook, _plans[playbook.Id], decision) : null;
            verdicts.Add(new PlaybookVerdict(playbook, evaluation, when, run));
        }

        return verdicts;
    }

    /// <summary>Only the decisions <paramref name="evt"/> completes, each with its simulated run: the engine's fast path, for replays of many events.</summary>
    public IReadOnlyList<SimulatedRun> Decide(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        _decisions.Clear();
        _engine.Process(evt, _decisions);
        return _decisions.Count == 0 ? [] : [.. _decisions.Select(d => Simulate(_playbooks[d.RuleId], _plans[d.RuleId], d))];
    }

    private static SimulatedRun Simulate(Playbook playbook, RunPlan plan, RuleDecision decision)
    {
        var window = PlaybookPlans.Window(decision);
        var outputs = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        var steps = Walk(playbook.Steps, plan.Steps, decision.Event, window, outputs);
        var onFailure = Walk(playbook.OnFailure, plan.OnFailure, decision.Event, window, outputs);
        return new SimulatedRun(decision, window, steps, onFailure);
    }

    private static List<SimulatedStep> Walk(
        IReadOnlyList<PlaybookStep> written,
        IReadOnlyList<PlannedStep> planned,
        SecurityEvent evt,
        IReadOnlyDictionary<string, object?> window,
        Dictionary<string, IReadOnlyDictionary<string, object?>> outputs)
    {
        var simulated = new List<SimulatedStep>(planned.Count);
        for (var i = 0; i < planned.Count; i++)
        {
            var step = planned[i];
            var view = new RunView(evt, window, new Dictionary<string, IReadOnlyDictionary<string, object?>>(outputs, StringComparer.Ordinal));
            var ifText = i < written.Count ? written[i].If?.Text : null;
            var holds = step.If is not { } condition || condition(view);
            IReadOnlyDictionary<string, object?>? parameters = null;
            string? error = null;
            if (holds)
            {
                try
                {
                    parameters = step.RenderParameters(view);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The runner fails such a step the same way; the test shows it instead of stopping.
                    error = "parameters could not be rendered: " + ex.Message;
                }

                if (step.Approval is not null)
                {
                    outputs[step.Id] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["approved"] = true, ["by"] = "simulation" };
                }
            }

            simulated.Add(new SimulatedStep(step, ifText, holds, parameters, error));
        }

        return simulated;
    }
}

/// <summary>One playbook's verdict on one event: the engine's outcome and reason, why <c>when</c> was false, and the run it would start.</summary>
/// <param name="Playbook">The playbook.</param>
/// <param name="Evaluation">The engine's outcome with its reason (threshold state, throttle, kind).</param>
/// <param name="When">For a false <c>when</c>: the clause that failed and the values it saw.</param>
/// <param name="Run">When the playbook fired: the steps that would run.</param>
public sealed record PlaybookVerdict(Playbook Playbook, RuleEvaluation Evaluation, ConditionExplanation? When, SimulatedRun? Run)
{
    public bool Fired => Evaluation.Outcome == RuleOutcome.Fired;
}

/// <summary>The run a decision would start, worked out without calling a connector.</summary>
/// <param name="Decision">The decision (group, window).</param>
/// <param name="Window">The window as templates see it.</param>
/// <param name="Steps">The steps in order.</param>
/// <param name="OnFailure">The steps that run when a step fails.</param>
public sealed record SimulatedRun(RuleDecision Decision, IReadOnlyDictionary<string, object?> Window, IReadOnlyList<SimulatedStep> Steps, IReadOnlyList<SimulatedStep> OnFailure);

/// <summary>One step of a simulated run: its <c>if</c> and whether it holds, and its rendered parameters (or why they could not be rendered).</summary>
/// <param name="Step">The planned step (type, approval gate, retry, timeout).</param>
/// <param name="If">The step's <c>if</c> as written, or null.</param>
/// <param name="Runs">False when the <c>if</c> is false: the step would be skipped.</param>
/// <param name="Parameters">The rendered parameters when the step runs and they rendered.</param>
/// <param name="Error">Why the parameters could not be rendered.</param>
public sealed record SimulatedStep(PlannedStep Step, string? If, bool Runs, IReadOnlyDictionary<string, object?>? Parameters, string? Error);
