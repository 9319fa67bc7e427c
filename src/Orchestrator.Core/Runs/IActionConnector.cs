using Orchestrator.Core.Events;

namespace Orchestrator.Core.Runs;

/// <summary>
/// One step type (`log`, `email`, `firewall.block`, ...), registered by the name playbooks use.
/// </summary>
/// <remarks>
/// A failure the connector understands (refused, unreachable, bad parameter) is returned as
/// <see cref="StepResult.Failed(string)"/>; any other exception also counts as a failed attempt.
/// Cancellation (the step's timeout or a cancelled run) throws <see cref="OperationCanceledException"/>.
/// In a dry run (<see cref="StepContext.DryRun"/>) a connector changes nothing and returns what it
/// would have done. The same <see cref="StepContext.IdempotencyKey"/> comes back on every retry
/// and after a crash, so a connector can tell "already done" from "do it".
/// </remarks>
public interface IActionConnector
{
    ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken);
}

/// <summary>
/// A connector that changes the network (block, shut a port, move a VLAN). The runner asks it which
/// targets a step would touch, so protected assets and the blast-radius breaker apply to every
/// containment whatever the device.
/// </summary>
public interface IContainmentConnector : IActionConnector
{
    /// <summary>The addresses, MACs and host names the step would contain, from its rendered parameters.</summary>
    ContainmentTargets TargetsOf(IReadOnlyDictionary<string, object?> parameters);
}

/// <summary>
/// A connector that queues and batches its own device access (a firewall taking a burst of blocks in one
/// round trip): the runner holds no per-device lock for its steps, which would send them one at a time.
/// </summary>
public interface IBatchingConnector : IActionConnector
{
}

/// <summary>What one step runs with: its rendered parameters, the run it belongs to, and the event that started the run.</summary>
public sealed record StepContext(
    string RunId,
    string PlaybookId,
    string StepId,
    string StepType,
    IReadOnlyDictionary<string, object?> Parameters,
    string IdempotencyKey,
    int Attempt,
    bool DryRun,
    SecurityEvent? Event,
    string? IncidentId = null,
    IReadOnlyDictionary<string, object?>? Window = null)
{
    /// <summary>The person who started the run by hand, or null when a playbook's decision did.</summary>
    public string? StartedBy { get; init; }

    /// <summary>Who asks for what this step does, as records and audit name it: the person, else the playbook.</summary>
    public string RequestedBy => StartedBy ?? $"playbook {PlaybookId}";
}

/// <summary>The outcome of one attempt of a step: success with outputs for later steps, or failure with a reason.</summary>
public sealed record StepResult(bool Succeeded, IReadOnlyDictionary<string, object?> Outputs, string? Error)
{
    private static readonly IReadOnlyDictionary<string, object?> NoOutputs = new Dictionary<string, object?>();

    public static StepResult Success(IReadOnlyDictionary<string, object?>? outputs = null) => new(true, outputs ?? NoOutputs, null);

    public static StepResult Failed(string error) => new(false, NoOutputs, error);
}
