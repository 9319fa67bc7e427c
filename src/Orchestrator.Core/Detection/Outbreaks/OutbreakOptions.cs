using Orchestrator.Core.Configuration;

namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>Window, threshold and memory bounds of the <see cref="OutbreakCorrelator"/>.</summary>
public sealed record OutbreakOptions
{
    /// <summary>The sliding window, in event time, in which a source's distinct victims are counted.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Distinct victims within <see cref="Window"/> that make a source an outbreak source.</summary>
    public int Threshold { get; init; } = 3;

    /// <summary>
    /// How far behind the newest event time detections are kept for rankings and the infection chain;
    /// older ones are dropped, and a detection that arrives older than this is ignored.
    /// </summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The most detections kept; past it the oldest (by event time) are dropped.</summary>
    public int MaxDetections { get; init; } = 100_000;

    /// <summary>Throws an <see cref="ArgumentException"/> naming every field that is out of range.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Window <= TimeSpan.Zero)
        {
            errors.Add($"Outbreak:Window {Durations.Format(Window)} must be positive (for example 1h).");
        }

        if (Threshold < 1)
        {
            errors.Add($"Outbreak:Threshold {Threshold} must be at least 1 distinct victim.");
        }

        if (Horizon < Window)
        {
            errors.Add($"Outbreak:Horizon {Durations.Format(Horizon)} must be at least Outbreak:Window ({Durations.Format(Window)}): the window counts detections the horizon keeps.");
        }

        if (MaxDetections < 1)
        {
            errors.Add($"Outbreak:MaxDetections {MaxDetections} must be at least 1.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors));
        }
    }
}
