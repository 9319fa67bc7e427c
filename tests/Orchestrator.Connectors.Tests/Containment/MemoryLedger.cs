using Orchestrator.Core.Containment;

namespace Orchestrator.Connectors.Tests.Containment;

/// <summary>The ledger's contract in memory, with the SQLite table's rule: one record per idempotency key.</summary>
public sealed class MemoryLedger : IContainmentLedger
{
    private readonly List<ContainmentRecord> records = [];

    public ValueTask SaveAsync(ContainmentRecord record, CancellationToken cancellationToken)
    {
        lock (records)
        {
            Save(record);
        }

        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<ContainmentRecord> All
    {
        get
        {
            lock (records)
            {
                return [.. records];
            }
        }
    }

    private void Save(ContainmentRecord record)
    {
        if (records.Any(r => r.IdempotencyKey == record.IdempotencyKey && r.Id != record.Id))
        {
            throw new InvalidOperationException($"UNIQUE constraint failed: containments.idempotency_key ({record.IdempotencyKey})");
        }

        records.RemoveAll(r => r.Id == record.Id);
        records.Add(record);
    }

    public ValueTask<ContainmentRecord?> GetAsync(string id, CancellationToken cancellationToken) => ValueTask.FromResult(All.FirstOrDefault(r => r.Id == id));

    public ValueTask<ContainmentRecord?> FindAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        ValueTask.FromResult(All.FirstOrDefault(r => r.IdempotencyKey == idempotencyKey));

    public ValueTask<IReadOnlyList<ContainmentRecord>> ForTargetAsync(string target, int limit, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ContainmentRecord>>([.. All.Where(r => r.Target == target).OrderByDescending(r => r.CreatedAt).Take(limit)]);

    public ValueTask<IReadOnlyList<ContainmentRecord>> ListAsync(bool activeOnly, int limit, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ContainmentRecord>>([.. All.Where(r => !activeOnly || r.MayBeInForce).Take(limit)]);
}
