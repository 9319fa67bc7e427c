using Microsoft.Data.Sqlite;
using Orchestrator.Core.Detection.FirstSeen;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The first-seen registry in the service's SQLite file (tables <c>first_seen_*</c>, schema version 9),
/// written through the event store's write connection in the service, or a connection of its own for
/// the CLI and tests.
/// </summary>
public sealed class SqliteFirstSeenStore : IFirstSeenStore, IDisposable
{
    private readonly SqliteWriter _writer;

    /// <summary>Writes through the write connection of the running service's event store.</summary>
    public SqliteFirstSeenStore(SqliteEventStore events) => _writer = SqliteWriter.Shared(events);

    /// <summary>Opens <paramref name="databasePath"/> on a connection of its own (the CLI, tests, benchmarks).</summary>
    public SqliteFirstSeenStore(string databasePath, SqliteSynchronous synchronous) => _writer = SqliteWriter.Open(databasePath, synchronous);

    // Ids are the registry's own (dense, in the order first recorded), so a load rebuilds it as it was.
    // Times are UTC in 100 ns units since the Unix epoch: what the registry compares, kept exactly.
    // first_seen_on_host is the (executable, host) pair with the first run there.
    internal const string Schema = """
        CREATE TABLE first_seen_state(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            checkpoint INTEGER NOT NULL);
        CREATE TABLE first_seen_hosts(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE);
        CREATE TABLE first_seen_entries(
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            sha256 TEXT,
            path TEXT,
            name TEXT,
            signer TEXT,
            first_seen_ticks INTEGER NOT NULL,
            first_host TEXT,
            first_event_id INTEGER NOT NULL,
            last_seen_ticks INTEGER NOT NULL,
            host_count INTEGER NOT NULL);
        CREATE TABLE first_seen_on_host(
            entry_id INTEGER NOT NULL,
            host_id INTEGER NOT NULL,
            first_seen_ticks INTEGER NOT NULL,
            PRIMARY KEY(entry_id, host_id)) WITHOUT ROWID;
        """;

    private static readonly long UnixEpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    public async ValueTask<FirstSeenRecords> LoadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _writer.RunAsync(connection =>
        {
            using var tx = connection.BeginTransaction();
            var checkpoint = SqliteSchema.Scalar(connection, "SELECT checkpoint FROM first_seen_state WHERE id = 1", tx) is long saved ? saved : 0;

            var hosts = new List<FirstSeenHost>();
            ReadRows(connection, tx, "SELECT id, name FROM first_seen_hosts ORDER BY id", rows => hosts.Add(new FirstSeenHost(rows.GetInt32(0), rows.GetString(1))));

            var entries = new List<FirstSeenEntry>();
            ReadRows(connection, tx, """
                SELECT id, key, sha256, path, name, signer, first_seen_ticks, first_host, first_event_id, last_seen_ticks, host_count
                FROM first_seen_entries ORDER BY id
                """, rows => entries.Add(new FirstSeenEntry(
                    rows.GetInt32(0),
                    rows.GetString(1),
                    TextOrNull(rows, 2),
                    TextOrNull(rows, 3),
                    TextOrNull(rows, 4),
                    TextOrNull(rows, 5),
                    Time(rows.GetInt64(6)),
                    TextOrNull(rows, 7),
                    rows.GetInt64(8),
                    Time(rows.GetInt64(9)),
                    rows.GetInt32(10),
                    AllowedBy: null)));

            var sightings = new List<FirstSeenOnHost>();
            ReadRows(connection, tx, "SELECT entry_id, host_id, first_seen_ticks FROM first_seen_on_host", rows =>
                sightings.Add(new FirstSeenOnHost(rows.GetInt32(0), rows.GetInt32(1), Time(rows.GetInt64(2)))));

            tx.Commit();
            return new FirstSeenRecords(checkpoint, hosts, entries, sightings);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SaveAsync(FirstSeenRecords changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        cancellationToken.ThrowIfCancellationRequested();
        await _writer.RunAsync(connection =>
        {
            using var tx = connection.BeginTransaction();
            SaveHosts(connection, tx, changes.Hosts);
            SaveEntries(connection, tx, changes.Entries);
            SaveSightings(connection, tx, changes.Sightings);
            using (var checkpoint = Command(connection, tx, """
                INSERT INTO first_seen_state(id, checkpoint) VALUES(1, $checkpoint)
                ON CONFLICT(id) DO UPDATE SET checkpoint = max(checkpoint, excluded.checkpoint)
                """))
            {
                checkpoint.Parameters.AddWithValue("$checkpoint", changes.Checkpoint);
                checkpoint.ExecuteNonQuery();
            }

            tx.Commit();
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _writer.Dispose();

    private static void SaveHosts(SqliteConnection connection, SqliteTransaction tx, IReadOnlyList<FirstSeenHost> hosts)
    {
        if (hosts.Count == 0)
        {
            return;
        }

        // A host saved before under the same id is the same host; the same name under another id fails the commit.
        using var insert = Command(connection, tx, "INSERT INTO first_seen_hosts(id, name) VALUES($id, $name) ON CONFLICT(id) DO NOTHING");
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        foreach (var host in hosts)
        {
            id.Value = host.Id;
            name.Value = host.Name;
            insert.ExecuteNonQuery();
        }
    }

    private static void SaveEntries(SqliteConnection connection, SqliteTransaction tx, IReadOnlyList<FirstSeenEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        // Order-proof: the earliest sighting's fields move only with a lower first seen, and last seen
        // and the host count only go up, so an old change set saved late undoes nothing.
        using var upsert = Command(connection, tx, """
            INSERT INTO first_seen_entries(id, key, sha256, path, name, signer, first_seen_ticks, first_host, first_event_id, last_seen_ticks, host_count)
            VALUES($id, $key, $sha256, $path, $name, $signer, $first, $host, $event, $last, $count)
            ON CONFLICT(id) DO UPDATE SET
                path = iif(excluded.first_seen_ticks < first_seen_ticks, excluded.path, path),
                name = iif(excluded.first_seen_ticks < first_seen_ticks, excluded.name, name),
                signer = iif(excluded.first_seen_ticks < first_seen_ticks, excluded.signer, signer),
                first_host = iif(excluded.first_seen_ticks < first_seen_ticks, excluded.first_host, first_host),
                first_event_id = iif(excluded.first_seen_ticks < first_seen_ticks, excluded.first_event_id, first_event_id),
                first_seen_ticks = min(first_seen_ticks, excluded.first_seen_ticks),
                last_seen_ticks = max(last_seen_ticks, excluded.last_seen_ticks),
                host_count = max(host_count, excluded.host_count)
            """);
        var id = upsert.Parameters.Add("$id", SqliteType.Integer);
        var key = upsert.Parameters.Add("$key", SqliteType.Text);
        var sha256 = upsert.Parameters.Add("$sha256", SqliteType.Text);
        var path = upsert.Parameters.Add("$path", SqliteType.Text);
        var name = upsert.Parameters.Add("$name", SqliteType.Text);
        var signer = upsert.Parameters.Add("$signer", SqliteType.Text);
        var first = upsert.Parameters.Add("$first", SqliteType.Integer);
        var host = upsert.Parameters.Add("$host", SqliteType.Text);
        var evt = upsert.Parameters.Add("$event", SqliteType.Integer);
        var last = upsert.Parameters.Add("$last", SqliteType.Integer);
        var count = upsert.Parameters.Add("$count", SqliteType.Integer);
        foreach (var entry in entries)
        {
            id.Value = entry.Id;
            key.Value = entry.Key;
            sha256.Value = (object?)entry.Sha256 ?? DBNull.Value;
            path.Value = (object?)entry.Path ?? DBNull.Value;
            name.Value = (object?)entry.Name ?? DBNull.Value;
            signer.Value = (object?)entry.Signer ?? DBNull.Value;
            first.Value = Ticks(entry.FirstSeen);
            host.Value = (object?)entry.FirstHost ?? DBNull.Value;
            evt.Value = entry.FirstEventId;
            last.Value = Ticks(entry.LastSeen);
            count.Value = entry.HostCount;
            upsert.ExecuteNonQuery();
        }
    }

    private static void SaveSightings(SqliteConnection connection, SqliteTransaction tx, IReadOnlyList<FirstSeenOnHost> sightings)
    {
        if (sightings.Count == 0)
        {
            return;
        }

        using var upsert = Command(connection, tx, """
            INSERT INTO first_seen_on_host(entry_id, host_id, first_seen_ticks) VALUES($entry, $host, $first)
            ON CONFLICT(entry_id, host_id) DO UPDATE SET first_seen_ticks = min(first_seen_ticks, excluded.first_seen_ticks)
            """);
        var entry = upsert.Parameters.Add("$entry", SqliteType.Integer);
        var host = upsert.Parameters.Add("$host", SqliteType.Integer);
        var first = upsert.Parameters.Add("$first", SqliteType.Integer);
        foreach (var sighting in sightings)
        {
            entry.Value = sighting.EntryId;
            host.Value = sighting.HostId;
            first.Value = Ticks(sighting.FirstSeen);
            upsert.ExecuteNonQuery();
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
#pragma warning disable CA2100 // Only this class's constant SQL reaches here; values are bound.
        command.CommandText = sql;
#pragma warning restore CA2100
        return command;
    }

    private static void ReadRows(SqliteConnection connection, SqliteTransaction tx, string sql, Action<SqliteDataReader> row)
    {
        using var command = Command(connection, tx, sql);
        using var rows = command.ExecuteReader();
        while (rows.Read())
        {
            row(rows);
        }
    }

    private static string? TextOrNull(SqliteDataReader rows, int ordinal) => rows.IsDBNull(ordinal) ? null : rows.GetString(ordinal);

    private static long Ticks(DateTimeOffset time) => time.UtcTicks - UnixEpochTicks;

    private static DateTimeOffset Time(long ticks) => new(ticks + UnixEpochTicks, TimeSpan.Zero);
}
