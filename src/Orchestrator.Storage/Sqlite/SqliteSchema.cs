using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>Connection settings and the versioned schema of <c>events.db</c> (<c>PRAGMA user_version</c>).</summary>
internal static class SqliteSchema
{
    public const string FileName = "events.db";

    /// <summary>Page-cache bound of each read connection, in KiB.</summary>
    public const int ReaderCacheKib = 16_000;

    /// <summary>
    /// Page-cache bound of the one writer connection, in KiB. Appends write a block's few pages at
    /// the end of the file and touch one small index, so the writer needs little cache.
    /// </summary>
    public const int WriterCacheKib = 2_048;

    public const int BusyTimeoutMs = 5_000;

    /// <summary>
    /// Bytes per page for new databases. A block's compressed records (~50–250 KB) span a few
    /// large overflow pages instead of dozens of small ones: fewer WAL frames and syscalls per
    /// commit (measured with the v1 layout: 9.1 us per event at 4 KiB, 5.9 us at 32 KiB).
    /// </summary>
    public const int PageSize = 32_768;

    /// <summary>
    /// Step N (index N-1) moves the schema from version N-1 to N inside one transaction. Append
    /// steps; never edit a released one.
    /// </summary>
    private static readonly Action<SqliteConnection, SqliteTransaction>[] Migrations =
    [
        (connection, tx) => Execute(connection, Version1, tx),
        (connection, tx) => MoveEventsIntoBlocks(connection, tx),
        (connection, tx) => Execute(connection, Version3RuleState, tx),
        (connection, tx) => Execute(connection, SqliteRunStore.Schema, tx),
        (connection, tx) => Execute(connection, SqliteRunStore.PagesSchema, tx),
        (connection, tx) => Execute(connection, SqliteContainmentLedger.Schema, tx),
        (connection, tx) => Execute(connection, SqliteContainmentLedger.TargetIndex, tx),
        (connection, tx) => Execute(connection, Version8Detection, tx),
        (connection, tx) => Execute(connection, SqliteFirstSeenStore.Schema, tx),
    ];

    // Version 1 kept one row per event with four indexes; version 2 replaced it (ADR 0006) and
    // converts a version-1 file on open.
    // Times: ts_ms is @timestamp in Unix milliseconds (what queries and retention compare);
    // ingested_ticks and received_ticks are 100 ns units since the Unix epoch so the receive
    // time handed back to the parser on re-read is exactly the one it saw first.
    private const string Version1 =
        """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE terms(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
        CREATE TABLE contexts(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
        CREATE TABLE hosts(id INTEGER PRIMARY KEY, name TEXT NOT NULL, ip TEXT NOT NULL, UNIQUE(name, ip));
        CREATE INDEX hosts_name ON hosts(name COLLATE NOCASE);
        CREATE INDEX hosts_ip ON hosts(ip);
        CREATE TABLE events(
            id INTEGER PRIMARY KEY,
            ts_ms INTEGER NOT NULL,
            ingested_ticks INTEGER NOT NULL,
            kind INTEGER NOT NULL REFERENCES terms(id),
            format INTEGER NOT NULL REFERENCES terms(id),
            listener INTEGER NOT NULL REFERENCES terms(id),
            host_id INTEGER REFERENCES hosts(id),
            source_ip TEXT,
            context_id INTEGER REFERENCES contexts(id),
            original TEXT NOT NULL);
        CREATE INDEX events_ts ON events(ts_ms);
        CREATE INDEX events_kind_ts ON events(kind, ts_ms);
        CREATE INDEX events_host ON events(host_id) WHERE host_id IS NOT NULL;
        CREATE INDEX events_source_ip ON events(source_ip) WHERE source_ip IS NOT NULL;
        CREATE TABLE dead_letters(
            id INTEGER PRIMARY KEY,
            received_ticks INTEGER NOT NULL,
            listener TEXT NOT NULL,
            format TEXT,
            reason TEXT NOT NULL,
            raw BLOB NOT NULL);
        CREATE INDEX dead_letters_received ON dead_letters(received_ticks);
        """;

    // One row per committed batch of events (at most EventAppender.MaxBlockEvents): the event ids
    // first_id..last_id (gaps where retention removed some), the @timestamp range in Unix ms,
    // the key filter (BlockKeyFilter) and the LZ4-compressed records (EventBlockBuilder).
    private const string Version2Blocks = """
        CREATE TABLE event_blocks(
            first_id INTEGER PRIMARY KEY,
            last_id INTEGER NOT NULL,
            count INTEGER NOT NULL,
            ts_min INTEGER NOT NULL,
            ts_max INTEGER NOT NULL,
            filter BLOB NOT NULL,
            payload_bytes INTEGER NOT NULL,
            payload BLOB NOT NULL);
        CREATE INDEX event_blocks_ts_max ON event_blocks(ts_max);
        """;

    // The rules engine's state (one row: the checkpoint, the highest event id it reflects, and the
    // serialised windows) and its decisions, written in one transaction (SqliteRuleStateStore).
    // Times: ts_ms is the deciding event's @timestamp, recorded_ticks the wall time of the commit.
    private const string Version3RuleState = """
        CREATE TABLE rule_state(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            checkpoint INTEGER NOT NULL,
            saved_ticks INTEGER NOT NULL,
            state BLOB NOT NULL);
        CREATE TABLE rule_decisions(
            id INTEGER PRIMARY KEY,
            rule_id TEXT NOT NULL,
            group_key TEXT NOT NULL,
            event_id INTEGER NOT NULL,
            ts_ms INTEGER NOT NULL,
            mode TEXT NOT NULL,
            recorded_ticks INTEGER NOT NULL,
            window TEXT NOT NULL,
            UNIQUE(rule_id, group_key, event_id));
        CREATE INDEX rule_decisions_ts ON rule_decisions(ts_ms);
        """;

    // The detectors' derived events are stored once per key (EventAppender skips a repeat), and
    // their state row says up to which event id they have processed and that event's @timestamp
    // (ts_ms), from which the live windows are rebuilt at start.
    private const string Version8Detection = """
        CREATE TABLE derived_keys(key TEXT PRIMARY KEY, event_id INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE detection_state(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            checkpoint INTEGER NOT NULL,
            ts_ms INTEGER NOT NULL);
        """;

    public static int CurrentVersion => Migrations.Length;

    public static string ConnectionString(string path, bool readOnly) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
        Pooling = false,
        DefaultTimeout = BusyTimeoutMs / 1000,
    }.ToString();

    /// <summary>A write connection of its own on <paramref name="path"/> (the CLI, tests), configured and migrated.</summary>
    public static SqliteConnection OpenWriter(string path, SqliteSynchronous synchronous)
    {
        var connection = new SqliteConnection(ConnectionString(path, readOnly: false));
        try
        {
            connection.Open();
            ConfigureConnection(connection, synchronous, WriterCacheKib);
            Migrate(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Per-connection settings; the journal mode and auto_vacuum live in the file.</summary>
    public static void ConfigureConnection(SqliteConnection connection, SqliteSynchronous synchronous, int cacheKib)
    {
        var sync = synchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL";
        // One statement per command: each pragma must take effect, and a multi-statement text hides a failure.
        Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={BusyTimeoutMs}"));
        Execute(connection, "PRAGMA temp_store=MEMORY");
        Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size=-{cacheKib}"));
        Execute(connection, "PRAGMA synchronous=" + sync);
    }

    /// <summary>Creates or upgrades the schema on the writer connection (tests may stop at an older version).</summary>
    public static void Migrate(SqliteConnection connection, int? stopAtVersion = null)
    {
        var targetVersion = stopAtVersion ?? CurrentVersion;
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"{connection.DataSource} has schema version {version}, newer than this build knows ({CurrentVersion}); run a newer Orchestrator or restore a matching backup.");
        }

        if (version == 0)
        {
            // Both only take effect before the first table exists (page_size also not once in WAL mode),
            // which is why they precede the WAL switch and step 1.
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA page_size={PageSize}"));
            Execute(connection, "PRAGMA auto_vacuum=INCREMENTAL");
        }

        Execute(connection, "PRAGMA journal_mode=WAL");

        for (var step = version; step < targetVersion; step++)
        {
            using var tx = connection.BeginTransaction();
            Migrations[step](connection, tx);
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version={step + 1}"), tx);
            tx.Commit();
        }
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Only constant schema and pragma text reaches here; values never do.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Only constant text reaches here; values never do.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command.ExecuteScalar();
    }

    /// <summary>Schema step 2: the version-1 event rows become blocks, ids and all, and the old tables go.</summary>
    private static void MoveEventsIntoBlocks(SqliteConnection connection, SqliteTransaction tx)
    {
        Execute(connection, Version2Blocks, tx);

        using var read = connection.CreateCommand();
        read.Transaction = tx;
        read.CommandText = """
            SELECT e.id, e.ts_ms, e.ingested_ticks, e.kind, e.format, e.listener, e.context_id, k.text, h.name, h.ip, e.source_ip, e.original
            FROM events e JOIN terms k ON k.id = e.kind LEFT JOIN hosts h ON h.id = e.host_id
            ORDER BY e.id
            """;
        using var write = connection.CreateCommand();
        write.Transaction = tx;
        write.CommandText = """
            INSERT INTO event_blocks(first_id, last_id, count, ts_min, ts_max, filter, payload_bytes, payload)
            VALUES($first, $last, $count, $min, $max, $filter, $bytes, $payload)
            """;

        var block = new EventBlockBuilder();
        using (var rows = read.ExecuteReader())
        {
            while (rows.Read())
            {
                if (block.Count == EventAppender.MaxBlockEvents)
                {
                    InsertBlock(write, block);
                    block.Clear();
                }

                var hostName = rows.IsDBNull(8) || rows.GetString(8).Length == 0 ? null : rows.GetString(8);
                var hostIp = rows.IsDBNull(9) || rows.GetString(9).Length == 0 ? null : IPAddress.Parse(rows.GetString(9));
                var sourceIp = rows.IsDBNull(10) ? null : IPAddress.Parse(rows.GetString(10));
                var codes = new RecordCodes(rows.GetInt64(3), rows.GetInt64(4), rows.GetInt64(5), rows.IsDBNull(6) ? 0 : rows.GetInt64(6));
                block.Add(rows.GetInt64(0), rows.GetInt64(1), rows.GetInt64(2), codes, rows.GetString(7), hostName, hostIp, sourceIp, rows.GetString(11));
            }
        }

        if (block.Count > 0)
        {
            InsertBlock(write, block);
        }

        // The id high-water mark survives the old table: ids are never reused.
        Execute(connection, """
            INSERT INTO meta(key, value) SELECT 'events.last_id', max(id) FROM events WHERE true HAVING count(*) > 0
            ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)
            """, tx);
        Execute(connection, "DROP TABLE events; DROP TABLE hosts;", tx);
    }

    private static void InsertBlock(SqliteCommand write, EventBlockBuilder block)
    {
        write.Parameters.Clear();
        write.Parameters.AddWithValue("$first", block.FirstId);
        write.Parameters.AddWithValue("$last", block.LastId);
        write.Parameters.AddWithValue("$count", block.Count);
        write.Parameters.AddWithValue("$min", block.MinTimestampMs);
        write.Parameters.AddWithValue("$max", block.MaxTimestampMs);
        write.Parameters.AddWithValue("$filter", block.BuildFilter());
        write.Parameters.AddWithValue("$bytes", block.UncompressedBytes);
        write.Parameters.AddWithValue("$payload", block.Compress().ToArray());
        write.ExecuteNonQuery();
    }
}
