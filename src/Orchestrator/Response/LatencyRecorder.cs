using Orchestrator.Core.Metrics;

namespace Orchestrator.Response;

/// <summary>
/// Latencies from an event committed to its run's first step starting: the last
/// <see cref="Capacity"/> kept for quantiles, and a histogram since start. Thread-safe.
/// </summary>
public sealed class LatencyRecorder
{
    public const int Capacity = 10_000;

    private readonly double[] _seconds = new double[Capacity];
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

    /// <summary>Every latency since start, in buckets.</summary>
    public LatencyHistogram Histogram { get; } = new([0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);

    public void Record(TimeSpan latency)
    {
        Histogram.Record(latency);
        lock (_lock)
        {
            _seconds[_count % Capacity] = latency.TotalSeconds;
            _count++;
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
