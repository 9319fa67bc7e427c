namespace Orchestrator.Core.Runs;

/// <summary>Settings of the action runner.</summary>
public sealed class RunnerOptions
{
    /// <summary>Every run only simulates, whatever the playbooks say (the global dry-run switch).</summary>
    public bool DryRun { get; set; }

    /// <summary>The timeout of a step that sets none.</summary>
    public TimeSpan DefaultStepTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Steps that act on the same device at once (a step's <c>device</c> parameter).</summary>
    public int MaxConcurrentPerDevice { get; set; } = 1;

    /// <summary>How long a containment held by the blast-radius breaker waits for approval before it is dropped.</summary>
    public TimeSpan HeldContainmentTimeout { get; set; } = TimeSpan.FromMinutes(30);
}
