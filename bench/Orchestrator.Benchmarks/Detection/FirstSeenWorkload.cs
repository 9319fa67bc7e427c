using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Events;

namespace Orchestrator.Benchmarks.Detection;

/// <summary>
/// A generated fleet for the first-seen benchmark. 50,000 executables ranked by popularity (Zipf, s = 1);
/// 5% carry no hash (keyed by path). Every host usually runs 200 of them: the 120 most popular (the OS
/// and standard software) and 80 drawn by popularity from the rest; its starts favour the first of
/// those (Zipf over its own list). One start in 200 runs something drawn from the whole fleet instead
/// (a stray: new on the host unless it happens to be usual there), and 40 executables never seen
/// before appear in the stream, each on 1 to 25 hosts. Hosts are named like Sysmon names them
/// (<c>PC-00042.corp.example.org</c>), half the hashes are upper case, and each event has its own
/// strings, as a parser makes them. The stream spans an hour and arrives out of order as a fleet's
/// does: each event's time is up to <see cref="MaxDelay"/> older than its place in the stream.
/// Fixed seed: every run sees the same stream.
/// </summary>
internal sealed class FirstSeenWorkload
{
    public const int Executables = 50_000;
    public const int PathOnlyPercent = 5;
    public const int NewExecutables = 40;
    private const int CoreExecutables = 120;
    private const int OwnExecutables = 80;
    private const double StrayShare = 0.005;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private readonly Executable[] _executables;
    private readonly string[] _hostNames;
    private readonly int[][] _usual;

    private FirstSeenWorkload(Executable[] executables, string[] hostNames, int[][] usual, SecurityEvent[] events)
    {
        _executables = executables;
        _hostNames = hostNames;
        _usual = usual;
        Events = events;
    }

    public SecurityEvent[] Events { get; }

    public static FirstSeenWorkload Build(int eventCount, int hostCount, int seed)
    {
        var random = new Random(seed);
        var executables = new Executable[Executables + NewExecutables];
        for (var i = 0; i < executables.Length; i++)
        {
            executables[i] = MakeExecutable(i, random);
        }

        var hostNames = new string[hostCount];
        for (var h = 0; h < hostCount; h++)
        {
            hostNames[h] = $"PC-{h:D5}.corp.example.org";
        }

        var fleetPopularity = new Zipf(Executables);
        var usual = new int[hostCount][];
        for (var h = 0; h < hostCount; h++)
        {
            var own = new HashSet<int>();
            while (own.Count < OwnExecutables)
            {
                var rank = fleetPopularity.Next(random);
                if (rank >= CoreExecutables)
                {
                    own.Add(rank);
                }
            }

            usual[h] = [.. Enumerable.Range(0, CoreExecutables), .. own];
        }

        var hostUse = new Zipf(CoreExecutables + OwnExecutables);
        var step = TimeSpan.FromHours(1).Ticks / Math.Max(1, eventCount);
        var events = new SecurityEvent[eventCount];
        for (var i = 0; i < eventCount; i++)
        {
            var host = random.Next(hostCount);
            var exe = random.NextDouble() < StrayShare ? fleetPopularity.Next(random) : usual[host][hostUse.Next(random)];
            events[i] = MakeEvent(i, TimeAt(i, step, random), hostNames[host], executables[exe], random);
        }

        // The new executables land on 1 to 25 hosts each, at free places after the first tenth of the stream.
        var taken = new HashSet<int>();
        for (var n = 0; n < NewExecutables; n++)
        {
            var spread = 1 + random.Next(25);
            for (var k = 0; k < spread; k++)
            {
                int at;
                do
                {
                    at = (eventCount / 10) + random.Next(eventCount - (eventCount / 10));
                }
                while (!taken.Add(at));

                events[at] = MakeEvent(at, TimeAt(at, step, random), hostNames[random.Next(hostCount)], executables[Executables + n], random);
            }
        }

        return new FirstSeenWorkload(executables, hostNames, usual, events);
    }

    /// <summary>What the registry holds before the stream: every host has run its usual executables, and every one of the 50,000 ran somewhere, a day earlier.</summary>
    public FirstSeenRecords Baseline(FirstSeenOptions options)
    {
        var registry = new FirstSeenRegistry(options);
        var before = Start.AddDays(-1);
        var ran = new bool[Executables];
        for (var h = 0; h < _hostNames.Length; h++)
        {
            foreach (var exe in _usual[h])
            {
                registry.Observe(Event(0, before, _hostNames[h], _executables[exe]));
                ran[exe] = true;
            }
        }

        for (var exe = 0; exe < Executables; exe++)
        {
            if (!ran[exe])
            {
                registry.Observe(Event(0, before, _hostNames[exe % _hostNames.Length], _executables[exe]));
            }
        }

        return registry.TakeChanges() with { Checkpoint = 0 };
    }

    private static DateTimeOffset TimeAt(int index, long step, Random random) =>
        Start.AddTicks((index * step) - random.NextInt64(MaxDelay.Ticks));

    private static Executable MakeExecutable(int index, Random random)
    {
        var vendor = index % 500;
        var name = $"app{index}.exe";
        var path = $@"C:\Program Files\Vendor{vendor:D3}\Product{index % 37}\{name}";
        if (random.Next(100) < PathOnlyPercent)
        {
            return new Executable(null, path, name);
        }

        var bytes = new byte[32];
        random.NextBytes(bytes);
        var hex = Convert.ToHexString(bytes);
        return new Executable(index % 2 == 0 ? hex : hex.ToLowerInvariant(), path, name);
    }

    private static SecurityEvent MakeEvent(int index, DateTimeOffset time, string host, Executable exe, Random random)
    {
        var evt = Event(index + 1, time, new string(host.AsSpan()), exe);
        evt.ProcessHashSha256 = exe.Sha256 is null ? null : new string(exe.Sha256.AsSpan());
        evt.ProcessExecutable = new string(exe.Path.AsSpan());
        evt.ProcessPid = random.Next(4, 65_536);
        return evt;
    }

    private static SecurityEvent Event(long id, DateTimeOffset time, string host, Executable exe) => new()
    {
        Id = id,
        Kind = EventKinds.ProcessStarted,
        Format = "sysmon",
        Timestamp = time,
        Ingested = time,
        HostName = host,
        ProcessHashSha256 = exe.Sha256,
        ProcessExecutable = exe.Path,
        ProcessName = exe.Name,
    };

    private sealed record Executable(string? Sha256, string Path, string Name);

    /// <summary>Ranks 0..n-1 drawn with probability proportional to 1/(rank+1).</summary>
    private sealed class Zipf
    {
        private readonly double[] _cumulative;

        public Zipf(int n)
        {
            _cumulative = new double[n];
            var sum = 0.0;
            for (var r = 0; r < n; r++)
            {
                sum += 1.0 / (r + 1);
                _cumulative[r] = sum;
            }

            for (var r = 0; r < n; r++)
            {
                _cumulative[r] /= sum;
            }
        }

        public int Next(Random random)
        {
            var at = Array.BinarySearch(_cumulative, random.NextDouble());
            return Math.Min(at < 0 ? ~at : at, _cumulative.Length - 1);
        }
    }
}
