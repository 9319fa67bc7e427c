using System.Globalization;
using System.Net;
using System.Text;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Detection.Lookback;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Detection.Tracing;

/// <summary>
/// Turns an <c>infection.detected</c> into an <c>infection.traced</c>: the source the antivirus
/// reported, or else the best candidate among the connections into the victim just before the
/// detection, with the candidates attached as labels either way.
/// </summary>
public sealed class InfectionTracer(ConnectionLookback lookback)
{
    /// <summary>The detector name on the derived events (<see cref="DerivedEvents.DetectorLabel"/>).</summary>
    public const string DetectorName = "tracer";

    /// <summary>Label <c>true</c> on a trace made after the detection waited for late connections.</summary>
    public const string LateTelemetryLabel = "trace.late_telemetry";

    private readonly WaitingDetections _waiting = new(lookback.Options.LateTelemetry, lookback.Options.MaxWaiting);
    private readonly List<SecurityEvent> _due = [];

    /// <summary>Detections waiting now for connections that arrive late.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>
    /// <see cref="Trace"/>, except that a detection that traces to nothing while connection telemetry is
    /// kept waits <see cref="LookbackOptions.LateTelemetry"/> of event time instead, to be traced by
    /// <see cref="TraceWaited"/> with the connections that arrived meanwhile (a log shipper's batch often
    /// lands after the antivirus' own alert). Returns the trace made now, if any. When the waiting room is
    /// full, its oldest detection is traced at once with what has come, and added to <paramref name="late"/>.
    /// </summary>
    public DerivedEvent? TraceOrWait(SecurityEvent detection, List<DerivedEvent> late)
    {
        ArgumentNullException.ThrowIfNull(late);
        var traced = Trace(detection);
        if (traced is not null || detection.Kind != EventKinds.InfectionDetected
            || lookback.Options.LateTelemetry <= TimeSpan.Zero || !lookback.HasConnections)
        {
            return traced;
        }

        if (_waiting.Hold(detection) is { } evicted && TraceLate(evicted) is { } trace)
        {
            late.Add(trace);
        }

        return null;
    }

    /// <summary>
    /// Notes <paramref name="eventTime"/> (any stored event's) and traces the waiting detections whose wait it
    /// ends; null traces every waiting detection now (the input has ended). Traces are added to <paramref name="late"/>;
    /// a detection still without a source or a connection is left untraced, as <see cref="Trace"/> would.
    /// </summary>
    public void TraceWaited(DateTimeOffset? eventTime, List<DerivedEvent> late)
    {
        ArgumentNullException.ThrowIfNull(late);
        if (_waiting.Count == 0)
        {
            return;
        }

        if (eventTime is { } time)
        {
            _waiting.TakeDue(time, _due);
        }
        else
        {
            _waiting.TakeAll(_due);
        }

        foreach (var detection in _due)
        {
            if (TraceLate(detection) is { } trace)
            {
                late.Add(trace);
            }
        }

        _due.Clear();
    }

    private DerivedEvent? TraceLate(SecurityEvent detection)
    {
        var trace = Trace(detection);
        trace?.Event.SetLabel(LateTelemetryLabel, "true");
        return trace;
    }

    /// <summary>
    /// The traced event for <paramref name="detection"/>, or null when it is not an
    /// <c>infection.detected</c>, or when it names no source and no connection into the victim
    /// (<c>host.ip</c>, else the address learned for <c>host.name</c>) is within the lookback. A
    /// detection that names its source is always traced, with no candidates when the victim's
    /// address is unknown. Never throws on missing or odd fields.
    /// </summary>
    public DerivedEvent? Trace(SecurityEvent detection)
    {
        ArgumentNullException.ThrowIfNull(detection);
        if (detection.Kind != EventKinds.InfectionDetected)
        {
            return null;
        }

        var victim = detection.HostIp ?? (detection.HostName is { } hostName ? lookback.Resolve(hostName) : null);
        if (victim is { IsIPv4MappedToIPv6: true })
        {
            victim = victim.MapToIPv4();
        }

        // A victim without a known address has no connections to look at, but a reported source is still a trace.
        var candidates = victim is null ? [] : lookback.Candidates(victim, detection.Timestamp);
        var reportedName = string.IsNullOrWhiteSpace(detection.SourceName) ? null : detection.SourceName;
        var reported = detection.SourceIp is not null || reportedName is not null;
        if (!reported && candidates.Count == 0)
        {
            return null;
        }

        var traced = DerivedEvents.From(detection, EventKinds.InfectionTraced, DetectorName);
        if (victim is not null)
        {
            traced.SetLabel("trace.victim", victim.ToString());
        }

        if (reported)
        {
            // The antivirus' own trace is kept as it was written; a name alone gets the address learned for it.
            traced.SourceIp = detection.SourceIp;
            traced.SourceName = detection.SourceName;
            traced.SourcePort = detection.SourcePort;
            traced.SourceMac = detection.SourceMac;
            traced.SourceUser = detection.SourceUser;
            traced.SetLabel("trace.source", "reported");
            if (traced.SourceIp is null && reportedName is not null && lookback.Resolve(reportedName) is { } resolved)
            {
                traced.SourceIp = resolved;
                traced.SetLabel("trace.source_ip", "resolved");
            }
        }
        else
        {
            // Remote candidates rank before the victim's own address; only local ones mean the host itself.
            traced.SourceIp = candidates[0].Ip;
            traced.SourceName = candidates[0].Local ? detection.HostName ?? candidates[0].Name : candidates[0].Name;
            traced.SetLabel("trace.source", candidates[0].Local ? "local_host" : "connections");
        }

        var corroborated = false;
        for (var i = 0; i < candidates.Count; i++)
        {
            var isReported = reported && IsReportedSource(candidates[i], traced.SourceIp, reportedName);
            corroborated |= isReported;
            SetCandidateLabels(traced, i + 1, candidates[i], isReported);
        }

        traced.SetLabel("trace.lookback", Durations.Format(lookback.Options.Lookback));
        traced.SetLabel("trace.candidates", candidates.Count.ToString(CultureInfo.InvariantCulture));
        if (reported)
        {
            traced.SetLabel("trace.corroborated", corroborated ? "true" : "false");
        }

        traced.SetLabel("trace.summary", Summary(candidates, victim, lookback.Options.Lookback));
        return new DerivedEvent(traced, DedupeKey(detection));
    }

    /// <summary>The key under which the store keeps one trace per detection.</summary>
    public static string DedupeKey(SecurityEvent detection)
    {
        ArgumentNullException.ThrowIfNull(detection);
        return string.Create(CultureInfo.InvariantCulture, $"{EventKinds.InfectionTraced}:{detection.Id}");
    }

    private static bool IsReportedSource(SourceCandidate candidate, IPAddress? reportedIp, string? reportedName)
    {
        if (reportedIp is not null)
        {
            return IpEquals(candidate.Ip, reportedIp);
        }

        return reportedName is not null && candidate.Name is not null && HostDirectory.SameHost(candidate.Name, reportedName);
    }

    private static bool IpEquals(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);

    private static void SetCandidateLabels(SecurityEvent traced, int number, SourceCandidate candidate, bool reported)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"trace.candidate.{number}.");
        traced.SetLabel(prefix + "ip", candidate.Ip.ToString());
        if (candidate.Name is not null)
        {
            traced.SetLabel(prefix + "name", candidate.Name);
        }

        traced.SetLabel(prefix + "ports", string.Join(',', candidate.Ports));
        traced.SetLabel(prefix + "connections", candidate.Connections.ToString(CultureInfo.InvariantCulture));
        traced.SetLabel(prefix + "first_seen", candidate.FirstSeen.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        traced.SetLabel(prefix + "last_seen", candidate.LastSeen.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        traced.SetLabel(prefix + "file_sharing", candidate.FileSharing ? "true" : "false");
        traced.SetLabel(prefix + "reported", reported ? "true" : "false");
        traced.SetLabel(prefix + "local", candidate.Local ? "true" : "false");
    }

    /// <summary>One line an admin reads: <c>10.1.2.3 (pc7) → 445 ×3, last 10:00:01Z; 10.1.2.9 → 80 ×1, last 09:59:40Z</c>.</summary>
    private static string Summary(IReadOnlyList<SourceCandidate> candidates, IPAddress? victim, TimeSpan window)
    {
        if (victim is null)
        {
            return "the victim's address is not known: no connections looked at";
        }

        if (candidates.Count == 0)
        {
            return $"no connections into {victim} in the {Durations.Format(window)} before the detection";
        }

        var text = new StringBuilder();
        foreach (var candidate in candidates)
        {
            if (text.Length > 0)
            {
                text.Append("; ");
            }

            text.Append(candidate.Ip);
            if (candidate.Name is not null)
            {
                text.Append(" (").Append(candidate.Name).Append(')');
            }

            if (candidate.Local)
            {
                text.Append(" [the victim itself]");
            }

            text.Append(" → ").Append(candidate.Ports.Count > 0 ? string.Join(',', candidate.Ports) : "?")
                .Append(CultureInfo.InvariantCulture, $" ×{candidate.Connections}, last {candidate.LastSeen.UtcDateTime:HH:mm:ss}Z");
        }

        return text.ToString();
    }
}
