namespace Orchestrator.Core.Runs;

/// <summary>What a run carries out: the steps of a playbook, its failure steps, and whether it only simulates.</summary>
public sealed record RunPlan(string PlaybookId, IReadOnlyList<PlannedStep> Steps, IReadOnlyList<PlannedStep> OnFailure, bool DryRun);

/// <summary>
/// One step as the runner sees it: the step type to run, an optional guard, how to render its
/// parameters from what the run knows so far, and its timeout and retries.
/// </summary>
public sealed record PlannedStep(
    string Id,
    string Type,
    Func<RunView, IReadOnlyDictionary<string, object?>> RenderParameters)
{
    /// <summary>The step runs only when this is true; null runs it always.</summary>
    public Func<RunView, bool>? If { get; init; }

    public TimeSpan? Timeout { get; init; }

    public RetryPolicy Retry { get; init; } = RetryPolicy.None;

    /// <summary>A failure of this step is recorded and the run goes on.</summary>
    public bool ContinueOnError { get; init; }

    /// <summary>Set for an <c>approve</c> step: the run waits for a person.</summary>
    public ApprovalPolicy? Approval { get; init; }
}

/// <summary>Retries of a failed step: attempts in all (1 = no retry), and exponential backoff between them, with jitter.</summary>
public sealed record RetryPolicy(int Attempts, TimeSpan InitialBackoff, TimeSpan MaxBackoff)
{
    /// <summary>The first wait when a playbook gives only the number of attempts.</summary>
    public static readonly TimeSpan DefaultInitialBackoff = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait when a playbook gives none.</summary>
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromMinutes(5);

    public static RetryPolicy None { get; } = new(1, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>The wait before attempt <paramref name="nextAttempt"/> (2, 3, ...): initial × 2^(n−2), capped, times a jitter factor in [0.5, 1].</summary>
    public TimeSpan BackoffBefore(int nextAttempt, double jitter)
    {
        var exponential = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, nextAttempt - 2));
        var capped = Math.Min(exponential, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Math.Clamp(jitter, 0, 1) / 2)));
    }
}

/// <summary>What happens at an <c>approve</c> step that nobody answers in time.</summary>
public enum ApprovalDefault
{
    Abort,
    Proceed,
}

/// <summary>An approval gate: how long to wait and what to do when the wait ends unanswered.</summary>
public sealed record ApprovalPolicy(TimeSpan Timeout, ApprovalDefault Default, string? Message)
{
    /// <summary>Who may answer (API key or user names); empty lets any admin answer.</summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];
}
