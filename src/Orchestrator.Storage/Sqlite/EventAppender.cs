using System.Text;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Ingestion;
using SQLitePCL;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The append path on the writer connection. The events of a commit become one row of
/// <c>event_blocks</c> (ADR 0006); dead letters stay a row each. Statements are prepared once and
/// bound through the native API, term and context ids are cached, and the next ids are counted
/// here so a commit needs no read-back. Small commits are merged into the newest block until it
/// holds <see cref="MergeBelowEvents"/> events, so a quiet system does not leave a row per event.
/// Not thread-safe; the store calls it under its write lock.
/// </summary>
internal sealed class EventAppender : IDisposable
{
    /// <summary>Events per block at most: a query that needs one event decodes at most this many.</summary>
    public const int MaxBlockEvents = 4096;

    /// <summary>
    /// A block with fewer events stays open and the next commit rewrites it with its events added.
    /// Small on purpose: each rewrite compresses the whole block again, so under steady load with
    /// commits of a few hundred events a larger bound compressed every event several times.
    /// </summary>
    public const int MergeBelowEvents = 256;

    // Microsoft.Data.Sqlite's per-execute bookkeeping cost about as much CPU as SQLite's own
    // insert work, so the hot path binds natively. REPLACE also rewrites the open block.
    private const string WriteBlockSql = """
        INSERT OR REPLACE INTO event_blocks(first_id, last_id, count, ts_min, ts_max, filter, payload_bytes, payload)
        VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        """;

    private const string InsertDeadLetterSql = """
        INSERT INTO dead_letters(id, received_ticks, listener, format, reason, raw)
        VALUES(?1, ?2, ?3, ?4, ?5, ?6)
        """;

    // A derived event whose key is already stored was stored before (a detector re-processed
    // events after a crash): the key's row stays, the event is skipped.
    private const string InsertDerivedKeySql = "INSERT OR IGNORE INTO derived_keys(key, event_id) VALUES(?1, ?2)";

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly int _maxCached;
    private readonly InternTable _terms;
    private readonly InternTable _contexts;
    private readonly sqlite3_stmt _writeBlock;
    private readonly sqlite3_stmt _insertDeadLetter;
    private readonly sqlite3_stmt _insertDerivedKey;
    private readonly List<int> _skipped = [];
    private readonly EventBlockBuilder _block = new();
    private byte[] _utf8 = new byte[4096];

    public EventAppender(SqliteConnection connection, int maxCached)
    {
        _connection = connection;
        _db = connection.Handle ?? throw new InvalidOperationException("the writer connection is not open");
        _maxCached = maxCached;
        _terms = new InternTable(connection, "terms");
        _contexts = new InternTable(connection, "contexts");
        _writeBlock = Prepare(WriteBlockSql);
        _insertDeadLetter = Prepare(InsertDeadLetterSql);
        _insertDerivedKey = Prepare(InsertDerivedKeySql);
    }

    public long LastEventId { get; set; }

    public long LastDeadLetterId { get; set; }

    /// <summary>Commits the whole batch in one transaction and then sets the ids, or throws having committed and set nothing.</summary>
    public void Append(IReadOnlyList<IngestItem> batch)
    {
        var nextEventId = LastEventId;
        var nextDeadLetterId = LastDeadLetterId;
        _skipped.Clear();
        try
        {
            using var tx = _connection.BeginTransaction();
            _terms.Transaction = tx;
            _contexts.Transaction = tx;
            var blockChanged = false;
            for (var i = 0; i < batch.Count; i++)
            {
                var item = batch[i];
                if (item.Event is { } evt)
                {
                    if (item.DedupeKey is { } key && !InsertDerivedKey(key, nextEventId + 1))
                    {
                        _skipped.Add(i);
                        continue;
                    }

                    if (_block.Count >= MaxBlockEvents)
                    {
                        WriteBlock(_block);
                        _block.Clear();
                    }

                    var codes = new RecordCodes(
                        _terms.Id(evt.Kind),
                        _terms.Id(evt.Format),
                        _terms.Id(item.Listener),
                        item.Context is null ? 0 : _contexts.Id(item.Context));
                    _block.Add(++nextEventId, evt.Timestamp.ToUnixTimeMilliseconds(), SqliteEventStore.ToTicks(evt.Ingested), codes,
                        evt.Kind, evt.HostName, evt.HostIp, evt.SourceIp, evt.Original);
                    blockChanged = true;
                }
                else
                {
                    InsertDeadLetter(item.DeadLetter!, ++nextDeadLetterId);
                }
            }

            if (blockChanged)
            {
                WriteBlock(_block);
            }

            tx.Commit();
        }
        catch
        {
            _terms.Rollback();
            _contexts.Rollback();
            // The open block now holds events that were never committed; the stored one is intact.
            _block.Clear();
            throw;
        }

        _terms.Commit(_maxCached);
        _contexts.Commit(_maxCached);
        if (_block.Count >= MergeBelowEvents)
        {
            _block.Clear();
        }

        var eventId = LastEventId;
        var deadLetterId = LastDeadLetterId;
        var nextSkipped = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            if (nextSkipped < _skipped.Count && _skipped[nextSkipped] == i)
            {
                nextSkipped++;
                item.Event!.Id = 0;
            }
            else if (item.Event is { } evt)
            {
                evt.Id = ++eventId;
            }
            else
            {
                item.DeadLetter!.Id = ++deadLetterId;
            }
        }

        LastEventId = nextEventId;
        LastDeadLetterId = nextDeadLetterId;
    }

    /// <summary>Stops merging into the newest block; call after anything else rewrote or deleted blocks.</summary>
    public void CloseOpenBlock() => _block.Clear();

    /// <summary>Writes (or rewrites, by first id) one block inside the caller's open transaction.</summary>
    public void WriteBlock(EventBlockBuilder block)
    {
        var stmt = _writeBlock;
        Check(raw.sqlite3_bind_int64(stmt, 1, block.FirstId));
        Check(raw.sqlite3_bind_int64(stmt, 2, block.LastId));
        Check(raw.sqlite3_bind_int64(stmt, 3, block.Count));
        Check(raw.sqlite3_bind_int64(stmt, 4, block.MinTimestampMs));
        Check(raw.sqlite3_bind_int64(stmt, 5, block.MaxTimestampMs));
        Check(raw.sqlite3_bind_blob(stmt, 6, block.BuildFilter()));
        Check(raw.sqlite3_bind_int64(stmt, 7, block.UncompressedBytes));
        Check(raw.sqlite3_bind_blob(stmt, 8, block.Compress()));
        Step(stmt);
    }

    public void Dispose()
    {
        raw.sqlite3_finalize(_writeBlock);
        raw.sqlite3_finalize(_insertDeadLetter);
        raw.sqlite3_finalize(_insertDerivedKey);
        _terms.Dispose();
        _contexts.Dispose();
    }

    private bool InsertDerivedKey(string key, long eventId)
    {
        var stmt = _insertDerivedKey;
        BindText(stmt, 1, key);
        Check(raw.sqlite3_bind_int64(stmt, 2, eventId));
        Step(stmt);
        return raw.sqlite3_changes(_db) > 0;
    }

    private void InsertDeadLetter(DeadLetter letter, long id)
    {
        var stmt = _insertDeadLetter;
        Check(raw.sqlite3_bind_int64(stmt, 1, id));
        Check(raw.sqlite3_bind_int64(stmt, 2, SqliteEventStore.ToTicks(letter.ReceivedAt)));
        BindText(stmt, 3, letter.Listener);
        BindText(stmt, 4, letter.Format);
        BindText(stmt, 5, letter.Reason);
        if (letter.Raw is null)
        {
            Check(raw.sqlite3_bind_null(stmt, 6));
        }
        else
        {
            // A zero-length span would bind NULL, not an empty blob.
            Check(letter.Raw.Length == 0 ? raw.sqlite3_bind_zeroblob(stmt, 6, 0) : raw.sqlite3_bind_blob(stmt, 6, letter.Raw));
        }

        Step(stmt);
    }

    private void BindText(sqlite3_stmt stmt, int index, string? text)
    {
        if (text is null)
        {
            Check(raw.sqlite3_bind_null(stmt, index));
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max > _utf8.Length)
        {
            _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
        }

        // SQLitePCL binds with SQLITE_TRANSIENT (SQLite copies), so one scratch buffer serves every column.
        var length = Encoding.UTF8.GetBytes(text, _utf8);
        Check(raw.sqlite3_bind_text(stmt, index, new ReadOnlySpan<byte>(_utf8, 0, length)));
    }

    private void Step(sqlite3_stmt stmt)
    {
        var rc = raw.sqlite3_step(stmt);
        raw.sqlite3_reset(stmt);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var stmt));
        return stmt;
    }
}

/// <summary>
/// Text-to-id interning for a lookup table shaped (id, text UNIQUE) with a bounded in-memory
/// cache. Ids handed out inside the open transaction are pending until it commits, so a rolled
/// back insert never leaves a dangling id in the cache.
/// </summary>
internal sealed class InternTable : IDisposable
{
    private readonly Dictionary<string, long> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _pending = new(StringComparer.Ordinal);
    private readonly SqliteCommand _find;
    private readonly SqliteCommand _insert;

    public InternTable(SqliteConnection connection, string table)
    {
        _find = Command(connection, $"SELECT id FROM {table} WHERE text = $text");
        _insert = Command(connection, $"INSERT INTO {table}(text) VALUES($text) RETURNING id");
    }

    public SqliteTransaction? Transaction
    {
        set
        {
            _find.Transaction = value;
            _insert.Transaction = value;
        }
    }

    public long Id(string key)
    {
        if (_cache.TryGetValue(key, out var id) || _pending.TryGetValue(key, out id))
        {
            return id;
        }

        _find.Parameters[0].Value = key;
        if (_find.ExecuteScalar() is long found)
        {
            id = found;
        }
        else
        {
            _insert.Parameters[0].Value = key;
            id = (long)_insert.ExecuteScalar()!;
        }

        _pending[key] = id;
        return id;
    }

    public void Commit(int maxCached)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        if (_cache.Count + _pending.Count > maxCached)
        {
            _cache.Clear();
        }

        foreach (var (key, id) in _pending)
        {
            _cache[key] = id;
        }

        _pending.Clear();
    }

    public void Rollback() => _pending.Clear();

    public void Dispose()
    {
        _find.Dispose();
        _insert.Dispose();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Constant statements over this assembly's table names; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Parameters.Add("$text", SqliteType.Text);
        return command;
    }
}
