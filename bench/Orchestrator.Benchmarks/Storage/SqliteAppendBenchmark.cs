using System.Globalization;
using System.Net;
using BenchmarkDotNet.Attributes;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Benchmarks.Storage;

/// <summary>
/// Commit throughput of the SQLite store: one <c>AppendAsync</c> per invocation, a batch of
/// events with ~500-byte originals, 1,500 hosts, a source IP on one event in ten. Results are
/// per event (OperationsPerInvoke = batch size; events/s = 1 s / mean). Run:
/// <c>dotnet run -c Release --project bench/Orchestrator.Benchmarks -- --filter '*SqliteAppend*' --job short</c>
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet owns the lifecycle: [GlobalCleanup] disposes the store.
public class SqliteAppendBenchmark
#pragma warning restore CA1001
{
    private const int Batches = 8;

    private const int SmallBatch = 1_000;
    private const int LargeBatch = 10_000;

    private readonly List<IngestItem[]> _small = [];
    private readonly List<IngestItem[]> _large = [];
    private string _directory = "";
    private SqliteEventStore? _store;
    private int _next;

    [Params(SqliteSynchronous.Full, SqliteSynchronous.Normal)]
    public SqliteSynchronous Synchronous { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "orch-bench-" + Guid.NewGuid().ToString("N"));
        _store = new SqliteEventStore(new SqliteEventStoreOptions { DataDirectory = _directory, Synchronous = Synchronous }, new ParserRegistry([]));
        var random = new Random(42);
        var received = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        string[] kinds = [EventKinds.NetworkConnection, EventKinds.NetworkConnection, EventKinds.ProcessStarted, EventKinds.InfectionDetected, EventKinds.Other];
        var n = 0;
        foreach (var (size, batches) in new[] { (SmallBatch, _small), (LargeBatch, _large) })
        {
            for (var b = 0; b < Batches; b++)
            {
                batches.Add(MakeBatch(size, random, received, kinds, ref n));
            }
        }
    }

    private static IngestItem[] MakeBatch(int size, Random random, DateTimeOffset received, string[] kinds, ref int n)
    {
        var batch = new IngestItem[size];
        for (var i = 0; i < size; i++, n++)
        {
            var host = random.Next(1_500);
            var ts = received.AddMilliseconds(n);
            var source = random.Next(10) == 0 ? new IPAddress([10, 20, (byte)random.Next(256), (byte)random.Next(1, 255)]) : null;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"<54>{ts:MMM dd HH:mm:ss} SEPM01 SymantecServer: PC-{host:D4},Event Description: Threat found,Local Host IP: 10.1.{host / 250}.{host % 250},Local Port: {random.Next(1024, 65535)},Remote Host IP: {source?.ToString() ?? "0.0.0.0"},Remote Port: 445,Direction: Inbound,Application: C:\\Windows\\System32\\svchost.exe,Action: Blocked,Risk name: W32.Downadup.B,File path: C:\\Users\\user{host}\\AppData\\Local\\Temp\\{random.NextInt64():x16}.exe,Occurrences: 1,Begin: {ts:yyyy-MM-dd HH:mm:ss},");
            line += new string('.', Math.Max(0, 500 - line.Length));
            var evt = new SecurityEvent
            {
                Kind = kinds[random.Next(kinds.Length)],
                Format = EventFormats.Sep,
                Timestamp = ts,
                Ingested = received.AddTicks(n * 17L),
                Original = line,
                HostName = string.Create(CultureInfo.InvariantCulture, $"PC-{host:D4}"),
                HostIp = new IPAddress([10, 1, (byte)(host / 250), (byte)(host % 250)]),
                SourceIp = source,
            };
            batch[i] = IngestItem.ForEvent(evt, null, "syslog-tcp");
        }

    return batch;
}

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = SmallBatch)]
    public ValueTask Append1000() => _store!.AppendAsync(NextBatch(_small), CancellationToken.None);

    [Benchmark(OperationsPerInvoke = LargeBatch)]
    public ValueTask Append10000() => _store!.AppendAsync(NextBatch(_large), CancellationToken.None);

    /// <summary>
    /// The next prepared batch, its event times moved past everything appended so far: a reused
    /// batch with old times would insert into the middle of the time indexes, which live ingest does not.
    /// </summary>
    private IngestItem[] NextBatch(List<IngestItem[]> batches)
    {
        var batch = batches[_next++ % Batches];
        if (_next > Batches)
        {
            var shift = TimeSpan.FromMilliseconds((double)Batches * batch.Length);
            foreach (var item in batch)
            {
                item.Event!.Timestamp += shift;
            }
        }

        return batch;
    }
}
