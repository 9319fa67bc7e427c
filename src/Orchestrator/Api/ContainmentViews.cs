using Orchestrator.Core.Containment;

namespace Orchestrator.Api;

/// <summary>One containment as the API and the CLI show it (the ledger's record; the replaced state is the driver's JSON).</summary>
public sealed record ContainmentView(
    string Id, string Status, string Action, string Target, string? Mac, string? Ip, string Device, string Driver, string? Port,
    string CreatedBy, DateTime CreatedAt, DateTime? ExpiresAt, string? Reason, string? PlaybookId, string? RunId, string? IncidentId,
    string? ReleasedBy, DateTime? ReleasedAt, string? Error, string? ReplacedState)
{
    public static ContainmentView From(ContainmentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(
            record.Id, RunViews.Name(record.Status), record.Action, record.Target, record.Mac, record.Ip, record.Device, record.Driver, record.Port,
            record.CreatedBy, record.CreatedAt.UtcDateTime, record.ExpiresAt?.UtcDateTime, record.Reason, record.PlaybookId, record.RunId, record.IncidentId,
            record.ReleasedBy, record.ReleasedAt?.UtcDateTime, record.Error, record.ReplacedState);
    }
}
