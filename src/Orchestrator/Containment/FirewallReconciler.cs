using System.Net;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Core.Audit;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Containment;

/// <summary>One difference between the ledger and a firewall.</summary>
/// <param name="Device">The firewall.</param>
/// <param name="Address">The address.</param>
/// <param name="Kind"><c>missing</c>: the ledger says blocked, the device does not (removed by hand); <c>unknown</c>: the device blocks it, the ledger has no active block (added by hand).</param>
/// <param name="ContainmentId">The ledger's record, for <c>missing</c>.</param>
/// <param name="Reapplied">The block was put back (drift: reapply).</param>
public sealed record Drift(string Device, IPAddress Address, string Kind, string? ContainmentId, bool Reapplied);

/// <summary>
/// Compares the ledger's active firewall blocks with what each firewall lists, and reports the drift: a block removed
/// by hand (re-applied when <c>reconcile.drift: reapply</c>, else flagged) and an address blocked outside Orchestrator
/// (always only flagged: a person's block is theirs to remove). Every drift is audited and notified.
/// </summary>
public sealed class FirewallReconciler(
    Func<Inventory> inventory,
    IReadOnlyDictionary<string, IFirewallDriver> drivers,
    FirewallBatcher batcher,
    IContainmentLedger ledger,
    SqliteRunStore audit,
    INotifier notifier,
    bool reapply,
    TimeProvider time)
{
    /// <summary>A block whose end is this close (or past) may already be gone from a device that expires blocks itself: not drift.</summary>
    private static readonly TimeSpan ExpiryLag = TimeSpan.FromMinutes(1);

    public async Task<IReadOnlyList<Drift>> ReconcileAsync(CancellationToken cancellationToken)
    {
        var active = (await ledger.ListAsync(activeOnly: true, 1_000_000, cancellationToken).ConfigureAwait(false))
            .Where(r => r.Action == FirewallBlockStep.Name && r.Status == ContainmentStatus.Active)
            .ToList();
        var drift = new List<Drift>();
        foreach (var device in inventory().Devices.Values.Where(d => d.Kind == DeviceKind.Firewall && drivers.ContainsKey(d.Driver)))
        {
            IReadOnlyList<FirewallBlock> listed;
            try
            {
                listed = await drivers[device.Driver].ListAsync(device, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await AuditAsync($"reconcile: {device.Name} could not be read: {ex.Message}", cancellationToken).ConfigureAwait(false);
                continue;
            }

            drift.AddRange(await CompareAsync(device, active.Where(r => r.Device == device.Name).ToList(), listed, cancellationToken).ConfigureAwait(false));
        }

        if (drift.Count > 0)
        {
            await notifier.NotifyAsync(
                new Notification(NotificationSeverity.Warning, $"Containment drift on {string.Join(", ", drift.Select(d => d.Device).Distinct())}", string.Join("\n", drift.Select(Describe)), null, null),
                cancellationToken).ConfigureAwait(false);
        }

        return drift;
    }

    private async Task<List<Drift>> CompareAsync(DeviceDefinition device, List<ContainmentRecord> records, IReadOnlyList<FirewallBlock> listed, CancellationToken cancellationToken)
    {
        var onDevice = listed.Select(b => b.Address).ToHashSet();
        var inLedger = records.Where(r => r.Ip is not null).ToDictionary(r => IPAddress.Parse(r.Ip!), r => r);
        var drift = new List<Drift>();
        foreach (var (address, record) in inLedger)
        {
            if (onDevice.Contains(address) || record.ExpiresAt is { } end && end - time.GetUtcNow() < ExpiryLag)
            {
                continue;
            }

            var reapplied = false;
            if (reapply)
            {
                try
                {
                    await batcher.BlockAsync(device, FirewallBlockStep.RequestFor(drivers[device.Driver], address, record, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                    reapplied = true;
                }
                catch (FirewallException ex)
                {
                    await AuditAsync($"reconcile: re-applying containment {record.Id} ({address} on {device.Name}) failed: {ex.Message}", cancellationToken).ConfigureAwait(false);
                }
            }

            drift.Add(new Drift(device.Name, address, "missing", record.Id, reapplied));
        }

        drift.AddRange(onDevice.Where(a => !inLedger.ContainsKey(a)).Select(a => new Drift(device.Name, a, "unknown", null, false)));
        foreach (var item in drift)
        {
            await AuditAsync("reconcile: " + Describe(item), cancellationToken).ConfigureAwait(false);
        }

        return drift;
    }

    private static string Describe(Drift drift) => drift.Kind == "missing"
        ? $"{drift.Address} is blocked in the ledger (containment {drift.ContainmentId}) but not on {drift.Device}: removed by hand? {(drift.Reapplied ? "blocked again" : "flagged, not re-applied")}"
        : $"{drift.Address} is blocked on {drift.Device} but no active containment says so: blocked outside Orchestrator (left as is)";

    private ValueTask AuditAsync(string text, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditEntry(time.GetUtcNow(), AuditKinds.Containment, text, Actor: "reconcile"), cancellationToken);
}
