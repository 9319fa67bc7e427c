namespace Orchestrator.Core.Metrics;

/// <summary>
/// Latencies counted into buckets since start, for a Prometheus histogram: a dashboard or a
/// benchmark takes quantiles of any time range from the difference of two scrapes. Thread-safe and
/// lock-free; recording is a few interlocked adds.
/// </summary>
public sealed class LatencyHistogram
{
    private readonly long[] _counts;
    private long _count;
    private long _sumMicros;

    /// <param name="bounds">Upper bounds of the buckets, in seconds, ascending.</param>
    public LatencyHistogram(IReadOnlyList<double> bounds)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        Bounds = bounds;
        _counts = new long[bounds.Count + 1];
    }

    /// <summary>Upper bounds of the buckets, in seconds.</summary>
    public IReadOnlyList<double> Bounds { get; }

    /// <summary>Latencies recorded since start.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The sum of every latency recorded since start, in seconds.</summary>
    public double SumSeconds => Interlocked.Read(ref _sumMicros) / 1_000_000.0;

    public void Record(TimeSpan latency)
    {
        var seconds = latency.TotalSeconds;
        var bucket = 0;
        while (bucket < Bounds.Count && seconds > Bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicros, (long)(latency.TotalMilliseconds * 1000));
    }

    /// <summary>Per-bucket (not cumulative) counts; the last entry is the +Inf bucket.</summary>
    public IReadOnlyList<long> BucketCounts() => [.. _counts.Select(c => Interlocked.Read(ref c))];
}
