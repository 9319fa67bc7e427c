using System.Net;
using Orchestrator.Core.Detection;
using Orchestrator.Core.Detection.Lookback;
using Orchestrator.Core.Detection.Tracing;
using Orchestrator.Core.Events;
using static Orchestrator.Core.Tests.Detection.Lookback.LookbackEvents;

namespace Orchestrator.Core.Tests.Detection.Tracing;

public sealed class InfectionTracerTests
{
    private const string Victim = "10.0.0.50";

    [Fact]
    public void Trace_NoReportedSource_TopCandidateIsTheSourceWithExactLabels()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Learn(Host("PC7", "10.1.2.3"));
        lookback.Add(Connection("10.1.2.9", Victim, 80, -20));
        lookback.Add(Connection("10.1.2.3", Victim, 445, -30));
        lookback.Add(Connection("10.1.2.3", Victim, 445, 0));
        lookback.Add(Connection("10.1.2.3", Victim, 445, 1));
        var detection = Detected(42, 1, Victim, "VICTIM");

        var traced = new InfectionTracer(lookback).Trace(detection);

        Assert.NotNull(traced);
        Assert.Equal("infection.traced:42", traced.DedupeKey);
        var evt = traced.Event;
        Assert.Equal(EventKinds.InfectionTraced, evt.Kind);
        Assert.Equal(detection.Timestamp, evt.Timestamp);
        Assert.Equal("VICTIM", evt.HostName);
        Assert.Equal(IPAddress.Parse(Victim), evt.HostIp);
        Assert.Equal("W32.Downadup", evt.RuleName);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), evt.SourceIp);
        Assert.Equal("PC7", evt.SourceName);
        Assert.Equal(
            new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                [DerivedEvents.DerivedFromLabel] = "42",
                [DerivedEvents.DetectorLabel] = "tracer",
                ["trace.victim"] = Victim,
                ["trace.source"] = "connections",
                ["trace.lookback"] = "30m",
                ["trace.candidates"] = "2",
                ["trace.candidate.1.ip"] = "10.1.2.3",
                ["trace.candidate.1.name"] = "PC7",
                ["trace.candidate.1.ports"] = "445",
                ["trace.candidate.1.connections"] = "3",
                ["trace.candidate.1.first_seen"] = "2026-11-23T09:59:30.0000000Z",
                ["trace.candidate.1.last_seen"] = "2026-11-23T10:00:01.0000000Z",
                ["trace.candidate.1.file_sharing"] = "true",
                ["trace.candidate.1.reported"] = "false",
                ["trace.candidate.1.local"] = "false",
                ["trace.candidate.2.ip"] = "10.1.2.9",
                ["trace.candidate.2.ports"] = "80",
                ["trace.candidate.2.connections"] = "1",
                ["trace.candidate.2.first_seen"] = "2026-11-23T09:59:40.0000000Z",
                ["trace.candidate.2.last_seen"] = "2026-11-23T09:59:40.0000000Z",
                ["trace.candidate.2.file_sharing"] = "false",
                ["trace.candidate.2.reported"] = "false",
                ["trace.candidate.2.local"] = "false",
                ["trace.summary"] = "10.1.2.3 (PC7) → 445 ×3, last 10:00:01Z; 10.1.2.9 → 80 ×1, last 09:59:40Z",
            },
            new SortedDictionary<string, string>(evt.Labels!.ToDictionary(), StringComparer.Ordinal));
    }

    [Fact]
    public void Trace_OnlyTheVictimsOwnConnections_TracedToTheLocalHost()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection(Victim, Victim, 445, -5));

        var evt = new InfectionTracer(lookback).Trace(Detected(9, 0, Victim, "VICTIM"))!.Event;

        Assert.Equal(IPAddress.Parse(Victim), evt.SourceIp);
        Assert.Equal("VICTIM", evt.SourceName);
        Assert.Equal("local_host", evt.Labels!["trace.source"]);
        Assert.Equal("true", evt.Labels!["trace.candidate.1.local"]);
        Assert.Contains("[the victim itself] → 445 ×1", evt.Labels!["trace.summary"], StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_ReportedSourceAmongTheConnections_KeptAndCorroborated()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.1.2.3", Victim, 445, -10));
        lookback.Add(Connection("10.1.2.9", Victim, 80, -5));
        var detection = Detected(7, 0, Victim, sourceIp: "10.1.2.9", sourceName: "PC9");

        var evt = new InfectionTracer(lookback).Trace(detection)!.Event;

        Assert.Equal(IPAddress.Parse("10.1.2.9"), evt.SourceIp);
        Assert.Equal("PC9", evt.SourceName);
        Assert.Equal("reported", evt.Labels!["trace.source"]);
        Assert.Equal("true", evt.Labels["trace.corroborated"]);
        Assert.Equal("2", evt.Labels["trace.candidates"]);
        Assert.Equal("false", evt.Labels["trace.candidate.1.reported"]);
        Assert.Equal("10.1.2.9", evt.Labels["trace.candidate.2.ip"]);
        Assert.Equal("true", evt.Labels["trace.candidate.2.reported"]);
    }

    [Fact]
    public void Trace_ReportedSourceNotAmongTheConnections_KeptAndNotCorroborated()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.1.2.3", Victim, 445, -10));
        var detection = Detected(7, 0, Victim, sourceIp: "10.9.9.9");

        var evt = new InfectionTracer(lookback).Trace(detection)!.Event;

        Assert.Equal(IPAddress.Parse("10.9.9.9"), evt.SourceIp);
        Assert.Equal("reported", evt.Labels!["trace.source"]);
        Assert.Equal("false", evt.Labels["trace.corroborated"]);
        Assert.Equal("1", evt.Labels["trace.candidates"]);
        Assert.Equal("10.1.2.3", evt.Labels["trace.candidate.1.ip"]);
    }

    [Fact]
    public void Trace_ReportedSourceAndNoConnections_KeptWithNoCandidates()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        var detection = Detected(7, 0, Victim, sourceIp: "10.9.9.9");

        var evt = new InfectionTracer(lookback).Trace(detection)!.Event;

        Assert.Equal(IPAddress.Parse("10.9.9.9"), evt.SourceIp);
        Assert.Equal("0", evt.Labels!["trace.candidates"]);
        Assert.Equal("false", evt.Labels["trace.corroborated"]);
        Assert.Equal("no connections into 10.0.0.50 in the 30m before the detection", evt.Labels["trace.summary"]);
    }

    [Fact]
    public void Trace_ReportedNameOnly_MatchedByNameAndGivenItsLearnedAddress()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.1.2.3", Victim, 445, -10, sourceName: "pc3.corp.local"));
        var detection = Detected(7, 0, Victim, sourceName: "PC3");

        var evt = new InfectionTracer(lookback).Trace(detection)!.Event;

        Assert.Equal("PC3", evt.SourceName);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), evt.SourceIp);
        Assert.Equal("resolved", evt.Labels!["trace.source_ip"]);
        Assert.Equal("true", evt.Labels["trace.corroborated"]);
        Assert.Equal("true", evt.Labels["trace.candidate.1.reported"]);
    }

    [Fact]
    public void Trace_VictimNamedOnly_ResolvedFromTheLearnedHost()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Learn(Host("victim.corp.local", Victim));
        lookback.Add(Connection("10.1.2.3", Victim, 445, -10));
        var detection = Detected(7, 0, hostIp: null, hostName: "VICTIM");

        var evt = new InfectionTracer(lookback).Trace(detection)!.Event;

        Assert.Equal(IPAddress.Parse("10.1.2.3"), evt.SourceIp);
        Assert.Equal(Victim, evt.Labels!["trace.victim"]);
        Assert.Null(evt.HostIp);
    }

    [Fact]
    public void Trace_VictimWithoutAKnownAddress_ReportedSourceKeptWithoutCandidatesElseNull()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.1.2.3", Victim, 445, -10));
        var tracer = new InfectionTracer(lookback);

        var traced = tracer.Trace(Detected(7, 0, hostIp: null, hostName: "unknown-pc", sourceIp: "10.9.9.9"));
        Assert.NotNull(traced);
        Assert.Equal(IPAddress.Parse("10.9.9.9"), traced.Event.SourceIp);
        Assert.Equal("reported", traced.Event.Labels!["trace.source"]);
        Assert.Equal("0", traced.Event.Labels!["trace.candidates"]);
        Assert.Equal("false", traced.Event.Labels!["trace.corroborated"]);
        Assert.False(traced.Event.Labels!.ContainsKey("trace.victim"));
        Assert.Null(tracer.Trace(Detected(8, 0, hostIp: null)));
    }

    [Fact]
    public void Trace_NoReportedSourceAndNoConnectionsInTheLookback_Null()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.1.2.3", Victim, 445, -31 * 60));

        Assert.Null(new InfectionTracer(lookback).Trace(Detected(7, 0, Victim)));
    }

    [Fact]
    public void Trace_NotADetection_Null()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.1.2.3", Victim, 445, -10));
        var detection = Detected(7, 0, Victim);
        detection.Kind = EventKinds.ProcessStarted;

        Assert.Null(new InfectionTracer(lookback).Trace(detection));
    }

    [Fact]
    public void Trace_IPv6VictimAndSource_Traced()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("2001:db8::7", "2001:db8::50", 445, -10));

        var evt = new InfectionTracer(lookback).Trace(Detected(7, 0, "2001:db8::50"))!.Event;

        Assert.Equal(IPAddress.Parse("2001:db8::7"), evt.SourceIp);
        Assert.Equal("2001:db8::7 → 445 ×1, last 09:59:50Z", evt.Labels!["trace.summary"]);
    }

    [Fact]
    public void Trace_DetectionWithAlmostNothing_NullOrTheReportedNameWithoutThrowing()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        var tracer = new InfectionTracer(lookback);

        Assert.Null(tracer.Trace(new SecurityEvent { Kind = EventKinds.InfectionDetected }));
        Assert.Null(tracer.Trace(new SecurityEvent { Kind = EventKinds.InfectionDetected, HostIp = IPAddress.Parse(Victim) }));
        Assert.Equal("pc3", tracer.Trace(new SecurityEvent { Kind = EventKinds.InfectionDetected, HostName = "  ", SourceName = "pc3" })?.Event.SourceName);
    }

    [Fact]
    public void Trace_ConnectionWithoutAPortAtTheStartOfTime_TracedWithUnknownPort()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        var connection = Connection("10.1.2.3", Victim, null, 0);
        connection.Timestamp = default;
        lookback.Add(connection);

        var evt = new InfectionTracer(lookback).Trace(new SecurityEvent { Kind = EventKinds.InfectionDetected, HostIp = IPAddress.Parse(Victim) })!.Event;

        Assert.Equal(IPAddress.Parse("10.1.2.3"), evt.SourceIp);
        Assert.Equal("", evt.Labels!["trace.candidate.1.ports"]);
        Assert.Equal("10.1.2.3 → ? ×1, last 00:00:00Z", evt.Labels["trace.summary"]);
    }
}
