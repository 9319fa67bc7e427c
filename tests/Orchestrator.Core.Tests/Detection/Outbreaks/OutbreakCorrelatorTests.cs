using System.Net;
using Orchestrator.Core.Detection;
using Orchestrator.Core.Detection.Outbreaks;
using Orchestrator.Core.Events;
using static Orchestrator.Core.Tests.Detection.Outbreaks.OutbreakEvents;

namespace Orchestrator.Core.Tests.Detection.Outbreaks;

public sealed class OutbreakCorrelatorTests
{
    private static readonly DateTimeOffset AllTime = T0.AddDays(-1);
    private static readonly DateTimeOffset End = T0.AddDays(1);

    [Fact]
    public void Observe_ThirdDistinctVictimWithinTheWindow_RaisesOutbreakSourceDescribingTheWindow()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());

        var before = ObserveAll(correlator,
            Traced(0, "10.0.0.5", "PC-1"),
            Traced(5, "10.0.0.5", "pc-1"),
            Traced(6, "10.0.0.5", "PC-2", threat: "W32.Worm.B"));
        var third = Traced(10, "10.0.0.5", "PC-3");
        var raised = Assert.Single(correlator.Observe(third));

        Assert.Empty(before);
        var evt = raised.Event;
        Assert.Equal(EventKinds.OutbreakSource, evt.Kind);
        Assert.Equal($"outbreak.source:10.0.0.5:{third.Id}", raised.DedupeKey);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), evt.SourceIp);
        Assert.Equal(third.Timestamp, evt.Timestamp);
        Assert.Equal("PC-3", evt.HostName);
        Assert.Equal(
            new Dictionary<string, string>
            {
                [DerivedEvents.DerivedFromLabel] = third.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [DerivedEvents.DetectorLabel] = "outbreak",
                ["outbreak.victims"] = "3",
                ["outbreak.victim_list"] = "PC-1,PC-2,PC-3",
                ["outbreak.window"] = "1h",
                ["outbreak.first_seen"] = "2025-03-04T10:00:00.0000000Z",
                ["outbreak.last_seen"] = "2025-03-04T10:10:00.0000000Z",
                ["outbreak.threats"] = "W32.Worm,W32.Worm.B",
                ["outbreak.detections"] = "4",
            },
            evt.Labels!.ToDictionary());
    }

    [Fact]
    public void Observe_SourceKeepsPassingTheThreshold_RaisesOncePerWindowAndAgainAfterIt()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        var events = new[]
        {
            Traced(0, "10.0.0.5", "PC-1"),
            Traced(1, "10.0.0.5", "PC-2"),
            Traced(2, "10.0.0.5", "PC-3"),
            Traced(30, "10.0.0.5", "PC-4"),
            Traced(45, "10.0.0.5", "PC-5"),
            Traced(61, "10.0.0.5", "PC-6"),
            Traced(62, "10.0.0.5", "PC-7"),
            Traced(63, "10.0.0.5", "PC-8"),
        };

        var raisedBy = events.Where(e => correlator.Observe(e).Count > 0).Select(e => e.Timestamp).ToList();

        Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(62)], raisedBy);
    }

    [Fact]
    public void Observe_VictimsSpreadWiderThanTheWindow_DoesNotRaise()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());

        var raised = ObserveAll(correlator,
            Traced(0, "10.0.0.5", "PC-1"),
            Traced(40, "10.0.0.5", "PC-2"),
            Traced(60, "10.0.0.5", "PC-3"),
            Traced(101, "10.0.0.5", "PC-4"));

        Assert.Empty(raised);
        Assert.Equal(4, Assert.Single(correlator.Sources(AllTime, End)).DistinctVictims);
    }

    [Fact]
    public void Sources_ManyDetectionsOnOneVictim_RankBelowFewerDetectionsOnMoreVictims()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        ObserveAll(correlator, Enumerable.Range(0, 10).Select(i => Traced(i, "10.0.0.5", "PC-1")).ToArray());
        ObserveAll(correlator,
            Traced(20, "FILESRV", "PC-2"),
            Traced(21, "FILESRV", "PC-3"),
            Traced(22, "FILESRV", "PC-4"),
            Traced(23, "10.0.0.8", "PC-5"),
            Traced(24, "10.0.0.8", "PC-6"),
            Traced(30, "10.0.0.9", "PC-7"),
            Traced(31, "10.0.0.9", "PC-8"));

        var ranking = correlator.Sources(AllTime, End);

        Assert.Equal(
            [("filesrv", 3, 3, true), ("10.0.0.9", 2, 2, false), ("10.0.0.8", 2, 2, false), ("10.0.0.5", 1, 10, false)],
            ranking.Select(s => (s.Id, s.DistinctVictims, s.Detections, s.Raised)));
        Assert.Equal(("FILESRV", T0.AddMinutes(20), T0.AddMinutes(22), T0.AddMinutes(22)), (ranking[0].Name, ranking[0].FirstSeen, ranking[0].LastSeen, ranking[0].RaisedAt));
        Assert.All(ranking, s => Assert.Equal(OutbreakSourceKind.Host, s.Kind));
    }

    [Fact]
    public void Sources_Range_CountsOnlyDetectionsWithinIt()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        ObserveAll(correlator,
            Traced(0, "10.0.0.5", "PC-1"),
            Traced(10, "10.0.0.5", "PC-2"),
            Traced(20, "10.0.0.5", "PC-3", threat: "Trojan.Gen"),
            Traced(30, "10.0.0.5", "PC-4", threat: "Trojan.Gen"));

        var source = Assert.Single(correlator.Sources(T0.AddMinutes(10), T0.AddMinutes(20)));

        Assert.Equal(["PC-2", "PC-3"], source.Victims);
        Assert.Equal(["W32.Worm", "Trojan.Gen"], source.Threats);
        Assert.Equal(T0.AddMinutes(20), source.RaisedAt);
        Assert.False(Assert.Single(correlator.Sources(T0.AddMinutes(25), T0.AddMinutes(30))).Raised);
    }

    [Fact]
    public void Observe_UnknownAndLocalHostSources_NeverRaiseButAreListedAsSuch()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());

        var raised = ObserveAll(correlator,
            Unsourced(0, "PC-1"),
            Unsourced(1, "PC-2"),
            Unsourced(2, "PC-3"),
            Unsourced(3, "PC-4"),
            Traced(4, "10.0.0.6", "PC-6", IPAddress.Parse("10.0.0.6")),
            Traced(5, "127.0.0.1", "PC-7"),
            Traced(6, "pc-8.corp.example", "PC-8"),
            Traced(7, "0.0.0.0", "PC-9"),
            Traced(8, "::1", "PC-10"),
            Traced(9, "localhost", "PC-11"));

        Assert.Empty(raised);
        Assert.Equal(
            [("local host", OutbreakSourceKind.LocalHost, 6), ("unknown", OutbreakSourceKind.Unknown, 4)],
            correlator.Sources(AllTime, End).Select(s => (s.Id, s.Kind, s.DistinctVictims)));
        Assert.Empty(correlator.Chain(AllTime).Edges);
    }

    [Fact]
    public void Observe_SourceNamedWithoutIp_IsOneSourceByFirstDnsLabelIgnoringCase()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());

        ObserveAll(correlator, Traced(0, "FILESRV.corp.example", "PC-1"), Traced(1, "filesrv", "PC-2"));
        var last = Traced(2, "FileSrv.branch.example", "PC-3");
        var raised = Assert.Single(correlator.Observe(last));

        Assert.Equal($"outbreak.source:filesrv:{last.Id}", raised.DedupeKey);
        Assert.Equal("FileSrv.branch.example", raised.Event.SourceName);
        Assert.Null(raised.Event.SourceIp);
    }

    [Fact]
    public void Observe_LateDetectionsWithinTheWindow_CountAsIfInOrder()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());

        var first = ObserveAll(correlator, Traced(30, "10.0.0.5", "PC-1"), Traced(10, "10.0.0.5", "PC-2"));
        var raised = Assert.Single(correlator.Observe(Traced(20, "10.0.0.5", "PC-3")));

        Assert.Empty(first);
        Assert.Equal("2025-03-04T10:10:00.0000000Z", raised.Event.Labels!["outbreak.first_seen"]);
        Assert.Equal("2025-03-04T10:30:00.0000000Z", raised.Event.Labels["outbreak.last_seen"]);
        Assert.Equal(T0.AddMinutes(20), raised.Event.Timestamp);
    }

    [Fact]
    public void Observe_LateDetectionCompletingAnEarlierWindow_RaisesForThatWindowOnce()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        ObserveAll(correlator, Traced(0, "10.0.0.5", "PC-1"), Traced(10, "10.0.0.5", "PC-2"), Traced(90, "10.0.0.5", "PC-3"));

        var raised = Assert.Single(correlator.Observe(Traced(40, "10.0.0.5", "PC-4")));
        var again = correlator.Observe(Traced(45, "10.0.0.5", "PC-5"));

        Assert.Equal(
            ("3", "PC-1,PC-2,PC-4", "2025-03-04T10:00:00.0000000Z", "2025-03-04T10:40:00.0000000Z"),
            (raised.Event.Labels!["outbreak.victims"], raised.Event.Labels["outbreak.victim_list"], raised.Event.Labels["outbreak.first_seen"], raised.Event.Labels["outbreak.last_seen"]));
        Assert.Empty(again);
    }

    [Fact]
    public void Observe_DetectionOlderThanTheHorizon_IsIgnoredAndOldOnesAgeOut()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions { Horizon = TimeSpan.FromHours(2) });
        ObserveAll(correlator, Traced(0, "10.0.0.5", "PC-1"), Traced(200, "10.0.0.6", "PC-2"));

        var late = correlator.Observe(Traced(30, "10.0.0.5", "PC-3"));

        Assert.Empty(late);
        Assert.Equal(1, correlator.IgnoredDetections);
        Assert.Equal(["10.0.0.6"], correlator.Sources(AllTime, End).Select(s => s.Id));
    }

    [Fact]
    public void Observe_MoreThanMaxDetections_KeepsOnlyTheNewest()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions { MaxDetections = 5 });
        ObserveAll(correlator, Enumerable.Range(0, 8).Select(i => Traced(i, $"10.0.0.{i + 1}", "PC-1")).ToArray());

        var olderThanAll = correlator.Observe(Traced(-5, "10.0.0.99", "PC-2"));

        Assert.Empty(olderThanAll);
        Assert.Equal(5, correlator.Count);
        Assert.Equal(4, correlator.EvictedDetections);
        Assert.Equal(
            ["10.0.0.8", "10.0.0.7", "10.0.0.6", "10.0.0.5", "10.0.0.4"],
            correlator.Sources(AllTime, End).Select(s => s.Id));
    }

    [Fact]
    public void Observe_EvictedDetectionsLeaveTheWindow_ThresholdCountsOnlyWhatIsKept()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions { MaxDetections = 2 });

        var raised = ObserveAll(correlator,
            Traced(0, "10.0.0.5", "PC-1"),
            Traced(1, "10.0.0.5", "PC-2"),
            Traced(2, "10.0.0.5", "PC-3"));

        Assert.Empty(raised);
        Assert.Equal(["PC-2", "PC-3"], Assert.Single(correlator.Sources(AllTime, End)).Victims);
    }

    [Fact]
    public void Observe_OtherKindsAndDetectionsWithoutAVictim_AreNotCounted()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        var connection = Traced(0, "10.0.0.5", "PC-1");
        connection.Kind = EventKinds.NetworkConnection;
        var noVictim = Traced(1, "10.0.0.5", "PC-1");
        noVictim.HostName = null;

        ObserveAll(correlator, connection, noVictim);

        Assert.Equal(0, correlator.Count);
        Assert.Equal(1, correlator.IgnoredDetections);
    }

    [Fact]
    public void Chain_AInfectsBThenBInfectsC_TwoEdgesThroughOneNodeForB()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        var fromA = Traced(0, "10.0.0.5", "B", IPAddress.Parse("10.0.0.7"));
        fromA.SourceName = "A";
        var againFromA = Traced(5, "10.0.0.5", "b.corp.example", threat: "W32.Worm.B");
        var fromB = Traced(30, "10.0.0.7", "C", IPAddress.Parse("10.0.0.8"));
        ObserveAll(correlator, Unsourced(-10, "A"), fromA, againFromA, fromB);

        var chain = correlator.Chain(T0.AddMinutes(-30));

        Assert.Equal(
            [
                new ChainNode("a", "A", IPAddress.Parse("10.0.0.5"), T0.AddMinutes(-10), true),
                new ChainNode("b", "B", IPAddress.Parse("10.0.0.7"), T0, true),
                new ChainNode("c", "C", IPAddress.Parse("10.0.0.8"), T0.AddMinutes(30), false),
            ],
            chain.Nodes);
        Assert.Equal(
            [("a", "b", T0, 2, "W32.Worm,W32.Worm.B"), ("b", "c", T0.AddMinutes(30), 1, "W32.Worm")],
            chain.Edges.Select(e => (e.From, e.To, e.FirstAt, e.Count, string.Join(',', e.Threats))));
        Assert.Equal(
            "A (10.0.0.5) → B (10.0.0.7)  2 detections  W32.Worm, W32.Worm.B  first 10:00:00Z\n" +
            "B (10.0.0.7) → C (10.0.0.8)  1 detection  W32.Worm  first 10:30:00Z\n",
            ChainExport.ToText(chain));
    }

    [Fact]
    public void Chain_SourceKnownOnlyByIpSeenFirst_JoinsItsNameWhenAVictimReportLinksThem()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        ObserveAll(correlator,
            Traced(0, "10.0.0.7", "C"),
            Traced(10, "A", "B", IPAddress.Parse("10.0.0.7")));

        var chain = correlator.Chain(AllTime);

        Assert.Equal(["b", "c", "a"], chain.Nodes.Select(n => n.Id));
        Assert.Equal([("b", "c"), ("a", "b")], chain.Edges.Select(e => (e.From, e.To)));
    }

    [Fact]
    public void Chain_Since_LeavesOutEarlierInfections()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        ObserveAll(correlator,
            Traced(0, "A", "B"),
            Traced(30, "B", "C"));

        var chain = correlator.Chain(T0.AddMinutes(15));

        Assert.Equal([("b", "c")], chain.Edges.Select(e => (e.From, e.To)));
        Assert.Equal([("b", (DateTimeOffset?)null), ("c", T0.AddMinutes(30))], chain.Nodes.Select(n => (n.Id, n.FirstInfectedAt)));
    }

    [Fact]
    public void Observe_RandomInOrderStream_RaisesExactlyWhereARecountFromScratchDoes()
    {
        var random = new Random(7);
        var events = Enumerable.Range(0, 2_000)
            .Select(i => Traced(i * 0.5, $"10.0.0.{random.Next(1, 6)}", $"PC-{random.Next(1, 40)}"))
            .ToList();
        var options = new OutbreakOptions { Window = TimeSpan.FromMinutes(10), Threshold = 6 };
        var correlator = new OutbreakCorrelator(options);

        var raised = events.Where(e => correlator.Observe(e).Count > 0).Select(e => e.Id).ToList();

        var expected = new List<long>();
        var raises = new Dictionary<IPAddress, List<DateTimeOffset>>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var earlier = raises.GetValueOrDefault(e.SourceIp!) ?? [];
            var victims = events.Take(i + 1)
                .Where(o => o.SourceIp!.Equals(e.SourceIp) && e.Timestamp - o.Timestamp < options.Window)
                .Select(o => o.HostName).Distinct().Count();
            if (victims >= options.Threshold && earlier.All(r => e.Timestamp - r >= options.Window))
            {
                expected.Add(e.Id);
                raises[e.SourceIp!] = [.. earlier, e.Timestamp];
            }
        }

        Assert.True(expected.Count > 20);
        Assert.Equal(expected, raised);
    }

    [Fact]
    public void Observe_ShuffledArrivals_RaisesOnceForEveryPassingWindowAndNoOther()
    {
        var random = new Random(11);
        var inOrder = Enumerable.Range(0, 2_000)
            .Select(i => Traced(i * 0.5, $"10.0.0.{random.Next(1, 6)}", $"PC-{random.Next(1, 40)}"))
            .ToList();
        // Arrivals up to 15 minutes late, as antivirus clients upload their logs in batches.
        var arrivals = inOrder.OrderBy(e => e.Timestamp.AddMinutes(random.NextDouble() * 15)).ToList();
        var options = new OutbreakOptions { Window = TimeSpan.FromMinutes(10), Threshold = 6 };
        var correlator = new OutbreakCorrelator(options);
        var window = options.Window;

        var arrived = new List<SecurityEvent>();
        var raises = new List<SecurityEvent>();
        foreach (var detection in arrivals)
        {
            arrived.Add(detection);
            var sameSource = arrived.Where(o => o.SourceIp!.Equals(detection.SourceIp)).ToList();
            foreach (var evt in correlator.Observe(detection).Select(r => r.Event))
            {
                // What it reports is a window shorter than the window length, holding this detection
                // and the distinct victims that had arrived in it.
                var first = DateTimeOffset.Parse(evt.Labels!["outbreak.first_seen"], System.Globalization.CultureInfo.InvariantCulture);
                var last = DateTimeOffset.Parse(evt.Labels["outbreak.last_seen"], System.Globalization.CultureInfo.InvariantCulture);
                var victims = Distinct(sameSource, first, last);
                Assert.True(last - first < window && first <= evt.Timestamp && evt.Timestamp <= last);
                Assert.True(victims >= options.Threshold);
                Assert.Equal(victims.ToString(System.Globalization.CultureInfo.InvariantCulture), evt.Labels["outbreak.victims"]);
                Assert.DoesNotContain(raises, r => r.SourceIp!.Equals(evt.SourceIp) && (r.Timestamp - evt.Timestamp).Duration() < window);
                raises.Add(evt);
            }

            // Every window that passes once this detection is in has been reported, or lies within a
            // window of a report for the same source.
            var passes = sameSource.Any(anchor =>
                anchor.Timestamp <= detection.Timestamp && detection.Timestamp - anchor.Timestamp < window
                && Distinct(sameSource, anchor.Timestamp, anchor.Timestamp + window - TimeSpan.FromTicks(1)) >= options.Threshold);
            Assert.True(!passes || raises.Any(r => r.SourceIp!.Equals(detection.SourceIp) && (r.Timestamp - detection.Timestamp).Duration() < window));
        }

        Assert.True(raises.Count > 20);

        static int Distinct(List<SecurityEvent> events, DateTimeOffset from, DateTimeOffset to) =>
            events.Where(o => o.Timestamp >= from && o.Timestamp <= to).Select(o => o.HostName).Distinct().Count();
    }

    private static List<DerivedEvent> ObserveAll(OutbreakCorrelator correlator, params SecurityEvent[] detections) =>
        [.. detections.SelectMany(correlator.Observe)];
}
