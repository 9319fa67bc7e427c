namespace Orchestrator.Core.Containment;

/// <summary>Where a containment stands.</summary>
public enum ContainmentStatus
{
    /// <summary>Recorded with the state it will replace; the device change has not been confirmed yet.</summary>
    Pending,

    /// <summary>In force on the device, read back.</summary>
    Active,

    /// <summary>Undone by a person or a playbook.</summary>
    Released,

    /// <summary>Undone because its time ran out.</summary>
    Expired,

    /// <summary>The device change did not happen or could not be verified; nothing is in force.</summary>
    Failed,
}

/// <summary>
/// One containment, whatever the device: what was contained, where and how, the state the change
/// replaced (so release puts it back), who or what asked for it, and where it stands. The same record
/// serves switch ports and firewall blocks; <see cref="ReplacedState"/> is the driver's own snapshot.
/// </summary>
public sealed class ContainmentRecord
{
    public required string Id { get; init; }

    /// <summary>Names the request, so a retried or replayed step finds the containment it already made.</summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>What was asked to be contained, as given (an IP, a MAC or a host name).</summary>
    public required string Target { get; init; }

    /// <summary>The MAC the target resolved to, when known.</summary>
    public string? Mac { get; set; }

    /// <summary>The IP the target resolved to, when known.</summary>
    public string? Ip { get; set; }

    /// <summary>The inventory device acted on.</summary>
    public required string Device { get; init; }

    public required string Driver { get; init; }

    /// <summary>The step that made it: <c>switch.shutdown_port</c>, <c>switch.quarantine</c>, <c>firewall.block</c>, ...</summary>
    public required string Action { get; init; }

    /// <summary>The switch port, for switch containments.</summary>
    public string? Port { get; set; }

    /// <summary>The switch port's ifIndex (what SNMP addresses), for switch containments.</summary>
    public int? PortIfIndex { get; set; }

    /// <summary>The driver's snapshot of what the change replaced (JSON), written before the change.</summary>
    public string? ReplacedState { get; set; }

    /// <summary>The switch port's description before the containment marked it (null: it had none, or it was not read).</summary>
    public string? ReplacedDescription { get; set; }

    /// <summary>Whether the port's description now says it is contained (and release puts <see cref="ReplacedDescription"/> back).</summary>
    public bool DescriptionMarked { get; set; }

    public string? PlaybookId { get; init; }

    public string? RunId { get; init; }

    public string? IncidentId { get; init; }

    /// <summary>Who or what created it: a playbook (<c>playbook share-worm-source</c>) or a person's key name.</summary>
    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Why, as the person or the playbook step gave it.</summary>
    public string? Reason { get; init; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public ContainmentStatus Status { get; set; } = ContainmentStatus.Pending;

    /// <summary>Why it failed, or what went wrong undoing it.</summary>
    public string? Error { get; set; }

    public string? ReleasedBy { get; set; }

    public DateTimeOffset? ReleasedAt { get; set; }

    /// <summary>Whether the containment may be in force on the device (pending ones too: a crash may have left them applied).</summary>
    public bool MayBeInForce => Status is ContainmentStatus.Pending or ContainmentStatus.Active;
}

/// <summary>The containment ledger: one record per containment, kept durably.</summary>
public interface IContainmentLedger
{
    /// <summary>Inserts or replaces the record; durable when it returns.</summary>
    ValueTask SaveAsync(ContainmentRecord record, CancellationToken cancellationToken);

    ValueTask<ContainmentRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>The record a request with this idempotency key made, or null.</summary>
    ValueTask<ContainmentRecord?> FindAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Newest first; only those that may be in force when <paramref name="activeOnly"/>.</summary>
    ValueTask<IReadOnlyList<ContainmentRecord>> ListAsync(bool activeOnly, int limit, CancellationToken cancellationToken);

    /// <summary>Every containment of <paramref name="target"/> as given (an IP for blocks), newest first: the repeat-offender history.</summary>
    ValueTask<IReadOnlyList<ContainmentRecord>> ForTargetAsync(string target, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// When containments end by themselves: the service schedules each expiry as a durable timer (Quartz, in its
/// database) that survives a restart and fires at once when it is overdue at start.
/// </summary>
public interface IContainmentExpiry
{
    /// <summary>Sets (or moves) the expiry of containment <paramref name="containmentId"/> to <paramref name="at"/>.</summary>
    ValueTask ScheduleAsync(string containmentId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Drops the expiry of a containment released before its time.</summary>
    ValueTask CancelAsync(string containmentId, CancellationToken cancellationToken);
}
