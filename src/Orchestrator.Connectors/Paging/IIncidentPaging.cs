namespace Orchestrator.Connectors.Paging;

/// <summary>
/// Pages for an incident, remembered so that acknowledging or resolving the incident reaches the same
/// alerts, and escalation policies: page the first level now, the next when nobody acknowledged in time.
/// </summary>
public interface IIncidentPaging
{
    /// <summary>Whether an escalation policy of that name is configured.</summary>
    bool HasPolicy(string policy);

    /// <summary>Records a page a step sent straight to <paramref name="target"/> for the incident.</summary>
    ValueTask PagedAsync(string incidentId, string target, Page page, CancellationToken cancellationToken);

    /// <summary>
    /// Pages the first level of <paramref name="policy"/> now and schedules the next (a persistent timer),
    /// unless the incident is acknowledged first. Throws <see cref="PagingException"/> when the first page fails.
    /// </summary>
    ValueTask<PageReceipt> EscalateAsync(string incidentId, string policy, Page page, CancellationToken cancellationToken);
}
