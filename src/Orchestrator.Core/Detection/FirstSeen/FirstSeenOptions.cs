namespace Orchestrator.Core.Detection.FirstSeen;

/// <summary>What raises <c>process.unknown</c> and how long a newly seen executable stays unknown for reports.</summary>
public sealed record FirstSeenOptions
{
    /// <summary>Also raise the first time an executable runs on each host, not only the first time in the fleet.</summary>
    public bool PerHost { get; set; }

    /// <summary>
    /// A process run is "unknown" in reports when its executable was first seen in the fleet less than
    /// this long before the run.
    /// </summary>
    public TimeSpan UnknownFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The learning period: process starts earlier than this after the earliest first-seen time in the
    /// record are recorded but raise nothing, so that a first deployment learns the fleet's normal instead
    /// of raising for every executable. <see cref="TimeSpan.Zero"/> (the default) learns nothing.
    /// </summary>
    public TimeSpan LearnFor { get; set; } = TimeSpan.Zero;

    /// <summary>Executables that are recorded (for prevalence) but never raise.</summary>
    public ProcessAllowlist Allowlist { get; set; } = ProcessAllowlist.Empty;

    /// <summary>
    /// The same options without a learning period: for a record that starts empty only to show what the
    /// events would raise (<c>orchestrator test</c> and <c>replay</c>), where learning would hide everything.
    /// </summary>
    public FirstSeenOptions WithoutLearning() => this with { LearnFor = TimeSpan.Zero };

    /// <summary>Throws naming the option and what to do when a value is unusable.</summary>
    public void Validate()
    {
        if (UnknownFor <= TimeSpan.Zero)
        {
            throw new ArgumentException($"detection.unknown_processes.unknown_for {UnknownFor} must be longer than zero, e.g. 7d.");
        }

        if (LearnFor < TimeSpan.Zero)
        {
            throw new ArgumentException($"detection.unknown_processes.learn_for {LearnFor} must not be negative; leave it out (or 0) for no learning period, e.g. 7d on a first deployment.");
        }

        if (Allowlist is null)
        {
            throw new ArgumentException("detection.unknown_processes.allow is missing; leave it out for an empty allowlist.");
        }
    }
}
