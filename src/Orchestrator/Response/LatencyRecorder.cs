namespace Orchestrator.Response;

/// <summary>
/// Latencies from an event committed to its run's first step starting: the last
/// <see cref="Capacity"/> kept for quantiles, and counts per bucket since start for a Prometheus
/// histogram (so a dashboard or a benchmark can take the quantiles of any time range from the
/// difference of two scrapes). Thread-safe; recording is a lock and two stores.
/// </summary>
public sealed class LatencyRecorder
{
    public const int Capacity = 10_000;

    /// <summary>Upper bounds of the histogram buckets, in seconds.</summary>
    public static IReadOnlyList<double> Buckets { get; } =
        [0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly double[] _seconds = new double[Capacity];
    private readonly long[] _bucketCounts = new long[Buckets.Count + 1];
    private double _sum;
    private readonly Lock _lock = new();
    private long _count;

    /// <summary>Samples recorded since start.</summary>
    public long Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>The sum of every latency recorded since start, in seconds.</summary>
    public double Sum
    {
        get
        {
            lock (_lock)
            {
                return _sum;
            }
        }
    }

    public void Record(TimeSpan latency)
    {
        var seconds = latency.TotalSeconds;
        var bucket = 0;
        while (bucket < Buckets.Count && seconds > Buckets[bucket])
        {
            bucket++;
        }

        lock (_lock)
        {
            _seconds[_count % Capacity] = seconds;
            _count++;
            _sum += seconds;
            _bucketCounts[bucket]++;
        }
    }

    /// <summary>Latencies per bucket since start (the last one above every bound), not cumulative.</summary>
    public long[] BucketCounts()
    {
        lock (_lock)
        {
            return [.. _bucketCounts];
        }
    }

    /// <summary>The <paramref name="quantiles"/> (0..1) of the kept samples, in seconds; zeros when there are none.</summary>
    public double[] Quantiles(params double[] quantiles)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        double[] kept;
        lock (_lock)
        {
            kept = _seconds[..(int)Math.Min(_count, Capacity)];
        }

        Array.Sort(kept);
        return [.. quantiles.Select(q => kept.Length == 0 ? 0 : kept[Math.Clamp((int)Math.Ceiling(q * kept.Length) - 1, 0, kept.Length - 1)])];
    }
}
