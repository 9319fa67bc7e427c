namespace Orchestrator.Core.Playbooks;

/// <summary>
/// A step type playbooks may use, with the parameters it takes. When <see cref="AllowsOtherParameters"/>
/// is false, a parameter not in <see cref="Parameters"/> is an error.
/// </summary>
public sealed record StepDefinition(string Name, string Description, IReadOnlyList<KeySpec> Parameters, bool AllowsOtherParameters = false);

/// <summary>The step types the loader accepts, by the name playbooks use; the built-ins plus those connectors register.</summary>
public sealed class StepCatalog
{
    public const string Log = "log";
    public const string Notify = "notify";
    public const string Approve = "approve";

    private readonly Dictionary<string, StepDefinition> _steps;

    private StepCatalog(IEnumerable<StepDefinition> steps)
    {
        _steps = steps.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    /// <summary>The steps every installation has: <c>log</c>, <c>notify</c> and <c>approve</c>.</summary>
    public static StepCatalog BuiltIn { get; } = new(
    [
        new StepDefinition(Log, "Write a line to the run's log and the audit trail.",
        [
            new("message", KeyShape.Template, "The line to write.") { Required = true },
            new("level", KeyShape.Enum, "info (default), warning or error.") { Values = ["info", "warning", "error"] },
        ]),
        new StepDefinition(Notify, "Alert people through the configured channels (email, pager, chat).",
        [
            new("message", KeyShape.Template, "The alert text.") { Required = true },
            new("subject", KeyShape.Template, "A short title."),
            new("severity", KeyShape.Enum, "info, warning (default) or critical.") { Values = ["info", "warning", "critical"] },
            new("channels", KeyShape.TextList, "Channel names; all configured channels when omitted."),
        ], AllowsOtherParameters: true),
        new StepDefinition(Approve, "Pause the run until a person approves or denies it (API or CLI).",
        [
            new("timeout", KeyShape.Duration, "How long to wait for an answer.") { Required = true },
            new("default", KeyShape.Enum, "What happens when nobody answers in time: abort (default) or proceed.") { Values = ["abort", "proceed"] },
            new("message", KeyShape.Template, "What the approver is asked."),
            new("approvers", KeyShape.TextList, "Who may answer; anyone with the admin role when omitted."),
        ]),
    ]);

    public IReadOnlyCollection<StepDefinition> Steps => _steps.Values;

    public IEnumerable<string> Names => _steps.Keys;

    public bool TryGet(string name, out StepDefinition definition) => _steps.TryGetValue(name, out definition!);

    /// <summary>A catalog with these steps added (or replaced by name).</summary>
    public StepCatalog With(params IEnumerable<StepDefinition> steps)
    {
        var all = new Dictionary<string, StepDefinition>(_steps, StringComparer.Ordinal);
        foreach (var step in steps)
        {
            all[step.Name] = step;
        }

        return new StepCatalog(all.Values);
    }
}
