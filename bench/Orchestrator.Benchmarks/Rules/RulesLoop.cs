using System.Diagnostics;
using System.Globalization;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Sep;
using Orchestrator.Core.Rules;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Benchmarks.Rules;

/// <summary>
/// Single-threaded loops over a generated SEP file (<c>gen-sep-risk.py</c>):
/// <c>rules-loop FILE</c> parses every line and runs the shared workload rule, printing lines/s and
/// the decisions, checked against <c>FILE.expected_ips.txt</c>; <c>rules-engine-loop FILE</c> parses
/// first and times only the engine with 100 rules: <c>rules-engine-loop FILE [realistic,heavy,quiet]</c> (<see cref="RuleMix"/>).
/// <c>rules-durable-loop FILE [SAVE_EVERY_EVENTS]</c> is <c>rules-loop</c> made durable: batches of 1,000 parsed lines through
/// <see cref="DurableRulesEngine"/> with the SQLite rule state store on a temp data dir (decisions
/// committed before they are handed out, snapshots every 1M events or 5 s), checked on the recorded decisions.
/// Run with <c>dotnet run -c Release --project bench/Orchestrator.Benchmarks -- rules-loop FILE</c>.
/// </summary>
internal static class RulesLoop
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static int RunSharedRule(string file)
    {
        var (lines, expected) = ReadWorkload(file);
        var parser = new SepSyslogParser();
        var exitCode = 0;
        for (var round = 0; round < 3; round++)
        {
            GC.Collect();
            var engine = new RulesEngine([RuleMix.SharedWorkload()]);
            var decisions = new List<RuleDecision>();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < lines.Length; i++)
            {
                var result = parser.Parse(new RawInput(lines[i], ReceivedAt));
                if (result.Event is { } evt)
                {
                    evt.Id = i + 1;
                    engine.Process(evt, decisions);
                }
            }

            watch.Stop();
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var keys = decisions.Select(d => d.GroupKey).ToHashSet(StringComparer.Ordinal);
            var correct = decisions.Count == expected.Count && keys.SetEquals(expected);
            exitCode |= correct ? 0 : 1;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: {lines.Length:N0} lines parsed and evaluated in {watch.Elapsed.TotalSeconds:F3} s = {lines.Length / watch.Elapsed.TotalSeconds:N0} lines/s wall, {lines.Length / cpuSeconds:N0} lines/s of process CPU; {decisions.Count} decisions ({(correct ? "match" : "DO NOT match")} {expected.Count} expected sources)"));
        }

        return exitCode;
    }

    public static async Task<int> RunDurableAsync(string file, int saveEveryEvents)
    {
        var (lines, expected) = ReadWorkload(file);
        var parser = new SepSyslogParser();
        var exitCode = 0;
        for (var round = 0; round < 3; round++)
        {
            GC.Collect();
            var data = Directory.CreateTempSubdirectory("orchestrator-rules-durable-");
            try
            {
                await using var events = new SqliteEventStore(new SqliteEventStoreOptions { DataDirectory = data.FullName }, new ParserRegistry([]));
                using var store = new SqliteRuleStateStore(events, TimeProvider.System);
                var engine = new DurableRulesEngine(new RulesEngine([RuleMix.SharedWorkload()]), store, new DurableRulesEngineOptions { SaveEveryEvents = saveEveryEvents }, TimeProvider.System);
                var handedOut = 0;
                var batch = new List<SecurityEvent>(1_000);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < lines.Length; i++)
                {
                    if (parser.Parse(new RawInput(lines[i], ReceivedAt)).Event is { } evt)
                    {
                        evt.Id = i + 1;
                        batch.Add(evt);
                    }

                    if (batch.Count == batch.Capacity || i == lines.Length - 1)
                    {
                        handedOut += (await engine.ProcessAsync(batch, CancellationToken.None)).Count;
                        batch.Clear();
                    }
                }

                await engine.FlushAsync(CancellationToken.None);
                watch.Stop();
                var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                var recorded = await store.ReadDecisionsAsync(100_000, CancellationToken.None);
                var correct = recorded.Count == expected.Count && handedOut == expected.Count && recorded.Select(d => d.GroupKey).ToHashSet(StringComparer.Ordinal).SetEquals(expected);
                exitCode |= correct ? 0 : 1;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1}: {lines.Length:N0} lines parsed, evaluated and made durable in {watch.Elapsed.TotalSeconds:F3} s = {lines.Length / watch.Elapsed.TotalSeconds:N0} lines/s wall, {lines.Length / cpuSeconds:N0} lines/s of process CPU; {recorded.Count} decisions recorded, {handedOut} handed out, snapshot every {saveEveryEvents:N0} events or 5 s ({(correct ? "match" : "DO NOT match")} {expected.Count} expected sources)"));
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                data.Delete(recursive: true);
            }
        }

        return exitCode;
    }

    /// <summary>The generated lines and the source IPs the generator says must be decided.</summary>
    private static (string[] Lines, HashSet<string> Expected) ReadWorkload(string file) =>
        (File.ReadAllLines(file), File.ReadAllLines(file + ".expected_ips.txt").Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal));

    public static int RunHundredRules(string file, string mixes)
    {
        var parser = new SepSyslogParser();
        var events = new List<SecurityEvent>(1_000_000);
        foreach (var line in File.ReadLines(file))
        {
            if (parser.Parse(new RawInput(line, ReceivedAt)).Event is { } evt)
            {
                evt.Original = "";
                events.Add(evt);
            }
        }

        foreach (var mix in mixes.Split(','))
        {
            Measure(events, MixByName(mix), mix + " mix");
        }

        return 0;
    }

    private static List<RuleDefinition> MixByName(string mix) => mix switch
    {
        "realistic" => RuleMix.Realistic(),
        "heavy" => RuleMix.Hundred(),
        "quiet" => RuleMix.Hundred(quiet: true),
        _ => throw new ArgumentException($"unknown mix '{mix}'; use realistic, heavy or quiet (comma-separated)."),
    };

    private static void Measure(List<SecurityEvent> events, List<RuleDefinition> rules, string name)
    {
        for (var round = 0; round < 3; round++)
        {
            GC.Collect();
            for (var i = 0; i < events.Count; i++)
            {
                events[i].Id = i + 1;
            }

            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            var engine = new RulesEngine(rules);
            var decisions = new List<RuleDecision>();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var paused = GC.GetTotalPauseDuration();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            // Decisions are counted and let go, as the service hands them on: keeping 97k of them alive
            // here would measure the benchmark's list, not the engine.
            var decided = 0;
            foreach (var evt in events)
            {
                engine.Process(evt, decisions);
                if (decisions.Count > 0)
                {
                    decided += decisions.Count;
                    decisions.Clear();
                }
            }

            watch.Stop();
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
            var gcs = $"GCs gen0/1/2 {GC.CollectionCount(0) - collections.Item1}/{GC.CollectionCount(1) - collections.Item2}/{GC.CollectionCount(2) - collections.Item3}, paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms";
            // What the engine's state holds at the end (groups, windows, throttles): the working set each event reaches into.
            var stateBytes = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
            GC.KeepAlive(engine);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} round {round + 1}: {events.Count:N0} parsed events through {rules.Count} rules in {watch.Elapsed.TotalSeconds:F3} s = {events.Count / watch.Elapsed.TotalSeconds:N0} events/s wall, {events.Count / cpuSeconds:N0} events/s of process CPU, {bytes / (double)events.Count:F0} B/event allocated, state {stateBytes / 1048576.0:F0} MB, {gcs}; {decided:N0} decisions"));
        }
    }
}
