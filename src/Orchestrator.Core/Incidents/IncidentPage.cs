namespace Orchestrator.Core.Incidents;

/// <summary>
/// A page sent for an incident: which target, under which alert key, and at which escalation level
/// (0 for a page a step sent directly). Acknowledging or resolving the incident reaches these alerts.
/// </summary>
/// <param name="IncidentId">The incident paged about.</param>
/// <param name="Target">The configured pager target's name.</param>
/// <param name="DedupKey">The key the service knows the alert by.</param>
/// <param name="Level">The escalation level that paged (0 = first).</param>
/// <param name="Policy">The escalation policy, when the page came from one.</param>
/// <param name="At">When it was sent.</param>
public sealed record IncidentPage(string IncidentId, string Target, string DedupKey, int Level, string? Policy, DateTimeOffset At);
