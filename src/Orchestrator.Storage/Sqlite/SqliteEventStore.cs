using Microsoft.Data.Sqlite;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Rules;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The embedded event store: one SQLite file in WAL mode. The events of a commit are stored as one
/// compressed block (ADR 0006) whose records keep the raw line and the few columns queries filter
/// on; events are rebuilt on read by parsing the line again. One writer connection (appends and
/// retention take turns on it); each query borrows its own read connection.
/// </summary>
public sealed class SqliteEventStore : IEventStore, IEventReplaySource
{
    /// <summary>The database file's name in the data directory.</summary>
    public const string FileName = SqliteSchema.FileName;

    /// <summary>The label set on an event whose stored line no longer parses.</summary>
    public const string ReparseErrorLabel = "orchestrator.reparse_error";

    private const int RetentionChunkBlocks = 64;
    private const int RetentionChunkDeadLetters = 50_000;
    private const int MaxPooledReaders = 4;
    private const int MaxCachedIds = 65_536;
    private const string LastEventIdKey = "events.last_id";
    private const string LastDeadLetterIdKey = "dead_letters.last_id";

    private readonly ParserRegistry _registry;
    private readonly SqliteSynchronous _synchronous;
    private readonly string _readConnectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Stack<SqliteConnection> _readers = new();
    private readonly EventAppender _appender;
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
            _appender = new EventAppender(_writer, MaxCachedIds);
            _appender.LastEventId = Math.Max(ReadLong(_writer, "SELECT max(last_id) FROM event_blocks"), ReadMeta(_writer, LastEventIdKey));
            _appender.LastDeadLetterId = Math.Max(ReadLong(_writer, "SELECT max(id) FROM dead_letters"), ReadMeta(_writer, LastDeadLetterIdKey));
        }
        catch
        {
            // Statements must be finalized before the connection closes.
            _appender?.Dispose();
            _writer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The one write connection of this database and its lock. The run and rule stores write
    /// through it too, so writers in one process queue on a lock (woken at once) instead of meeting
    /// at SQLite's busy timeout, which sleeps in steps of up to 100 ms and made the slowest run
    /// starts wait that long.
    /// </summary>
    internal (SqliteConnection Connection, SemaphoreSlim Lock) SharedWriter => (_writer, _writeLock);

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
            _appender.Append(batch);
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
        var reader = RentReader();
        try
        {
            // One read transaction so the blocks and the terms they name describe the same moment.
            using var tx = reader.BeginTransaction(deferred: true);
            var records = EventBlockSearch.Newest(reader, tx, query, cancellationToken);
            var names = new StoredNames(reader, tx);
            var events = new List<SecurityEvent>(records.Count);
            foreach (var record in records)
            {
                if ((events.Count & 1023) == 1023)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                events.Add(ReadEvent(record, names));
            }

            tx.Commit();
            return ValueTask.FromResult<IReadOnlyList<SecurityEvent>>(events);
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    /// <summary>
    /// Hands every stored event that matches <paramref name="query"/> (kind, host, source, time; the
    /// limit is ignored) to <paramref name="visit"/>, in id order, one at a time: for reports over
    /// a window that may hold millions of events. Returns how many were visited.
    /// </summary>
    public ValueTask<long> ScanAsync(EventQuery query, Action<SecurityEvent> visit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(visit);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var reader = RentReader();
        try
        {
            using var tx = reader.BeginTransaction(deferred: true);
            var names = new StoredNames(reader, tx);
            long visited = 0;
            EventBlockSearch.Scan(reader, tx, query, record =>
            {
                visit(ReadEvent(record, names));
                visited++;
            }, cancellationToken);
            tx.Commit();
            return ValueTask.FromResult(visited);
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    /// <summary>Stored events after an id in id order, for the rules engine's replay after its checkpoint.</summary>
    public ValueTask<IReadOnlyList<SecurityEvent>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var reader = RentReader();
        try
        {
            using var tx = reader.BeginTransaction(deferred: true);
            var records = EventBlockSearch.After(reader, tx, afterId, Math.Clamp(limit, 1, EventQuery.MaxLimit), cancellationToken);
            var names = new StoredNames(reader, tx);
            var events = new List<SecurityEvent>(records.Count);
            foreach (var record in records)
            {
                events.Add(ReadEvent(record, names));
            }

            tx.Commit();
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
            using var tx = reader.BeginTransaction(deferred: true);
            var record = EventBlockSearch.Get(reader, tx, id);
            var evt = record is null ? null : ReadEvent(record, new StoredNames(reader, tx));
            tx.Commit();
            return ValueTask.FromResult(evt);
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
            var events = ReadLong(reader, "SELECT sum(count) FROM event_blocks", tx);
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
            var cutoffMs = cutoff.ToUnixTimeMilliseconds();
            eventsDeleted += (await InChunksAsync(tx => DeleteBlocksOlderThan(cutoffMs, tx), cancellationToken).ConfigureAwait(false)).Events;
            eventsDeleted += (await InChunksAsync(tx => TrimBlocksAt(cutoffMs, tx), cancellationToken).ConfigureAwait(false)).Events;
            deadLettersDeleted += (await InChunksAsync(tx => DeleteDeadLetters(ToTicks(cutoff), RetentionChunkDeadLetters, tx), cancellationToken).ConfigureAwait(false)).DeadLetters;
        }

        if (policy.MaxBytes is { } maxBytes && FileBytes() > maxBytes)
        {
            var (events, letters) = await InChunksAsync(tx => ShrinkStep(maxBytes, tx), cancellationToken).ConfigureAwait(false);
            eventsDeleted += events;
            deadLettersDeleted += letters;
        }

        if (eventsDeleted > 0)
        {
            await InChunksAsync(DeleteDerivedKeysOfDeletedEvents, cancellationToken).ConfigureAwait(false);
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

            _appender.Dispose();
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

    /// <summary>
    /// Runs <paramref name="step"/> in transactions of its own under the write lock, letting appends
    /// in between, until it reports no more work; returns the events and dead letters it deleted.
    /// </summary>
    private async ValueTask<(long Events, long DeadLetters)> InChunksAsync(Func<SqliteTransaction, RetentionChunk> step, CancellationToken cancellationToken)
    {
        long events = 0;
        long letters = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RetentionChunk chunk;
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfDisposed();
                using var tx = _writer.BeginTransaction();
                chunk = step(tx);
                if (chunk.Events + chunk.DeadLetters > 0)
                {
                    // Ids are never reused, even when the newest row is deleted: remember the high-water marks.
                    WriteMeta(LastEventIdKey, _appender.LastEventId, tx);
                    WriteMeta(LastDeadLetterIdKey, _appender.LastDeadLetterId, tx);
                }

                tx.Commit();
                // The newest block may be gone or rewritten; the next append starts a new one.
                _appender.CloseOpenBlock();
            }
            finally
            {
                _writeLock.Release();
            }

            events += chunk.Events;
            letters += chunk.DeadLetters;
            if (!chunk.More)
            {
                return (events, letters);
            }
        }
    }

    /// <summary>
    /// A derived event's key is needed only while the detectors may process its event again, which is
    /// never once the event is gone; the first-seen record keeps an executable from being raised twice.
    /// </summary>
    private RetentionChunk DeleteDerivedKeysOfDeletedEvents(SqliteTransaction tx)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "DELETE FROM derived_keys WHERE event_id < (SELECT coalesce(min(first_id), 9223372036854775807) FROM event_blocks)";
        command.ExecuteNonQuery();
        return new RetentionChunk(0, 0, false);
    }

    /// <summary>
    /// The id to read after (<see cref="ReadAfterAsync"/>) so that every event with @timestamp at or
    /// after <paramref name="time"/> is read: the first id of the oldest block that reaches that time,
    /// less one (a few older events of that block come too). The last id stored when none does.
    /// </summary>
    public ValueTask<long> IdBeforeTimeAsync(DateTimeOffset time, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var reader = RentReader();
        try
        {
            using var command = reader.CreateCommand();
            command.CommandText = """
                SELECT coalesce((SELECT min(first_id) FROM event_blocks WHERE ts_max >= $ms) - 1,
                                (SELECT max(last_id) FROM event_blocks), 0)
                """;
            command.Parameters.AddWithValue("$ms", time.ToUnixTimeMilliseconds());
            return ValueTask.FromResult(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    /// <summary>Deletes blocks whose newest event is older than the cutoff; returns the events deleted.</summary>
    private RetentionChunk DeleteBlocksOlderThan(long cutoffMs, SqliteTransaction tx)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            DELETE FROM event_blocks WHERE first_id IN
                (SELECT first_id FROM event_blocks WHERE ts_max < $cutoff ORDER BY ts_max LIMIT $n)
            RETURNING count
            """;
        command.Parameters.AddWithValue("$cutoff", cutoffMs);
        command.Parameters.AddWithValue("$n", RetentionChunkBlocks);
        var (events, blocks) = DeleteReturningCounts(command);
        return new RetentionChunk(events, 0, blocks == RetentionChunkBlocks);
    }

    /// <summary>Rewrites blocks that hold events on both sides of the cutoff with only the newer ones.</summary>
    private RetentionChunk TrimBlocksAt(long cutoffMs, SqliteTransaction tx)
    {
        const int BlocksPerChunk = 8;
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            SELECT first_id, payload_bytes, payload FROM event_blocks
            WHERE ts_max >= $cutoff AND ts_min < $cutoff ORDER BY ts_max LIMIT $n
            """;
        command.Parameters.AddWithValue("$cutoff", cutoffMs);
        command.Parameters.AddWithValue("$n", BlocksPerChunk);
        var blocks = new List<(long FirstId, List<StoredRecord> Records)>();
        using (var rows = command.ExecuteReader())
        {
            while (rows.Read())
            {
                blocks.Add((rows.GetInt64(0), EventBlockSearch.All(rows, firstIdColumn: 0, bytesColumn: 1, payloadColumn: 2)));
            }
        }

        var names = new StoredNames(_writer, tx);
        var builder = new EventBlockBuilder();
        long deleted = 0;
        foreach (var (firstId, records) in blocks)
        {
            // The block keeps its key even when that event goes, so the kept ids still count from it.
            builder.Clear(firstId);
            foreach (var record in records)
            {
                if (record.TimestampMs >= cutoffMs)
                {
                    builder.Add(record, names.Term);
                }
            }

            deleted += records.Count - builder.Count;
            _appender.WriteBlock(builder);
        }

        return new RetentionChunk(deleted, 0, blocks.Count == BlocksPerChunk);
    }

    private RetentionChunk DeleteDeadLetters(long cutoffTicks, int limit, SqliteTransaction tx)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            DELETE FROM dead_letters WHERE id IN
                (SELECT id FROM dead_letters WHERE received_ticks < $cutoff ORDER BY received_ticks LIMIT $n)
            """;
        command.Parameters.AddWithValue("$cutoff", cutoffTicks);
        command.Parameters.AddWithValue("$n", limit);
        var deleted = command.ExecuteNonQuery();
        return new RetentionChunk(0, deleted, deleted == limit);
    }

    /// <summary>
    /// One round of shrinking: deletes the oldest blocks (by newest event) that free about the
    /// bytes still over the bound, or dead letters once no events are left.
    /// </summary>
    private RetentionChunk ShrinkStep(long maxBytes, SqliteTransaction tx)
    {
        // Pages in use, not the file length: freed pages only leave the file at the final
        // vacuum and checkpoint, so the file length would not move while we delete.
        var pageSize = ReadLong(_writer, "PRAGMA page_size", tx);
        var usedBytes = (ReadLong(_writer, "PRAGMA page_count", tx) - ReadLong(_writer, "PRAGMA freelist_count", tx)) * pageSize;
        if (usedBytes <= maxBytes)
        {
            return new RetentionChunk(0, 0, false);
        }

        // A block frees a little less than its payload (pages stay partly full), so aim past the bound.
        var wanted = (long)((usedBytes - maxBytes) * 1.1) + pageSize;
        var doomed = new List<long>();
        using (var select = _writer.CreateCommand())
        {
            select.Transaction = tx;
            select.CommandText = "SELECT first_id, length(payload) + length(filter) FROM event_blocks ORDER BY ts_max, first_id LIMIT $n";
            select.Parameters.AddWithValue("$n", RetentionChunkBlocks);
            using var rows = select.ExecuteReader();
            long freed = 0;
            while (freed < wanted && rows.Read())
            {
                doomed.Add(rows.GetInt64(0));
                freed += rows.GetInt64(1);
            }
        }

        if (doomed.Count == 0)
        {
            var letters = DeleteDeadLetters(long.MaxValue, (int)Math.Clamp(wanted / 256, 1, RetentionChunkDeadLetters), tx);
            return letters with { More = letters.DeadLetters > 0 };
        }

        long events = 0;
        using var delete = _writer.CreateCommand();
        delete.Transaction = tx;
        delete.CommandText = "DELETE FROM event_blocks WHERE first_id = $id RETURNING count";
        var id = delete.Parameters.Add("$id", SqliteType.Integer);
        foreach (var firstId in doomed)
        {
            id.Value = firstId;
            events += DeleteReturningCounts(delete).Events;
        }

        return new RetentionChunk(events, 0, true);
    }

    /// <summary>Runs a block delete that returns each block's count; answers the events and blocks deleted.</summary>
    private static (long Events, int Blocks) DeleteReturningCounts(SqliteCommand command)
    {
        long events = 0;
        var blocks = 0;
        using var rows = command.ExecuteReader();
        while (rows.Read())
        {
            events += rows.GetInt64(0);
            blocks++;
        }

        return (events, blocks);
    }

    /// <summary>What one retention transaction deleted, and whether there is more to do.</summary>
    private readonly record struct RetentionChunk(long Events, long DeadLetters, bool More);

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

    private SecurityEvent ReadEvent(StoredRecord record, StoredNames names)
    {
        var id = record.Id;
        var ingested = FromTicks(record.IngestedTicks);
        var kind = names.Term(record.Codes.Kind);
        var format = names.Term(record.Codes.Format);
        var context = record.Codes.Context == 0 ? null : names.Context(record.Codes.Context);
        var original = record.Original;

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
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(record.TimestampMs),
            Ingested = ingested,
            Original = original,
            HostName = string.IsNullOrEmpty(record.HostName) ? null : record.HostName,
            HostIp = record.HostIp,
            SourceIp = record.SourceIp,
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

    internal static long ToTicks(DateTimeOffset time) => time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    internal static DateTimeOffset FromTicks(long ticks) => new(ticks + DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.Zero);
}
