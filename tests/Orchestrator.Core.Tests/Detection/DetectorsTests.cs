using System.Net;
using Orchestrator.Core.Detection;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Detection.Lookback;
using Orchestrator.Core.Detection.Outbreaks;
using Orchestrator.Core.Detection.Tracing;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Tests.Detection;

public sealed class DetectorsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private long _nextId;

    private static Detectors Create()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        return new Detectors(lookback, new InfectionTracer(lookback), new OutbreakCorrelator(new OutbreakOptions()), new FirstSeenRegistry(new FirstSeenOptions()));
    }

    private SecurityEvent Event(string kind, int minute, Action<SecurityEvent> fill)
    {
        var evt = new SecurityEvent { Id = ++_nextId, Kind = kind, Timestamp = T0.AddMinutes(minute) };
        fill(evt);
        return evt;
    }

    [Fact]
    public void Process_ConnectionsThenDetections_TracesEachAndRaisesTheSourceOnce()
    {
        var detectors = Create();
        var derived = new List<DerivedEvent>();
        string[] victims = ["10.0.0.21", "10.0.0.22", "10.0.0.23"];
        for (var i = 0; i < victims.Length; i++)
        {
            var victim = victims[i];
            detectors.Process(Event(EventKinds.NetworkConnection, i, e => { e.SourceIp = IPAddress.Parse("10.0.0.5"); e.DestinationIp = IPAddress.Parse(victim); e.DestinationPort = 445; }), derived);
            detectors.Process(Event(EventKinds.InfectionDetected, i, e => { e.HostName = "PC-" + i; e.HostIp = IPAddress.Parse(victim); e.RuleName = "W32.Worm"; }), derived);
        }

        Assert.Equal(
            [EventKinds.InfectionTraced, EventKinds.InfectionTraced, EventKinds.InfectionTraced, EventKinds.OutbreakSource],
            derived.Select(d => d.Event.Kind));
        Assert.All(derived, d => Assert.Equal(IPAddress.Parse("10.0.0.5"), d.Event.SourceIp));
        Assert.Equal("3", derived[^1].Event.Labels!["outbreak.victims"]);
        // The third trace is not stored yet when the outbreak is raised: the outbreak names the stored detection.
        Assert.Equal(derived[2].Event.Labels![DerivedEvents.DerivedFromLabel], derived[^1].Event.Labels![DerivedEvents.DerivedFromLabel]);
    }

    private static Detectors Create(TimeSpan lateTelemetry, int maxWaiting = 10_000)
    {
        var lookback = new ConnectionLookback(new LookbackOptions { LateTelemetry = lateTelemetry, MaxWaiting = maxWaiting });
        return new Detectors(lookback, new InfectionTracer(lookback), new OutbreakCorrelator(new OutbreakOptions()), new FirstSeenRegistry(new FirstSeenOptions()));
    }

    private SecurityEvent Connection(int minute, string from, string to, int port = 445) =>
        Event(EventKinds.NetworkConnection, minute, e => { e.SourceIp = IPAddress.Parse(from); e.DestinationIp = IPAddress.Parse(to); e.DestinationPort = port; });

    private SecurityEvent Detection(int minute, string host, string ip) =>
        Event(EventKinds.InfectionDetected, minute, e => { e.HostName = host; e.HostIp = IPAddress.Parse(ip); e.RuleName = "W32.Worm"; });

    private SecurityEvent Other(int minute) => Event(EventKinds.Other, minute, e => e.HostName = "DC-1");

    [Fact]
    public void Process_ConnectionArrivingAfterItsDetection_TracesTheDetectionOnceItsWaitIsOver()
    {
        var detectors = Create(TimeSpan.FromMinutes(2));
        var derived = new List<DerivedEvent>();
        detectors.Process(Connection(0, "10.0.0.9", "10.0.0.30", port: 80), derived);

        // The antivirus' alert at 10:10 comes first; the log shipper's batch with the SMB connection at 10:09 comes after it.
        var detection = Detection(10, "PC-21", "10.0.0.21");
        detectors.Process(detection, derived);
        var waiting = detectors.Tracer.Waiting;
        detectors.Process(Connection(9, "10.0.0.5", "10.0.0.21"), derived);
        detectors.Process(Other(11), derived);
        var beforeTheWaitEnds = derived.Count;
        detectors.Process(Other(12), derived);

        Assert.Equal((1, 0), (waiting, beforeTheWaitEnds));
        var traced = Assert.Single(derived);
        Assert.Equal(EventKinds.InfectionTraced, traced.Event.Kind);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), traced.Event.SourceIp);
        Assert.Equal("true", traced.Event.Labels![InfectionTracer.LateTelemetryLabel]);
        Assert.Equal(InfectionTracer.DedupeKey(detection), traced.DedupeKey);
        Assert.Equal(0, detectors.Tracer.Waiting);
    }

    [Fact]
    public void Process_NoLateConnectionComes_TheDetectionStaysUntraced()
    {
        var detectors = Create(TimeSpan.FromMinutes(2));
        var derived = new List<DerivedEvent>();
        detectors.Process(Connection(0, "10.0.0.9", "10.0.0.30"), derived);

        detectors.Process(Detection(10, "PC-21", "10.0.0.21"), derived);
        detectors.Process(Other(30), derived);

        Assert.Empty(derived);
        Assert.Equal(0, detectors.Tracer.Waiting);
    }

    [Fact]
    public void Process_NoConnectionTelemetryAtAll_NothingWaits()
    {
        var detectors = Create(TimeSpan.FromMinutes(2));
        var derived = new List<DerivedEvent>();

        detectors.Process(Detection(10, "PC-21", "10.0.0.21"), derived);

        Assert.Equal(0, detectors.Tracer.Waiting);
    }

    [Fact]
    public void Process_LateTelemetryZero_NothingWaits()
    {
        var detectors = Create(TimeSpan.Zero);
        var derived = new List<DerivedEvent>();
        detectors.Process(Connection(0, "10.0.0.9", "10.0.0.30"), derived);

        detectors.Process(Detection(10, "PC-21", "10.0.0.21"), derived);
        detectors.Process(Connection(9, "10.0.0.5", "10.0.0.21"), derived);
        detectors.Process(Other(30), derived);

        Assert.Equal(0, detectors.Tracer.Waiting);
        Assert.Empty(derived);
    }

    [Fact]
    public void Process_WaitingRoomFull_TheOldestIsTracedAtOnceWithWhatCame()
    {
        var detectors = Create(TimeSpan.FromMinutes(2), maxWaiting: 1);
        var derived = new List<DerivedEvent>();
        detectors.Process(Connection(0, "10.0.0.9", "10.0.0.30"), derived);
        var first = Detection(10, "PC-21", "10.0.0.21");
        detectors.Process(first, derived);
        detectors.Process(Connection(9, "10.0.0.5", "10.0.0.21"), derived);

        detectors.Process(Detection(10, "PC-22", "10.0.0.22"), derived);

        var traced = Assert.Single(derived);
        Assert.Equal(first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), traced.Event.Labels![DerivedEvents.DerivedFromLabel]);
        Assert.Equal(1, detectors.Tracer.Waiting);
    }

    [Fact]
    public void Flush_EndOfInput_TracesWhatStillWaits()
    {
        var detectors = Create(TimeSpan.FromMinutes(2));
        var derived = new List<DerivedEvent>();
        detectors.Process(Connection(0, "10.0.0.9", "10.0.0.30"), derived);
        detectors.Process(Detection(10, "PC-21", "10.0.0.21"), derived);
        detectors.Process(Connection(9, "10.0.0.5", "10.0.0.21"), derived);

        detectors.Flush(derived);

        Assert.Equal(IPAddress.Parse("10.0.0.5"), Assert.Single(derived).Event.SourceIp);
        Assert.Equal(0, detectors.Tracer.Waiting);
    }

    [Fact]
    public void Process_LateTracesOfThreeVictims_RaiseTheOutbreakToo()
    {
        var detectors = Create(TimeSpan.FromMinutes(2));
        var derived = new List<DerivedEvent>();
        detectors.Process(Connection(0, "10.0.0.9", "10.0.0.30"), derived);
        string[] victims = ["10.0.0.21", "10.0.0.22", "10.0.0.23"];
        foreach (var victim in victims)
        {
            detectors.Process(Detection(10, "PC-" + victim[^2..], victim), derived);
        }

        foreach (var victim in victims)
        {
            detectors.Process(Connection(9, "10.0.0.5", victim), derived);
        }

        detectors.Process(Other(13), derived);

        Assert.Equal(
            [EventKinds.InfectionTraced, EventKinds.InfectionTraced, EventKinds.InfectionTraced, EventKinds.OutbreakSource],
            derived.Select(d => d.Event.Kind));
        Assert.Equal(IPAddress.Parse("10.0.0.5"), derived[^1].Event.SourceIp);
    }

    [Fact]
    public void Process_DetectionNobodyTraced_DerivesNothing()
    {
        var derived = new List<DerivedEvent>();

        Create().Process(Event(EventKinds.InfectionDetected, 0, e => { e.HostName = "PC-1"; e.HostIp = IPAddress.Parse("10.0.0.21"); }), derived);

        Assert.Empty(derived);
    }

    [Fact]
    public void Process_NewExecutable_UnknownOnceAndNotWhenChecksAreOff()
    {
        var detectors = Create();
        var derived = new List<DerivedEvent>();
        Action<SecurityEvent> start = e => { e.HostName = "PC-1"; e.ProcessExecutable = @"C:\Temp\x.exe"; e.ProcessName = "x.exe"; };

        detectors.Process(Event(EventKinds.ProcessStarted, 0, e => { start(e); e.ProcessExecutable = @"C:\Temp\y.exe"; }), derived, checkProcesses: false);
        detectors.Process(Event(EventKinds.ProcessStarted, 1, start), derived);
        detectors.Process(Event(EventKinds.ProcessStarted, 2, start), derived);

        var unknown = Assert.Single(derived);
        Assert.Equal(EventKinds.ProcessUnknown, unknown.Event.Kind);
        Assert.Equal(@"C:\Temp\x.exe", unknown.Event.ProcessExecutable);
    }

    [Fact]
    public void Process_AnEventADetectorDerived_IsIgnored()
    {
        var detectors = Create();
        var derived = new List<DerivedEvent>();
        var ours = DerivedEvents.From(Event(EventKinds.InfectionDetected, 0, e => e.HostName = "PC-1"), EventKinds.InfectionTraced, "tracer");
        ours.SourceIp = IPAddress.Parse("10.0.0.5");

        detectors.Process(ours, derived);

        Assert.Empty(derived);
        Assert.True(Detectors.IsDerived(ours));
        Assert.Equal(0, detectors.Outbreaks.Count);
    }
}
