using System.Net;
using BenchmarkDotNet.Attributes;
using Orchestrator.Core.Detection.Outbreaks;
using Orchestrator.Core.Events;

namespace Orchestrator.Benchmarks.Outbreaks;

/// <summary>
/// The outbreak correlator as the integrator runs it: one <c>Observe</c> per detection (one operation is
/// one detection), and the API's ranking and chain over a full correlator (100,000 detections held).
/// </summary>
/// <remarks>
/// Fleet: 200,000 detections over 4 h from 1,500 PCs, 300 sources of which a few are heavy, 10 % with
/// no source and 2 % from the victim itself, 30 % arriving up to 5 minutes late (antivirus clients
/// upload in batches); MaxDetections evicts the oldest half. Worm: one source hits the 1,500 PCs
/// 100,000 times within an hour, every detection up to 5 minutes late.
/// </remarks>
[MemoryDiagnoser]
public class OutbreakBenchmarks
{
    private const int FleetCount = 200_000;
    private const int WormCount = 100_000;

    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Threats = ["W32.Ramnit!html", "W32.Sality.AE", "Trojan.Gen.2", "W32.Downadup.B"];

    private SecurityEvent[] _fleet = [];
    private SecurityEvent[] _worm = [];
    private OutbreakCorrelator _full = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fleet = Fleet(new Random(3));
        _worm = Worm(new Random(5));

        var before = GC.GetTotalMemory(forceFullCollection: true);
        _full = new OutbreakCorrelator(new OutbreakOptions());
        foreach (var detection in _fleet)
        {
            _full.Observe(detection);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// retained by a full correlator: {_full.Count} detections, {after - before:N0} bytes, {(after - before) / _full.Count} bytes per detection");
        Console.WriteLine($"// its ranking: {_full.Sources(T0, T0.AddDays(1)).Count} sources; its chain: {_full.Chain(T0).Nodes.Count} nodes, {_full.Chain(T0).Edges.Count} edges");
    }

    [Benchmark(OperationsPerInvoke = FleetCount)]
    public int ObserveFleet()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        var raised = 0;
        foreach (var detection in _fleet)
        {
            raised += correlator.Observe(detection).Count;
        }

        return raised;
    }

    [Benchmark(OperationsPerInvoke = WormCount)]
    public int ObserveWorm()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        var raised = 0;
        foreach (var detection in _worm)
        {
            raised += correlator.Observe(detection).Count;
        }

        return raised;
    }

    [Benchmark]
    public int SourcesOfFullCorrelator() => _full.Sources(T0, T0.AddDays(1)).Count;

    [Benchmark]
    public int ChainOfFullCorrelator() => _full.Chain(T0).Edges.Count;

    private static SecurityEvent[] Fleet(Random random)
    {
        var span = TimeSpan.FromHours(4);
        var events = new SecurityEvent[FleetCount];
        for (var i = 0; i < FleetCount; i++)
        {
            var victim = random.Next(1_500);
            var evt = Detection(i, T0 + (span * i / FleetCount) - Late(random, 0.3), victim, random);
            var roll = random.NextDouble();
            if (roll < 0.10)
            {
                evt.Kind = EventKinds.InfectionDetected;
            }
            else if (roll < 0.12)
            {
                evt.SourceIp = evt.HostIp;
            }
            else
            {
                // Squaring skews towards the first sources: a few infect many, most infect one or two.
                var source = (int)(300 * Math.Pow(random.NextDouble(), 2));
                evt.SourceIp = Address(2_000 + source);
                evt.SourceName = $"SRV-{source:D3}";
            }

            events[i] = evt;
        }

        return events;
    }

    private static SecurityEvent[] Worm(Random random)
    {
        var events = new SecurityEvent[WormCount];
        for (var i = 0; i < WormCount; i++)
        {
            var evt = Detection(i, T0 + (TimeSpan.FromHours(1) * i / WormCount) - Late(random, 1), random.Next(1_500), random);
            evt.SourceIp = Address(9_999);
            events[i] = evt;
        }

        return events;
    }

    private static SecurityEvent Detection(int index, DateTimeOffset time, int victim, Random random) => new()
    {
        Id = index + 1,
        Kind = EventKinds.InfectionTraced,
        Format = "sep",
        Timestamp = time,
        HostName = $"WS-{victim:D4}",
        HostIp = Address(victim),
        RuleName = Threats[random.Next(Threats.Length)],
    };

    private static TimeSpan Late(Random random, double share) =>
        random.NextDouble() < share ? TimeSpan.FromSeconds(random.Next(300)) : TimeSpan.Zero;

    private static IPAddress Address(int n) => new([10, 1, (byte)(n / 250), (byte)(1 + (n % 250))]);
}
