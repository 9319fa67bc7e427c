using System.Net;

namespace Orchestrator.Core.Incidents;

/// <summary>Whether an incident is still being worked on.</summary>
public enum IncidentStatus
{
    Open,
    Resolved,
}

/// <summary>
/// The runs and events about the same hosts and addresses, grouped so an admin sees one story
/// (detections, the playbooks they fired, what those did) instead of a list of alerts.
/// </summary>
public sealed class Incident(string id, string title, DateTimeOffset openedAt)
{
    public string Id { get; } = id;

    /// <summary>What started it, e.g. "share-worm-source: 10.1.2.3".</summary>
    public string Title { get; set; } = title;

    public IncidentStatus Status { get; set; } = IncidentStatus.Open;

    public DateTimeOffset OpenedAt { get; } = openedAt;

    public DateTimeOffset LastActivity { get; set; } = openedAt;

    /// <summary>Host names involved (case-insensitive).</summary>
    public HashSet<string> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Addresses involved.</summary>
    public HashSet<IPAddress> Ips { get; } = [];

    public List<string> RunIds { get; } = [];

    /// <summary>The first events of the incident (bounded: the store has the rest).</summary>
    public List<long> EventIds { get; } = [];

    public string? ResolvedBy { get; set; }

    /// <summary>When a person took it on (acknowledged); escalation stops then. Null while nobody has.</summary>
    public DateTimeOffset? AcknowledgedAt { get; set; }

    public string? AcknowledgedBy { get; set; }
}
