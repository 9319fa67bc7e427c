namespace Orchestrator.Core.Runs;

/// <summary>Containment actions allowed per window, across all playbooks and per playbook.</summary>
public sealed record BlastRadiusLimits(int Global, int PerPlaybook, TimeSpan Window)
{
    /// <summary>5 per 10 minutes, globally and per playbook.</summary>
    public static BlastRadiusLimits Default { get; } = new(5, 5, TimeSpan.FromMinutes(10));
}

/// <summary>
/// Counts containment actions in a sliding window of wall-clock time. When a limit is reached the
/// breaker is tripped: further containments are held for a person to approve, so a bad playbook or
/// a flood of spoofed detections cannot take the network down. Thread-safe.
/// </summary>
public sealed class BlastRadiusBreaker(BlastRadiusLimits limits, TimeProvider time)
{
    private readonly Queue<(DateTimeOffset At, string PlaybookId)> _actions = new();
    private readonly Lock _lock = new();

    public BlastRadiusLimits Limits { get; } = limits;

    /// <summary>
    /// Counts one containment by <paramref name="playbookId"/> when the limits allow it and returns
    /// null; otherwise counts nothing and says which limit is reached.
    /// </summary>
    public string? TryCount(string playbookId)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            while (_actions.Count > 0 && now - _actions.Peek().At >= Limits.Window)
            {
                _actions.Dequeue();
            }

            if (_actions.Count >= Limits.Global)
            {
                return $"blast-radius breaker: {_actions.Count} containments in the last {Format(Limits.Window)} (limit {Limits.Global})";
            }

            var byPlaybook = _actions.Count(a => a.PlaybookId == playbookId);
            if (byPlaybook >= Limits.PerPlaybook)
            {
                return $"blast-radius breaker: playbook '{playbookId}' made {byPlaybook} containments in the last {Format(Limits.Window)} (limit {Limits.PerPlaybook})";
            }

            _actions.Enqueue((now, playbookId));
            return null;
        }
    }

    /// <summary>Counts a containment a person approved past the limit.</summary>
    public void CountApproved(string playbookId)
    {
        lock (_lock)
        {
            _actions.Enqueue((time.GetUtcNow(), playbookId));
        }
    }

    private static string Format(TimeSpan span) => span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0} s";
}
