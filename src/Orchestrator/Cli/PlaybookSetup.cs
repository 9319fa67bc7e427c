using Orchestrator.Connectors.Email;
using Orchestrator.Connectors.Paging;
using Orchestrator.Connectors.Scripts;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Switches;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Cli;

/// <summary>The one place the executable decides which step types and condition checker playbooks are loaded with.</summary>
public static class PlaybookSetup
{
    /// <summary>The steps this build knows: the built-ins now; connectors add theirs here as they arrive.</summary>
    public static StepCatalog Steps { get; } = StepCatalog.BuiltIn.With(
        EmailStep.Definition, PagerStep.Definition, ScriptStep.Definition,
        SwitchContainmentStep.ShutdownDefinition, SwitchContainmentStep.QuarantineDefinition, SwitchReleaseStep.Definition, NetworkLocateStep.Definition, FirewallBlockStep.Definition, FirewallUnblockStep.Definition);

    public static PlaybookLoaderOptions LoaderOptions { get; } = new() { Steps = Steps };

    /// <summary>The JSON Schema for playbook files, as committed in <c>playbooks/playbook.schema.json</c>.</summary>
    public static string Schema() => PlaybookSchema.Generate(Steps, LoaderOptions.EventKinds);
}
