namespace Orchestrator.Core.Runs;

/// <summary>How serious a notification is.</summary>
public enum NotificationSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>Something a person must hear about: an approval to give, a refused or held containment, a failed run.</summary>
public sealed record Notification(NotificationSeverity Severity, string Title, string Text, string? RunId, string? PlaybookId)
{
    /// <summary>The channels to use (a `notify` step's <c>channels</c>); null means every configured channel.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
}

/// <summary>
/// The hook that tells people: the built-in `notify` step and the engine's own alerts (protected
/// asset refused, breaker tripped, approval waiting) go through it. The alerting connectors
/// (email, pager) implement it; the default writes to the log. Throws only on cancellation.
/// </summary>
public interface INotifier
{
    ValueTask NotifyAsync(Notification notification, CancellationToken cancellationToken);
}
