namespace Orchestrator.Core.Audit;

/// <summary>
/// One line of the audit trail: a decision or an action, when, by whom, and why in words an admin
/// reads ("share-worm-source fired for 10.1.1.50: 3 distinct host.name within 10m: WS-1, WS-2, WS-3").
/// </summary>
public sealed record AuditEntry(
    DateTimeOffset At,
    string Kind,
    string Text,
    string? PlaybookId = null,
    string? RunId = null,
    string? IncidentId = null,
    long? EventId = null,
    string? Actor = null);

/// <summary>What the audit trail records (the <see cref="AuditEntry.Kind"/> values).</summary>
public static class AuditKinds
{
    public const string Decision = "decision";
    public const string Run = "run";
    public const string Approval = "approval";
    public const string Refusal = "refusal";
    public const string Breaker = "breaker";
    public const string Incident = "incident";
    public const string Page = "page";
    public const string Report = "report";
    public const string Playbooks = "playbooks";
    public const string Containment = "containment";
}

/// <summary>Where audit entries go; appending is durable when it returns. Entries are never changed or deleted by the service.</summary>
public interface IAuditLog
{
    ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken);
}
