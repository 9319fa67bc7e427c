namespace Orchestrator.Response;

/// <summary>
/// Keeps the last <see cref="Capacity"/> latencies (from an event committed to its run's first step
/// starting) and gives their quantiles for /metrics. Thread-safe; recording is a lock and a store.
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

    public void Record(TimeSpan latency)
    {
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
