using System.Globalization;
using Orchestrator.Core.Configuration;

namespace Orchestrator.Core.Detection.Lookback;

/// <summary>How much connection telemetry the <see cref="ConnectionLookback"/> keeps and how many sources a trace attaches.</summary>
public sealed record LookbackOptions
{
    /// <summary>How far before a detection connections into the victim count as candidate sources.</summary>
    public TimeSpan Lookback { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The most connection records kept for one accepting host; beyond it the oldest go first.</summary>
    public int PerHostCap { get; init; } = 1_000;

    /// <summary>The most hosts kept (and the most names learned); beyond it the least recently active is dropped.</summary>
    public int MaxHosts { get; init; } = 10_000;

    /// <summary>How many candidate sources a trace attaches.</summary>
    public int TopCandidates { get; init; } = 5;

    /// <summary>Destination ports of file sharing (SMB, NetBIOS session): a source seen on one of them ranks first.</summary>
    public IReadOnlyList<int> FileSharingPorts { get; init; } = [445, 139];

    /// <summary>
    /// How long of event time a detection that traces to nothing waits for connections that arrive late
    /// (a log shipper's batch behind the antivirus' own feed) before it is traced once more with what came;
    /// <see cref="TimeSpan.Zero"/> traces at once only. Only while any connection telemetry is kept.
    /// </summary>
    public TimeSpan LateTelemetry { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most detections waiting for late connections; beyond it the oldest is traced at once with what has come.</summary>
    public int MaxWaiting { get; init; } = 10_000;

    /// <summary>Every problem with the options, each naming the field and why; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Lookback <= TimeSpan.Zero)
        {
            errors.Add($"lookback must be positive (is {Durations.Format(Lookback)})");
        }

        if (PerHostCap < 1)
        {
            errors.Add(Invariant($"perHostCap must be at least 1 (is {PerHostCap})"));
        }

        if (MaxHosts < 1)
        {
            errors.Add(Invariant($"maxHosts must be at least 1 (is {MaxHosts})"));
        }

        if (LateTelemetry < TimeSpan.Zero)
        {
            errors.Add($"lateTelemetry must not be negative (is {Durations.Format(LateTelemetry)}); 0 traces at once only");
        }

        if (MaxWaiting < 1)
        {
            errors.Add(Invariant($"maxWaiting must be at least 1 (is {MaxWaiting})"));
        }

        if (TopCandidates < 1)
        {
            errors.Add(Invariant($"topCandidates must be at least 1 (is {TopCandidates})"));
        }

        if (FileSharingPorts is null)
        {
            errors.Add("fileSharingPorts must be a list of ports (it may be empty)");
        }
        else
        {
            foreach (var port in FileSharingPorts.Where(p => p is < 1 or > 65535))
            {
                errors.Add(Invariant($"fileSharingPorts: {port} is not a TCP port (1-65535)"));
            }
        }

        return errors;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
