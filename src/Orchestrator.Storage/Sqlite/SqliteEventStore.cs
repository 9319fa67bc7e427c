using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The embedded event store: one SQLite file in WAL mode, the raw line kept once beside a few
/// indexed columns, events rebuilt on read by parsing the line again. One writer connection
/// (appends and retention take turns on it); each query borrows its own read connection.
/// </summary>
public sealed class SqliteEventStore : IEventStore
{
    /// <summary>The label set on an event whose stored line no longer parses.</summary>
    public const string ReparseErrorLabel = "orchestrator.reparse_error";

    private const int RetentionChunkRows = 50_000;
    private const int MaxPooledReaders = 4;
    private const int MaxCachedIds = 65_536;
    private const string LastEventIdKey = "events.last_id";
    private const string LastDeadLetterIdKey = "dead_letters.last_id";

    private const string SelectEvents = """
        SELECT e.id, e.ts_ms, e.ingested_ticks, k.text, f.text, h.name, h.ip, e.source_ip, c.text, e.original
        FROM events e
        JOIN terms k ON k.id = e.kind
        JOIN terms f ON f.id = e.format
        LEFT JOIN hosts h ON h.id = e.host_id
        LEFT JOIN contexts c ON c.id = e.context_id
        """;

    private readonly ParserRegistry _registry;
    private readonly SqliteSynchronous _synchronous;
    private readonly string _readConnectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Stack<SqliteConnection> _readers = new();
    private readonly EventInserter _inserter;
    private bool _disposed;

    /// <summary>Opens (creating when missing) <c>events.db</c> in the configured directory and brings its schema up to date.</summary>
    public SqliteEventStore(SqliteEventStoreOptions options, ParserRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        options.Validate();

        _registry = registry;
        _synchronous = options.Synchronous;
        Directory.CreateDirectory(options.DataDirectory);
        DatabasePath = Path.GetFullPath(Path.Combine(options.DataDirectory, SqliteSchema.FileName));
        _readConnectionString = SqliteSchema.ConnectionString(DatabasePath, readOnly: true);

        _writer = new SqliteConnection(SqliteSchema.ConnectionString(DatabasePath, readOnly: false));
        try
        {
            _writer.Open();
            // cache_size alone did not bound the page cache here (it grew with the database, ~500 MB per
            // million events); the soft heap limit makes SQLite evict clean pages instead. It is process-wide.
            SQLitePCL.raw.sqlite3_soft_heap_limit64(options.MemoryLimitBytes);
            SqliteSchema.ConfigureConnection(_writer, _synchronous, SqliteSchema.WriterCacheKib);
            SqliteSchema.Migrate(_writer);
            _inserter = new EventInserter(_writer, MaxCachedIds);
            _inserter.LastEventId = Math.Max(ReadLong(_writer, "SELECT max(id) FROM events"), ReadMeta(_writer, LastEventIdKey));
            _inserter.LastDeadLetterId = Math.Max(ReadLong(_writer, "SELECT max(id) FROM dead_letters"), ReadMeta(_writer, LastDeadLetterIdKey));
        }
        catch
        {
            // Statements must be finalized before the connection closes.
            _inserter?.Dispose();
            _writer.Dispose();
            throw;
        }
    }

    /// <summary>The full path of <c>events.db</c>.</summary>
    public string DatabasePath { get; }

    public async ValueTask AppendAsync(IReadOnlyList<IngestItem> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            if ((item.Event is null) == (item.DeadLetter is null) || item.Listener is null)
            {
                throw new ArgumentException($"batch item {i} carries neither an event nor a dead letter; build items with IngestItem.ForEvent or ForDeadLetter.", nameof(batch));
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            _inserter.Append(batch);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public ValueTask<IReadOnlyList<SecurityEvent>> QueryAsync(EventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();

        var sql = new StringBuilder(SelectEvents);
        var where = " WHERE ";
        var reader = RentReader();
        try
        {
            using var command = reader.CreateCommand();
            if (query.Kind is not null)
            {
                sql.Append(where).Append("e.kind = (SELECT id FROM terms WHERE text = $kind)");
                command.Parameters.AddWithValue("$kind", query.Kind);
                where = " AND ";
            }

            if (query.Host is not null)
            {
                // NOCASE folds ASCII only, which is what host names are.
                sql.Append(where).Append("e.host_id IN (SELECT id FROM hosts WHERE name = $host COLLATE NOCASE OR ip = $hostIp)");
                command.Parameters.AddWithValue("$host", query.Host);
                command.Parameters.AddWithValue("$hostIp", IPAddress.TryParse(query.Host, out var hostIp) ? IpText(hostIp) : DBNull.Value);

                where = " AND ";
            }

            if (query.SourceIp is not null)
            {
                sql.Append(where).Append("e.source_ip = $sourceIp");
                command.Parameters.AddWithValue("$sourceIp", IpText(query.SourceIp));
                where = " AND ";
            }

            if (query.From is { } from)
            {
                sql.Append(where).Append("e.ts_ms >= $from");
                command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
                where = " AND ";
            }

            if (query.To is { } to)
            {
                sql.Append(where).Append("e.ts_ms < $to");
                command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            }

            sql.Append(" ORDER BY e.ts_ms DESC, e.id DESC LIMIT $limit");
            command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, EventQuery.MaxLimit));
#pragma warning disable CA2100 // Built only from the constant fragments above; every value is a parameter.
            command.CommandText = sql.ToString();
#pragma warning restore CA2100

            var events = new List<SecurityEvent>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                if ((events.Count & 1023) == 1023)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                events.Add(ReadEvent(rows));
            }

            return ValueTask.FromResult<IReadOnlyList<SecurityEvent>>(events);
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    public ValueTask<SecurityEvent?> GetAsync(long id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var reader = RentReader();
        try
        {
            using var command = reader.CreateCommand();
            command.CommandText = SelectEvents + " WHERE e.id = $id";
            command.Parameters.AddWithValue("$id", id);
            using var rows = command.ExecuteReader();
            return ValueTask.FromResult(rows.Read() ? ReadEvent(rows) : null);
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    public ValueTask<IReadOnlyList<DeadLetter>> QueryDeadLettersAsync(int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var reader = RentReader();
        try
        {
            using var command = reader.CreateCommand();
            command.CommandText = """
                SELECT id, received_ticks, listener, format, reason, raw FROM dead_letters
                ORDER BY received_ticks DESC, id DESC LIMIT $limit
                """;
            command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, EventQuery.MaxLimit));
            var letters = new List<DeadLetter>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                letters.Add(new DeadLetter(
                    FromTicks(rows.GetInt64(1)),
                    rows.GetString(2),
                    rows.IsDBNull(3) ? null : rows.GetString(3),
                    rows.GetString(4),
                    (byte[])rows.GetValue(5))
                {
                    Id = rows.GetInt64(0),
                });
            }

            return ValueTask.FromResult<IReadOnlyList<DeadLetter>>(letters);
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    public ValueTask<StoreCounts> CountAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var reader = RentReader();
        try
        {
            // One read transaction so both counts describe the same moment.
            using var tx = reader.BeginTransaction(deferred: true);
            var events = ReadLong(reader, "SELECT count(*) FROM events", tx);
            var deadLetters = ReadLong(reader, "SELECT count(*) FROM dead_letters", tx);
            tx.Commit();
            return ValueTask.FromResult(new StoreCounts(events, deadLetters));
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    public async ValueTask<RetentionResult> ApplyRetentionAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        cancellationToken.ThrowIfCancellationRequested();
        if (policy.MaxAge is { } age && age < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), age, "retention MaxAge must not be negative.");
        }

        if (policy.MaxBytes is { } bytes && bytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), bytes, "retention MaxBytes must be positive.");
        }

        long eventsDeleted = 0;
        long deadLettersDeleted = 0;
        if (policy.MaxAge is { } maxAge)
        {
            var cutoff = maxAge >= now - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : now - maxAge;
            eventsDeleted += await DeleteInChunksAsync(
                "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts_ms < $cutoff ORDER BY ts_ms LIMIT $n)",
                cutoff.ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            deadLettersDeleted += await DeleteInChunksAsync(
                "DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE received_ticks < $cutoff ORDER BY received_ticks LIMIT $n)",
                ToTicks(cutoff), cancellationToken).ConfigureAwait(false);
        }

        if (policy.MaxBytes is { } maxBytes && FileBytes() > maxBytes)
        {
            var (events, letters) = await ShrinkToAsync(maxBytes, cancellationToken).ConfigureAwait(false);
            eventsDeleted += events;
            deadLettersDeleted += letters;
        }

        if (eventsDeleted + deadLettersDeleted > 0 || (policy.MaxBytes is { } bound && FileBytes() > bound))
        {
            await ReturnSpaceAsync(cancellationToken).ConfigureAwait(false);
        }

        return new RetentionResult(eventsDeleted, deadLettersDeleted);
    }

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            lock (_readers)
            {
                while (_readers.TryPop(out var reader))
                {
                    reader.Dispose();
                }
            }

            _inserter.Dispose();
            try
            {
                // Refreshes planner statistics (bounded work) and folds the WAL back into events.db
                // so the file is whole on its own after shutdown.
                SqliteSchema.Execute(_writer, "PRAGMA analysis_limit=400; PRAGMA optimize;");
                SqliteSchema.Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE)");
            }
            finally
            {
                _writer.Dispose();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Bytes on disk: <c>events.db</c> plus its WAL.</summary>
    internal long FileBytes()
    {
        var db = new FileInfo(DatabasePath);
        var wal = new FileInfo(DatabasePath + "-wal");
        return (db.Exists ? db.Length : 0) + (wal.Exists ? wal.Length : 0);
    }

    private async ValueTask<long> DeleteInChunksAsync(string sql, long cutoff, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int deleted;
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfDisposed();
                deleted = DeleteChunk(sql, cutoff, RetentionChunkRows);
            }
            finally
            {
                _writeLock.Release();
            }

            total += deleted;
            if (deleted < RetentionChunkRows)
            {
                return total;
            }
        }
    }

    private async ValueTask<(long Events, long DeadLetters)> ShrinkToAsync(long maxBytes, CancellationToken cancellationToken)
    {
        long events = 0;
        long letters = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfDisposed();

                // Pages in use, not the file length: freed pages only leave the file at the final
                // vacuum and checkpoint, so the file length would not move while we delete.
                var pageSize = ReadLong(_writer, "PRAGMA page_size");
                var usedBytes = (ReadLong(_writer, "PRAGMA page_count") - ReadLong(_writer, "PRAGMA freelist_count")) * pageSize;
                if (usedBytes <= maxBytes)
                {
                    return (events, letters);
                }

                var eventRows = ReadLong(_writer, "SELECT count(*) FROM events");
                var letterRows = eventRows == 0 ? ReadLong(_writer, "SELECT count(*) FROM dead_letters") : 0;
                var rows = eventRows + letterRows;
                if (rows == 0)
                {
                    return (events, letters);
                }

                // Deleting rows frees less than their average share (index pages stay partly full),
                // so aim a little past the bound and let the next round re-measure.
                var bytesPerRow = Math.Max(1.0, (double)usedBytes / rows);
                var wanted = (long)Math.Ceiling((usedBytes - maxBytes) / bytesPerRow * 1.1) + 1;
                var chunk = (int)Math.Clamp(wanted, 1, RetentionChunkRows);
                if (eventRows > 0)
                {
                    events += DeleteChunk("DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY ts_ms LIMIT $n)", 0, chunk);
                }
                else
                {
                    letters += DeleteChunk("DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters ORDER BY received_ticks LIMIT $n)", 0, chunk);
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }

    private async ValueTask ReturnSpaceAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();

            // incremental_vacuum moves the free pages to the end and cuts them off; in WAL mode the
            // main file only shrinks when that is checkpointed, hence vacuum first, then checkpoint.
            SqliteSchema.Execute(_writer, "PRAGMA incremental_vacuum");
            SqliteSchema.Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs one delete of at most <paramref name="limit"/> rows in its own transaction; call under the write lock.</summary>
    private int DeleteChunk(string sql, long cutoff, int limit)
    {
        using var tx = _writer.BeginTransaction();
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
#pragma warning disable CA2100 // Constant statements from this class; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Parameters.AddWithValue("$cutoff", cutoff);
        command.Parameters.AddWithValue("$n", limit);
        var deleted = command.ExecuteNonQuery();
        if (deleted > 0)
        {
            // Ids are never reused, even when the newest row is deleted: remember the high-water marks.
            WriteMeta(LastEventIdKey, _inserter.LastEventId, tx);
            WriteMeta(LastDeadLetterIdKey, _inserter.LastDeadLetterId, tx);
        }

        tx.Commit();
        return deleted;
    }

    private void WriteMeta(string key, long value, SqliteTransaction tx)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO meta(key, value) VALUES($key, $value) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private static long ReadMeta(SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() is long value ? value : 0;
    }

    private static long ReadLong(SqliteConnection connection, string sql, SqliteTransaction? tx = null) =>
        SqliteSchema.Scalar(connection, sql, tx) is long value ? value : 0;

    private SecurityEvent ReadEvent(SqliteDataReader row)
    {
        var id = row.GetInt64(0);
        var ingested = FromTicks(row.GetInt64(2));
        var kind = row.GetString(3);
        var format = row.GetString(4);
        var context = row.IsDBNull(8) ? null : row.GetString(8);
        var original = row.GetString(9);

        string reason;
        try
        {
            var result = _registry.Get(format).Parse(new RawInput(original, ingested, context));
            if (result.Outcome == ParseOutcome.Event && result.Event is { } evt)
            {
                evt.Id = id;
                return evt;
            }

            reason = result.Outcome == ParseOutcome.Rejected
                ? $"the {format} parser now rejects the stored line: {result.Error}"
                : $"the {format} parser now reads the stored line as {result.Outcome}, not an event";
        }
#pragma warning disable CA1031 // A stored event is never dropped: whatever the parser throws becomes the label.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            reason = $"parsing the stored line with '{format}' failed: {ex.Message}";
        }

        var fallback = new SecurityEvent
        {
            Id = id,
            Kind = kind,
            Format = format,
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(1)),
            Ingested = ingested,
            Original = original,
            HostName = row.IsDBNull(5) || row.GetString(5).Length == 0 ? null : row.GetString(5),
            HostIp = row.IsDBNull(6) || row.GetString(6).Length == 0 ? null : IPAddress.Parse(row.GetString(6)),
            SourceIp = row.IsDBNull(7) ? null : IPAddress.Parse(row.GetString(7)),
        };
        fallback.SetLabel(ReparseErrorLabel, reason);
        return fallback;
    }

    private SqliteConnection RentReader()
    {
        lock (_readers)
        {
            if (_readers.TryPop(out var pooled))
            {
                return pooled;
            }
        }

        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            connection.Open();
            SqliteSchema.ConfigureConnection(connection, _synchronous, SqliteSchema.ReaderCacheKib);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void ReturnReader(SqliteConnection connection)
    {
        lock (_readers)
        {
            if (!_disposed && _readers.Count < MaxPooledReaders)
            {
                _readers.Push(connection);
                return;
            }
        }

        connection.Dispose();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    internal static string? IpText(IPAddress? ip) =>
        ip is null ? null : (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString();

    internal static long ToTicks(DateTimeOffset time) => time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    internal static DateTimeOffset FromTicks(long ticks) => new(ticks + DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.Zero);
}
