namespace Orchestrator.Core.Containment;

/// <summary>
/// How block durations grow for a target contained again (fail2ban's <c>bantime.increment</c>): each earlier
/// containment of the same target within <see cref="Lookback"/> multiplies the duration by <see cref="Multiplier"/>,
/// up to <see cref="Max"/>.
/// </summary>
public sealed record RepeatOffenders(double Multiplier, TimeSpan Max, TimeSpan Lookback)
{
    /// <summary>Durations never grow.</summary>
    public static RepeatOffenders None { get; } = new(1, TimeSpan.MaxValue, TimeSpan.Zero);

    /// <summary>The duration of a new containment asked for <paramref name="requested"/>, after <paramref name="earlier"/> earlier ones.</summary>
    public TimeSpan DurationFor(TimeSpan requested, int earlier)
    {
        if (earlier <= 0 || Multiplier <= 1)
        {
            return requested < Max ? requested : Max;
        }

        var ticks = requested.Ticks * Math.Pow(Multiplier, earlier);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>How many of <paramref name="history"/> (the target's containments of the same kind) count as earlier offences at <paramref name="now"/>.</summary>
    public int EarlierOffences(IEnumerable<ContainmentRecord> history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(history);
        return history.Count(r => r.Status != ContainmentStatus.Failed && now - r.CreatedAt <= Lookback);
    }
}
