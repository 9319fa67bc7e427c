using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Playbooks;

/// <summary>One step of a playbook: a single action (<see cref="Type"/>) with its parameters, and how to run it.</summary>
public sealed class PlaybookStep
{
    /// <summary>The id later steps use to read its outputs (<c>steps.ID.port</c>); null when none was given.</summary>
    public string? Id { get; init; }

    /// <summary>The action, by the name playbooks use: <c>log</c>, <c>notify</c>, <c>approve</c>, <c>firewall.block</c>, ...</summary>
    public required string Type { get; init; }

    /// <summary>The action's parameters; string values are Liquid templates.</summary>
    public required ParameterMap Parameters { get; init; }

    /// <summary>The step runs only when this condition holds; null to always run.</summary>
    public ConditionSource? If { get; init; }

    public TimeSpan? Timeout { get; init; }

    public RetryPolicy? Retry { get; init; }

    /// <summary>When true, a failure of this step is recorded and the run goes on to the next step.</summary>
    public bool ContinueOnError { get; init; }

    /// <summary>For an <c>approve</c> step: how long to wait and what to do then; null for other steps.</summary>
    public ApprovalPolicy? Approval { get; init; }

    public required SourceLocation Location { get; init; }

    /// <summary>The id, or the type and position (<c>notify#2</c>) for messages about a step without one.</summary>
    public string Name(int index) => Id ?? $"{Type}#{index + 1}";
}
