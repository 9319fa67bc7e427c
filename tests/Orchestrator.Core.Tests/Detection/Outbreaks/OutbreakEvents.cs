using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Tests.Detection.Outbreaks;

/// <summary>Detections as the integrator hands them to the correlator, at minutes past <see cref="T0"/>.</summary>
internal static class OutbreakEvents
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    private static long s_nextId = 1000;

    /// <summary>An <c>infection.traced</c> event: <paramref name="source"/> (an IP, or a name) infected the victim.</summary>
    public static SecurityEvent Traced(double minutes, string source, string victim, IPAddress? victimIp = null, string threat = "W32.Worm")
    {
        var evt = Detection(EventKinds.InfectionTraced, minutes, victim, victimIp, threat);
        if (IPAddress.TryParse(source, out var ip))
        {
            evt.SourceIp = ip;
        }
        else
        {
            evt.SourceName = source;
        }

        return evt;
    }

    /// <summary>An <c>infection.detected</c> event for which no source was found.</summary>
    public static SecurityEvent Unsourced(double minutes, string victim, string threat = "W32.Worm") =>
        Detection(EventKinds.InfectionDetected, minutes, victim, null, threat);

    public static SecurityEvent Detection(string kind, double minutes, string victim, IPAddress? victimIp, string threat)
    {
        var evt = new SecurityEvent
        {
            Id = Interlocked.Increment(ref s_nextId),
            Kind = kind,
            Format = "sep",
            Timestamp = T0.AddMinutes(minutes),
            HostName = victim,
            HostIp = victimIp,
            RuleName = threat,
        };
        evt.SetLabel("orchestrator.derived_from", (evt.Id - 500).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return evt;
    }
}
