using System.Globalization;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests.Sqlite;

/// <summary>A temporary data directory and helpers to open stores in it and build events; deleted on dispose.</summary>
internal sealed class StoreFixture : IDisposable
{
    public static readonly DateTimeOffset Received = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public StoreFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "orch-store-" + Guid.NewGuid().ToString("N"));
    }

    public string Directory { get; }

    public static ParserRegistry Registry { get; } = new([new PipeParser()]);

    public SqliteEventStore Open(ParserRegistry? registry = null, SqliteSynchronous synchronous = SqliteSynchronous.Full) =>
        new(new SqliteEventStoreOptions { DataDirectory = Directory, Synchronous = synchronous }, registry ?? Registry);

    /// <summary>An event as the pipe parser makes it, ready to append.</summary>
    public static SecurityEvent Event(long unixMs, string kind = EventKinds.Other, string host = "", string sourceIp = "", string text = "x", string? context = null)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{unixMs}|{kind}|{host}|{sourceIp}|{text}");
        var result = Registry.Get(PipeParser.Name).Parse(new RawInput(line, Received, context));
        return result.Event ?? throw new InvalidOperationException(result.Error);
    }

    public static IngestItem Item(SecurityEvent evt, string? context = null, string listener = "test") =>
        IngestItem.ForEvent(evt, context, listener);

    /// <summary>A query straight on the file, to check what the store really wrote.</summary>
    public long CountRows(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Directory, "events.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Constant test SQL.
        command.CommandText = sql;
#pragma warning restore CA2100
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
