using System.Collections.Concurrent;
using Orchestrator.Core.Metrics;

namespace Orchestrator.Core.Ingestion;

/// <summary>
/// Counters for what was received, stored and rejected, per listener and format, and a histogram
/// of store commit latency. Lock-free; read by the /metrics endpoint.
/// </summary>
public sealed class IngestMetrics
{
    private readonly ConcurrentDictionary<(string Listener, string Format), Counter> _counters = new();
    private long _commitFailures;

    /// <summary>The counters of one listener and format.</summary>
    public sealed class Counter
    {
        internal long ReceivedValue;
        internal long StoredValue;
        internal long RejectedValue;

        public long Received => Interlocked.Read(ref ReceivedValue);

        public long Stored => Interlocked.Read(ref StoredValue);

        public long Rejected => Interlocked.Read(ref RejectedValue);
    }

    public Counter For(string listener, string format) => _counters.GetOrAdd((listener, format), static _ => new Counter());

    public void AddReceived(string listener, string format, long count) => Interlocked.Add(ref For(listener, format).ReceivedValue, count);

    /// <summary>Adds what <paramref name="counted"/> received: input counted apart until it was accepted as a whole.</summary>
    public void AddReceived(IngestMetrics counted)
    {
        ArgumentNullException.ThrowIfNull(counted);
        foreach (var (key, counter) in counted._counters)
        {
            AddReceived(key.Listener, key.Format, counter.Received);
        }
    }

    public void AddStored(string listener, string format, long count) => Interlocked.Add(ref For(listener, format).StoredValue, count);

    public void AddRejected(string listener, string format, long count) => Interlocked.Add(ref For(listener, format).RejectedValue, count);

    /// <summary>Time to commit one batch to the store.</summary>
    public LatencyHistogram CommitLatency { get; } = new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);

    public void RecordCommit(TimeSpan latency) => CommitLatency.Record(latency);

    public void RecordCommitFailure() => Interlocked.Increment(ref _commitFailures);

    /// <summary>A consistent-enough copy of every counter for printing.</summary>
    public IReadOnlyList<KeyValuePair<(string Listener, string Format), Counter>> Snapshot() =>
        [.. _counters.OrderBy(c => c.Key.Listener, StringComparer.Ordinal).ThenBy(c => c.Key.Format, StringComparer.Ordinal)];

    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    /// <summary>Total events stored across listeners and formats.</summary>
    public long TotalStored => _counters.Values.Sum(c => c.Stored);

    /// <summary>Total dead letters stored across listeners and formats.</summary>
    public long TotalRejected => _counters.Values.Sum(c => c.Rejected);
}
