using System.Diagnostics;
using System.Globalization;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Events;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Benchmarks.Detection;

/// <summary>
/// The first-seen check on one thread over a generated fleet, in memory and made durable:
/// <c>dotnet run -c Release --project bench/Orchestrator.Benchmarks -- first-seen-loop [EVENTS] [HOSTS] [SAVE_EVERY]</c>
/// (defaults 2,000,000 events, 2,000 hosts, a save every 16,384 events). See <see cref="FirstSeenWorkload"/> for the fleet.
/// Each round loads the same warm registry (every host has already run its usual executables) and times
/// <see cref="FirstSeenRegistry.Derive"/> over the pre-built process starts (three rounds fleet-first only,
/// one with <see cref="FirstSeenOptions.PerHost"/>, which raises at every new pair); the durable rounds also hand
/// <see cref="FirstSeenRegistry.TakeChanges"/> to <see cref="SqliteFirstSeenStore"/> (temp file, synchronous=full)
/// every SAVE_EVERY events and once at the end, inside the timed loop.
/// </summary>
internal static class FirstSeenLoop
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000_000;
        var hosts = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000;
        var saveEvery = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16_384;

        var build = Stopwatch.StartNew();
        var workload = FirstSeenWorkload.Build(events, hosts, seed: 42);
        var options = new FirstSeenOptions();
        var baseline = workload.Baseline(options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fleet: {hosts:N0} hosts, {baseline.Entries.Count:N0} executables known ({FirstSeenWorkload.Executables:N0} drawn by popularity, {FirstSeenWorkload.PathOnlyPercent}% without a hash), {baseline.Sightings.Count:N0} (executable, host) pairs known; {events:N0} process starts pre-built in {build.Elapsed.TotalSeconds:F1} s"));

        var exitCode = 0;
        for (var round = 0; round < 3; round++)
        {
            exitCode |= MeasureInMemory(workload, baseline, options, $"in memory round {round + 1}");
        }

        exitCode |= MeasureInMemory(workload, baseline, new FirstSeenOptions { PerHost = true }, "in memory, per host");

        for (var round = 0; round < 3; round++)
        {
            exitCode |= await MeasureDurableAsync(workload, baseline, options, saveEvery, round);
        }

        return exitCode;
    }

    private static int MeasureInMemory(FirstSeenWorkload workload, FirstSeenRecords baseline, FirstSeenOptions options, string name)
    {
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var registry = FirstSeenRegistry.Load(baseline, options);
        var stateBytes = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var raised = 0;
        var raisedOnHosts = 0;
        foreach (var evt in workload.Events)
        {
            var derived = registry.Derive(evt);
            if (derived.Count > 0)
            {
                raised += derived.Count;
                raisedOnHosts += derived[0].Event.Labels![FirstSeenRegistry.ScopeLabel] == FirstSeenRegistry.HostScope ? 1 : 0;
            }
        }

        watch.Stop();
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var changes = registry.TakeChanges();
        var count = workload.Events.Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {count:N0} process starts in {watch.Elapsed.TotalSeconds:F3} s = {count / watch.Elapsed.TotalSeconds:N0} events/s wall, {count / cpuSeconds:N0} events/s of process CPU, {bytes / (double)count:F1} B/event allocated, registry {stateBytes / 1048576.0:F0} MB after load; {Describe(changes, raised, count)}"));
        GC.KeepAlive(registry);
        return Check(workload, raised - raisedOnHosts, changes);
    }

    private static async Task<int> MeasureDurableAsync(FirstSeenWorkload workload, FirstSeenRecords baseline, FirstSeenOptions options, int saveEvery, int round)
    {
        var data = Directory.CreateTempSubdirectory("orchestrator-first-seen-");
        try
        {
            using var store = new SqliteFirstSeenStore(Path.Combine(data.FullName, "events.db"), SqliteSynchronous.Full);
            await store.SaveAsync(baseline, CancellationToken.None);
            var restart = Stopwatch.StartNew();
            var registry = FirstSeenRegistry.Load(await store.LoadAsync(CancellationToken.None), options);
            restart.Stop();
            GC.Collect();
            var saves = 0;
            var saved = FirstSeenRecords.Empty;
            var totals = (Entries: 0, Sightings: 0, Hosts: 0);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var raised = 0;
            var events = workload.Events;
            for (var i = 0; i < events.Length; i++)
            {
                raised += registry.Derive(events[i]).Count;
                if ((i + 1) % saveEvery == 0 || i == events.Length - 1)
                {
                    saved = registry.TakeChanges();
                    if (!saved.IsEmpty)
                    {
                        await store.SaveAsync(saved, CancellationToken.None);
                        saves++;
                        totals = (totals.Entries + saved.Entries.Count, totals.Sightings + saved.Sightings.Count, totals.Hosts + saved.Hosts.Count);
                    }
                }
            }

            watch.Stop();
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var count = events.Length;
            var reloaded = await store.LoadAsync(CancellationToken.None);
            var reloadedPairs = reloaded.Sightings.Count - baseline.Sightings.Count;
            var reloadedEntries = reloaded.Entries.Count - baseline.Entries.Count;
            var correct = reloadedEntries == FirstSeenWorkload.NewExecutables && reloaded.Checkpoint == count && raised == FirstSeenWorkload.NewExecutables;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"durable round {round + 1} (baseline loaded from the file in {restart.Elapsed.TotalSeconds:F2} s): {count:N0} process starts in {watch.Elapsed.TotalSeconds:F3} s = {count / watch.Elapsed.TotalSeconds:N0} events/s wall, {count / cpuSeconds:N0} events/s of process CPU; {saves} saves of {totals.Entries:N0} entry and {totals.Sightings:N0} pair upserts in all; reloaded: {reloadedEntries} new executables, {reloadedPairs:N0} new pairs, checkpoint {reloaded.Checkpoint:N0}, {raised} process.unknown ({(correct ? "as expected" : "NOT as expected")})"));
            return correct ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            data.Delete(recursive: true);
        }
    }

    private static string Describe(FirstSeenRecords changes, int raised, int count) => string.Create(CultureInfo.InvariantCulture,
        $"{changes.Entries.Count:N0} entries changed, {changes.Sightings.Count:N0} new (executable, host) pairs = {100.0 * changes.Sightings.Count / count:F2}% of events, {raised} process.unknown raised");

    private static int Check(FirstSeenWorkload workload, int raised, FirstSeenRecords changes)
    {
        var ok = raised == FirstSeenWorkload.NewExecutables && changes.Checkpoint == workload.Events.Length;
        if (!ok)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  NOT as expected: {raised} raised, {FirstSeenWorkload.NewExecutables} new executables in the stream"));
        }

        return ok ? 0 : 1;
    }
}
