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
    /// <summary>
    /// How far before the checkpoint the windows are rebuilt from at start: a detection still waiting for
    /// late connections at the checkpoint needs its own lookback before it too.
    /// </summary>
    public TimeSpan ReplaySpan
    {
        get
        {
            var tracing = Lookback.Lookback + Lookback.LateTelemetry;
            return tracing > Outbreak.Window ? tracing : Outbreak.Window;
        }
    }

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
            LateTelemetry = DurationOrZero(errors, "detection.lookback.late_telemetry", config.Lookback.LateTelemetry, TimeSpan.FromMinutes(2), "no waiting for late connections", "2m"),
            MaxWaiting = config.Lookback.MaxWaiting,
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
            LearnFor = DurationOrZero(errors, "detection.unknown_processes.learn_for", config.UnknownProcesses.LearnFor, TimeSpan.Zero, "no learning period", "7d"),
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

    // Unlike the other durations, zero is allowed: it turns the feature off (zeroMeans says what that is).
    private static TimeSpan DurationOrZero(List<string> errors, string key, string? text, TimeSpan fallback, string zeroMeans, string example)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "0")
        {
            return TimeSpan.Zero;
        }

        if (text.TrimStart().StartsWith('-'))
        {
            errors.Add($"{key}: '{text}' is negative; write 0 or leave it out for {zeroMeans}, or e.g. {example}");
        }
        else if (Durations.TryParse(text, out var span))
        {
            return span;
        }
        else
        {
            errors.Add($"{key}: '{text}' is not a duration like {example} (0 or left out: {zeroMeans})");
        }

        return fallback;
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
