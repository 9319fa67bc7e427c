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
