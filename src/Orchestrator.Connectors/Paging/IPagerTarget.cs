namespace Orchestrator.Connectors.Paging;

/// <summary>What a page does to the alert it names: open it, acknowledge it, or close it.</summary>
public enum PageAction
{
    Trigger,
    Acknowledge,
    Resolve,
}

/// <summary>One page, whatever the service.</summary>
/// <param name="Action">Open, acknowledge or close the alert.</param>
/// <param name="DedupKey">Names the alert: the incident id, so a resolution closes the page the trigger opened.</param>
/// <param name="Summary">The one line a person reads first.</param>
/// <param name="Severity">critical, error, warning or info.</param>
/// <param name="Source">The host or address the alert is about.</param>
/// <param name="Details">Extra fields, sent as the service's custom details.</param>
/// <param name="Link">A link back to the incident (optional).</param>
public sealed record Page(
    PageAction Action,
    string DedupKey,
    string Summary,
    string Severity,
    string Source,
    IReadOnlyDictionary<string, object?> Details,
    string? Link = null);

/// <summary>A configured paging target (PagerDuty, Opsgenie, a webhook, Slack, Teams), by the name playbooks and escalation use.</summary>
public interface IPagerTarget
{
    string Name { get; }

    /// <summary>
    /// Sends the page; returns when the service accepted it. Retries what the service says to retry
    /// (429 with Retry-After, 5xx) within <paramref name="cancellationToken"/>; throws
    /// <see cref="PagingException"/> when it refuses or stays unreachable.
    /// </summary>
    ValueTask<PageReceipt> SendAsync(Page page, CancellationToken cancellationToken);
}

/// <summary>What the service answered: its status and any id it gave the alert.</summary>
public sealed record PageReceipt(int Status, string? ServiceId, int Attempts);

/// <summary>A page the service refused or that could not be delivered; the message never holds a secret.</summary>
public sealed class PagingException : Exception
{
    public PagingException()
    {
    }

    public PagingException(string message)
        : base(message)
    {
    }

    public PagingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
