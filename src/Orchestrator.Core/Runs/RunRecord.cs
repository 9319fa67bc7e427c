using Orchestrator.Core.Events;

namespace Orchestrator.Core.Runs;

/// <summary>Where a run stands.</summary>
public enum RunStatus
{
    Running,
    WaitingApproval,
    Succeeded,
    Failed,
    Aborted,
    Cancelled,
}

/// <summary>Where one step stands.</summary>
public enum StepStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,
    WaitingApproval,
}

/// <summary>Whether a step belongs to the playbook's steps or to its <c>on_failure</c> steps.</summary>
public enum StepPhase
{
    Main,
    OnFailure,
}

/// <summary>
/// One run of a playbook as it is stored after every change: each step's state, rendered inputs,
/// outputs, error and timings, so a run can be shown, audited, and resumed after a crash.
/// </summary>
public sealed class RunRecord
{
    public RunRecord(string id, string playbookId, bool dryRun, DateTimeOffset createdAt)
    {
        Id = id;
        PlaybookId = playbookId;
        DryRun = dryRun;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
    }

    public string Id { get; }

    public string PlaybookId { get; }

    public bool DryRun { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset UpdatedAt { get; set; }

    public RunStatus Status { get; set; } = RunStatus.Running;

    /// <summary>The event that started the run (not stored with the run; <see cref="EventId"/> is).</summary>
    public SecurityEvent? Event { get; set; }

    public long? EventId { get; set; }

    /// <summary>The rules-engine decision that started the run (rule, group, event), so a decision never starts two runs.</summary>
    public string? DecisionKey { get; set; }

    /// <summary>The incident the run belongs to (pages are keyed on it, so acknowledging or resolving it reaches them).</summary>
    public string? IncidentId { get; set; }

    /// <summary>The person (API key name) who started the run by hand; null for a run a decision started.</summary>
    public string? StartedBy { get; set; }

    /// <summary>The threshold window that fired the run (<c>count</c>, <c>distinct</c>, ...), as templates see it.</summary>
    public IReadOnlyDictionary<string, object?> Window { get; set; } = new Dictionary<string, object?>();

    public List<StepRecord> Steps { get; } = [];

    /// <summary>Why the run failed, was aborted or cancelled.</summary>
    public string? Error { get; set; }

    /// <summary>The approval the run waits for, while <see cref="Status"/> is <see cref="RunStatus.WaitingApproval"/>.</summary>
    public ApprovalWait? Waiting { get; set; }

    public bool IsFinished => Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Aborted or RunStatus.Cancelled;

    /// <summary>The record of <paramref name="stepId"/> in <paramref name="phase"/>, created on first use.</summary>
    public StepRecord Step(string stepId, string type, StepPhase phase)
    {
        foreach (var step in Steps)
        {
            if (step.Id == stepId && step.Phase == phase)
            {
                return step;
            }
        }

        var created = new StepRecord(stepId, type, phase);
        Steps.Add(created);
        return created;
    }

    /// <summary>What templates and <c>if</c> conditions of the next step can see.</summary>
    public RunView View()
    {
        var outputs = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var step in Steps)
        {
            if (step.Outputs is not null)
            {
                outputs[step.Id] = step.Outputs;
            }
        }

        return new RunView(Event, Window, outputs);
    }
}

/// <summary>The stored state of one step of a run.</summary>
public sealed class StepRecord(string id, string type, StepPhase phase)
{
    public string Id { get; } = id;

    public string Type { get; } = type;

    public StepPhase Phase { get; } = phase;

    public StepStatus Status { get; set; } = StepStatus.Pending;

    public int Attempts { get; set; }

    public IReadOnlyDictionary<string, object?>? Parameters { get; set; }

    public IReadOnlyDictionary<string, object?>? Outputs { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Who approved or denied an approval, or "timeout".</summary>
    public string? DecidedBy { get; set; }
}

/// <summary>An approval a run is waiting for: which step, until when, and what happens then.</summary>
public sealed record ApprovalWait(string StepId, StepPhase Phase, DateTimeOffset Deadline, ApprovalDefault Default, string Reason);

/// <summary>What a step's templates and <c>if</c> condition can read: the event, the window, and earlier steps' outputs.</summary>
public sealed record RunView(
    SecurityEvent? Event,
    IReadOnlyDictionary<string, object?> Window,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> Steps);
