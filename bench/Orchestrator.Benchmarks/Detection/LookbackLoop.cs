using System.Diagnostics;
using System.Globalization;
using System.Net;
using Orchestrator.Core.Detection.Lookback;
using Orchestrator.Core.Detection.Tracing;
using Orchestrator.Core.Events;

namespace Orchestrator.Benchmarks.Detection;

/// <summary>
/// The connection lookback's speed target (issue 7): 10,000,000 connection records into 5,000
/// hosts over 20 minutes of event time, with a detection every 1,000 records (10,000 in all), each
/// answered by a <see cref="ConnectionLookback.Candidates"/> call and an <see cref="InfectionTracer.Trace"/>
/// call, each timed on its own. Prints the latency quantiles, the add throughput and the memory held.
/// <c>dotnet run -c Release --project bench/Orchestrator.Benchmarks -- lookback-loop [PER_HOST_CAP MAX_HOSTS] [--reader | --reader-nonstop]</c>;
/// <c>--reader</c> adds a thread that queries a random host and sleeps 1 ms (hundreds a second, far
/// more than the API asks), <c>--reader-nonstop</c> one that queries back to back,
/// so the single lock is measured under contention.
/// </summary>
internal static class LookbackLoop
{
    private const int Hosts = 5_000;
    private const int Servers = 50;
    private const int Records = 10_000_000;
    private const int Detections = 10_000;
    private const int RecordsPerDetection = Records / Detections;

    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly long TicksPerRecord = TimeSpan.FromMinutes(20).Ticks / Records;

    // Ports into a workstation: SMB and NetBIOS (the worm's way in), RPC, RDP, WinRM, web, dynamic RPC.
    private static readonly int[] CommonPorts = [135, 3389, 5985, 80, 443];

    public static int Run(string[] args)
    {
        var reader = args.Contains("--reader") ? ReaderPace.EveryMillisecond : args.Contains("--reader-nonstop") ? ReaderPace.Nonstop : ReaderPace.None;
        var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var options = numbers.Length == 2 ? new LookbackOptions { PerHostCap = numbers[0], MaxHosts = numbers[1] } : new LookbackOptions();

        var fleet = Enumerable.Range(0, Hosts).Select(h => new IPAddress([10, 1, (byte)(h / 250), (byte)((h % 250) + 1)])).ToArray();
        var servers = Enumerable.Range(0, Servers).Select(s => new IPAddress([10, 9, 0, (byte)(s + 1)])).ToArray();

        // Warm-up on a throwaway store so the measured run sees tiered-up code.
        Measure(new ConnectionLookback(options), fleet, servers, 300_000, ReaderPace.None, print: false);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var lookback = new ConnectionLookback(options);
        Measure(lookback, fleet, servers, Records, reader, print: true);

        var held = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        var stats = lookback.Stats;
        var bound = (long)options.MaxHosts * options.PerHostCap * ConnectionLookback.BytesPerRecord;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"caps: lookback {options.Lookback}, per-host cap {options.PerHostCap:N0}, max hosts {options.MaxHosts:N0}; {ConnectionLookback.BytesPerRecord} bytes/record, record bound MaxHosts x PerHostCap x bytes = {bound / 1048576.0:F1} MiB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"held: {stats.Hosts:N0} hosts, {stats.Records:N0} records, {stats.Names:N0} names; Stats.EstimatedBytes {stats.EstimatedBytes / 1048576.0:F1} MiB; GC heap after full collection, minus the heap before the store: {held / 1048576.0:F1} MiB"));
        GC.KeepAlive(lookback);
        return 0;
    }

    private static void Measure(ConnectionLookback lookback, IPAddress[] fleet, IPAddress[] servers, int records, ReaderPace reader, bool print)
    {
        var random = new Random(7);
        var tracer = new InfectionTracer(lookback);
        for (var h = 0; h < fleet.Length; h++)
        {
            lookback.Learn(new SecurityEvent { HostName = string.Create(CultureInfo.InvariantCulture, $"ws{h:D5}.corp.example"), HostIp = fleet[h] });
        }

        // One event object reused for every add: Add keeps nothing of it, and the loop then times the store, not allocation of events.
        var connection = new SecurityEvent { Kind = EventKinds.NetworkConnection };
        var order = Enumerable.Range(0, fleet.Length).ToArray();
        var detections = records / RecordsPerDetection;
        var candidatesTicks = new long[detections];
        var traceTicks = new long[detections];
        long addTicks = 0;
        var traced = 0;
        var readerQueries = 0L;
        using var stop = new CancellationTokenSource();
        var readerThread = reader != ReaderPace.None ? new Thread(() => readerQueries = Query(lookback, fleet, reader, stop.Token)) : null;
        readerThread?.Start();

        var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        var gcPause = GC.GetTotalPauseDuration();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (var d = 0; d < detections; d++)
        {
            var begin = Stopwatch.GetTimestamp();
            for (var i = d * RecordsPerDetection; i < (d + 1) * RecordsPerDetection; i++)
            {
                // Every host in turn, in a new random order each round: each gets exactly Records / Hosts.
                if (i % fleet.Length == 0)
                {
                    random.Shuffle(order);
                }

                var victim = order[i % fleet.Length];
                var fromServer = random.Next(10) < 3;
                var source = fromServer ? servers[random.Next(servers.Length)] : fleet[(victim + 1 + random.Next(fleet.Length - 1)) % fleet.Length];
                connection.Id = i + 1;
                connection.Timestamp = Start.AddTicks(i * TicksPerRecord);
                connection.SourceIp = source;
                connection.DestinationIp = fleet[victim];
                connection.DestinationPort = random.Next(100) switch
                {
                    < 20 => 445,
                    < 25 => 139,
                    < 35 => 49152 + random.Next(16384),
                    var r => CommonPorts[r % CommonPorts.Length],
                };
                lookback.Add(connection);
            }

            addTicks += Stopwatch.GetTimestamp() - begin;

            var victimIndex = random.Next(fleet.Length);
            var at = Start.AddTicks((long)(d + 1) * RecordsPerDetection * TicksPerRecord);
            var detection = new SecurityEvent
            {
                Id = records + d + 1,
                Kind = EventKinds.InfectionDetected,
                Timestamp = at,
                RuleName = "W32.Downadup",
            };

            // A tenth name only their host (the tracer resolves it); three in ten carry SEP's own trace.
            if (d % 10 == 0)
            {
                detection.HostName = string.Create(CultureInfo.InvariantCulture, $"WS{victimIndex:D5}");
            }
            else
            {
                detection.HostIp = fleet[victimIndex];
            }

            if (d % 10 < 3)
            {
                detection.SourceIp = fleet[random.Next(fleet.Length)];
            }

            var t0 = Stopwatch.GetTimestamp();
            var candidates = lookback.Candidates(fleet[victimIndex], at);
            var t1 = Stopwatch.GetTimestamp();
            var result = tracer.Trace(detection);
            var t2 = Stopwatch.GetTimestamp();
            candidatesTicks[d] = t1 - t0;
            traceTicks[d] = t2 - t1;
            traced += result is not null && candidates.Count > 0 ? 1 : 0;
        }

        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        wall.Stop();
        var gcCounts = string.Join('/', Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - collections[g]));
        var gcPauseMs = (GC.GetTotalPauseDuration() - gcPause).TotalMilliseconds;
        stop.Cancel();
        readerThread?.Join();
        if (!print)
        {
            return;
        }

        var addSeconds = addTicks / (double)Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{records:N0} connection records into {fleet.Length:N0} hosts from {fleet.Length + servers.Length:N0} sources, {detections:N0} detections ({traced:N0} traced with candidates){(reader != ReaderPace.None ? $", one reader thread alongside ({reader}: {readerQueries:N0} queries, {readerQueries / wall.Elapsed.TotalSeconds:N0}/s)" : "")}; {Environment.ProcessorCount} cores"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"add: {addSeconds:F2} s = {records / addSeconds:N0} records/s (one writer, lock taken per add); process CPU {cpuSeconds:F2} s; GC gen0/1/2 collections {gcCounts}, pauses {gcPauseMs:F0} ms in all"));
        Print("Candidates", candidatesTicks);
        Print("Trace (resolve + Candidates + labels)", traceTicks);
    }

    private static long Query(ConnectionLookback lookback, IPAddress[] fleet, ReaderPace pace, CancellationToken stop)
    {
        var random = new Random(11);
        var queries = 0L;
        while (!stop.IsCancellationRequested)
        {
            lookback.Candidates(fleet[random.Next(fleet.Length)], Start.AddMinutes(20));
            queries++;
            if (pace == ReaderPace.EveryMillisecond)
            {
                Thread.Sleep(1);
            }
        }

        return queries;
    }

    private static void Print(string what, long[] ticks)
    {
        var sorted = ticks.Order().ToArray();
        double Micros(double quantile) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)] * 1_000_000.0 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: p50 {Micros(0.50):F1} us, p99 {Micros(0.99):F1} us, p999 {Micros(0.999):F1} us, max {Micros(1.0):F1} us over {sorted.Length:N0} lookbacks, {sorted.Count(t => t * 1000.0 / Stopwatch.Frequency > 1.0)} over 1 ms"));
    }

    private enum ReaderPace
    {
        None,
        EveryMillisecond,
        Nonstop,
    }
}
