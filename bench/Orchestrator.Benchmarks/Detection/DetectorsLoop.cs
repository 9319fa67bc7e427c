using System.Diagnostics;
using System.Globalization;
using Orchestrator.Core.Detection;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Detection.Lookback;
using Orchestrator.Core.Detection.Outbreaks;
using Orchestrator.Core.Detection.Tracing;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Sep;

namespace Orchestrator.Benchmarks.Detection;

/// <summary>
/// The detectors alone, one thread, over a parsed SEP file (every line a detection, as in the ingest flood):
/// <c>dotnet run -c Release --project bench/Orchestrator.Benchmarks -- detectors-loop FILE</c>. Each round
/// runs fresh detectors with the default options twice: tracing only, then everything (the outbreak
/// correlator too), and prints time, allocation, collections and what the detectors still hold.
/// </summary>
internal static class DetectorsLoop
{
    public static int Run(string file)
    {
        var parser = new SepSyslogParser();
        var receivedAt = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var events = new List<SecurityEvent>();
        foreach (var line in File.ReadLines(file))
        {
            if (parser.Parse(new RawInput(line, receivedAt)) is { Outcome: ParseOutcome.Event, Event: { } evt })
            {
                evt.Id = events.Count + 1;
                events.Add(evt);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{events.Count:N0} events parsed from {file}"));
        for (var round = 1; round <= 3; round++)
        {
            Measure(round, "tracing only", events, correlate: false);
            Measure(round, "everything", events, correlate: true);
        }

        return 0;
    }

    private static void Measure(int round, string what, List<SecurityEvent> events, bool correlate)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var lookback = new ConnectionLookback(new LookbackOptions());
        var tracer = new InfectionTracer(lookback);
        var detectors = new Detectors(lookback, tracer, new OutbreakCorrelator(new OutbreakOptions()), new FirstSeenRegistry(new FirstSeenOptions()));
        var derived = new List<DerivedEvent>();
        var traced = 0L;
        var raised = 0L;
        var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        foreach (var evt in events)
        {
            if (correlate)
            {
                detectors.Process(evt, derived);
            }
            else
            {
                lookback.Learn(evt);
                if (tracer.Trace(evt) is { } trace)
                {
                    derived.Add(trace);
                }
            }

            foreach (var item in derived)
            {
                if (item.Event.Kind == EventKinds.InfectionTraced)
                {
                    traced++;
                }
                else
                {
                    raised++;
                }
            }

            derived.Clear();
        }

        watch.Stop();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var paused = GC.GetTotalPauseDuration() - pause;
        var counted = (GC.CollectionCount(0) - collections.Item1, GC.CollectionCount(1) - collections.Item2, GC.CollectionCount(2) - collections.Item3);
        var held = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        GC.KeepAlive(detectors);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round}, {what}: {watch.Elapsed.TotalMilliseconds * 1000 / events.Count:F2} µs/event, {bytes / (double)events.Count:F0} B/event allocated, " +
            $"GC {counted.Item1}/{counted.Item2}/{counted.Item3} (gen 0/1/2), pauses {paused.TotalMilliseconds:F0} ms; {traced:N0} traced, {raised:N0} outbreak.source; held after: {held / 1048576.0:F1} MB"));
    }
}
