using Orchestrator.Configuration;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Detection;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Detection.Lookback;
using Orchestrator.Core.Detection.Outbreaks;
using Orchestrator.Core.Detection.Tracing;

namespace Orchestrator.Detection;

/// <summary>The detectors' settings, read from <c>detection:</c> in the config and checked once.</summary>
public sealed record DetectionOptions(bool Enabled, LookbackOptions Lookback, OutbreakOptions Outbreak, FirstSeenOptions FirstSeen)
{
    /// <summary>How far before the checkpoint the windows are rebuilt from at start.</summary>
    public TimeSpan ReplaySpan => Lookback.Lookback > Outbreak.Window ? Lookback.Lookback : Outbreak.Window;

    /// <summary>Fresh detectors over <paramref name="firstSeen"/>.</summary>
    public Detectors Create(FirstSeenRegistry firstSeen)
    {
        var lookback = new ConnectionLookback(Lookback);
        return new Detectors(lookback, new InfectionTracer(lookback), new OutbreakCorrelator(Outbreak), firstSeen);
    }

    /// <summary>
    /// Fresh detectors with an empty first-seen record and no learning period: for <c>orchestrator test</c>
    /// and <c>replay</c>, which record nothing and show what the events would raise.
    /// </summary>
    public Detectors CreateInMemory() => Create(new FirstSeenRegistry(FirstSeen.WithoutLearning()));

    /// <summary>The options from <paramref name="config"/>; every problem is added to <paramref name="errors"/> naming its key.</summary>
    public static DetectionOptions Parse(DetectionConfig config, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(errors);
        var lookback = new LookbackOptions
        {
            Lookback = Duration(errors, "detection.lookback.window", config.Lookback.Window, TimeSpan.FromMinutes(30)),
            PerHostCap = config.Lookback.PerHost,
            MaxHosts = config.Lookback.MaxHosts,
            TopCandidates = config.Lookback.Candidates,
            FileSharingPorts = config.Lookback.FileSharingPorts,
        };
        errors.AddRange(lookback.Validate().Select(e => "detection.lookback: " + e));

        var outbreak = new OutbreakOptions
        {
            Window = Duration(errors, "detection.outbreak.window", config.Outbreak.Window, TimeSpan.FromHours(1)),
            Threshold = config.Outbreak.Threshold,
            Horizon = Duration(errors, "detection.outbreak.horizon", config.Outbreak.Horizon, TimeSpan.FromHours(24)),
            MaxDetections = config.Outbreak.MaxDetections,
        };
        Check(errors, "detection.outbreak", outbreak.Validate);

        var allow = config.UnknownProcesses.Allow;
        var allowlist = ProcessAllowlist.Create(allow.Hashes, allow.Paths, allow.Signers, out var allowErrors);
        errors.AddRange(allowErrors.Select(e => "detection.unknown_processes." + e));
        var firstSeen = new FirstSeenOptions
        {
            PerHost = config.UnknownProcesses.PerHost,
            UnknownFor = Duration(errors, "detection.unknown_processes.unknown_for", config.UnknownProcesses.UnknownFor, TimeSpan.FromDays(7)),
            LearnFor = LearningPeriod(errors, config.UnknownProcesses.LearnFor),
            Allowlist = allowlist,
        };
        Check(errors, "detection.unknown_processes", firstSeen.Validate);
        return new DetectionOptions(config.Enabled, lookback, outbreak, firstSeen);
    }

    private static TimeSpan Duration(List<string> errors, string key, string text, TimeSpan fallback)
    {
        if (Durations.TryParse(text, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        errors.Add($"{key}: '{text}' is not a duration like 30m, 1h or 7d");
        return fallback;
    }

    // Unlike the other durations, zero is allowed (and the default): no learning period.
    private static TimeSpan LearningPeriod(List<string> errors, string? text)
    {
        const string Key = "detection.unknown_processes.learn_for";
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "0")
        {
            return TimeSpan.Zero;
        }

        if (text.TrimStart().StartsWith('-'))
        {
            errors.Add($"{Key}: '{text}' is negative; write 0 or leave it out for no learning period, or e.g. 7d on a first deployment");
        }
        else if (Durations.TryParse(text, out var span))
        {
            return span;
        }
        else
        {
            errors.Add($"{Key}: '{text}' is not a duration like 7d (0 or left out: no learning period)");
        }

        return TimeSpan.Zero;
    }

    private static void Check(List<string> errors, string key, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{key}: {ex.Message}");
        }
    }
}
