using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Ingestion;
using SQLitePCL;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The append path on the writer connection: two statements prepared once and bound through the
/// native API for every row, the term, host and context ids cached, and the next ids counted here
/// so a batch needs no read-back. Not thread-safe; the store calls it under its write lock.
/// </summary>
internal sealed class EventInserter : IDisposable
{
    // Microsoft.Data.Sqlite's per-execute bookkeeping cost about as much CPU as SQLite's own
    // insert work (measured ~3.5 us of ~7 us per event), so the hot path binds natively.
    private const string InsertEventSql = """
        INSERT INTO events(id, ts_ms, ingested_ticks, kind, format, listener, host_id, source_ip, context_id, original)
        VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        """;

    private const string InsertDeadLetterSql = """
        INSERT INTO dead_letters(id, received_ticks, listener, format, reason, raw)
        VALUES(?1, ?2, ?3, ?4, ?5, ?6)
        """;

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly int _maxCached;
    private readonly InternTable<string> _terms;
    private readonly InternTable<string> _contexts;
    private readonly InternTable<(string? Name, IPAddress? Ip)> _hosts;
    private readonly sqlite3_stmt _insertEvent;
    private readonly sqlite3_stmt _insertDeadLetter;
    private readonly SqliteCommand _findHost, _insertHost;
    private readonly Func<(string? Name, IPAddress? Ip), long> _findOrInsertHost;
    private byte[] _utf8 = new byte[4096];

    public EventInserter(SqliteConnection connection, int maxCached)
    {
        _connection = connection;
        _db = connection.Handle ?? throw new InvalidOperationException("the writer connection is not open");
        _maxCached = maxCached;
        _terms = new InternTable<string>(connection, "terms", StringComparer.Ordinal);
        _contexts = new InternTable<string>(connection, "contexts", StringComparer.Ordinal);
        _hosts = new InternTable<(string?, IPAddress?)>(connection, null, EqualityComparer<(string?, IPAddress?)>.Default);
        _findHost = Command(connection, "SELECT id FROM hosts WHERE name = $name AND ip = $ip", "$name", "$ip");
        _insertHost = Command(connection, "INSERT INTO hosts(name, ip) VALUES($name, $ip) RETURNING id", "$name", "$ip");
        _findOrInsertHost = FindOrInsertHost;
        _insertEvent = Prepare(InsertEventSql);
        _insertDeadLetter = Prepare(InsertDeadLetterSql);
    }

    public long LastEventId { get; set; }

    public long LastDeadLetterId { get; set; }

    /// <summary>Commits the whole batch in one transaction and then sets the ids, or throws having committed and set nothing.</summary>
    public void Append(IReadOnlyList<IngestItem> batch)
    {
        var nextEventId = LastEventId;
        var nextDeadLetterId = LastDeadLetterId;
        try
        {
            using var tx = _connection.BeginTransaction();
            SetTransaction(tx);
            for (var i = 0; i < batch.Count; i++)
            {
                var item = batch[i];
                if (item.Event is { } evt)
                {
                    var stmt = _insertEvent;
                    Check(raw.sqlite3_bind_int64(stmt, 1, ++nextEventId));
                    Check(raw.sqlite3_bind_int64(stmt, 2, evt.Timestamp.ToUnixTimeMilliseconds()));
                    Check(raw.sqlite3_bind_int64(stmt, 3, SqliteEventStore.ToTicks(evt.Ingested)));
                    Check(raw.sqlite3_bind_int64(stmt, 4, _terms.Id(evt.Kind)));
                    Check(raw.sqlite3_bind_int64(stmt, 5, _terms.Id(evt.Format)));
                    Check(raw.sqlite3_bind_int64(stmt, 6, _terms.Id(item.Listener)));
                    BindNullable(stmt, 7, evt.HostName is null && evt.HostIp is null ? null : HostId(evt.HostName, evt.HostIp));
                    BindText(stmt, 8, SqliteEventStore.IpText(evt.SourceIp));
                    BindNullable(stmt, 9, item.Context is null ? null : _contexts.Id(item.Context));
                    BindText(stmt, 10, evt.Original);
                    Step(stmt);
                }
                else
                {
                    var letter = item.DeadLetter!;
                    var stmt = _insertDeadLetter;
                    Check(raw.sqlite3_bind_int64(stmt, 1, ++nextDeadLetterId));
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
            }

            tx.Commit();
        }
        catch
        {
            _terms.Rollback();
            _contexts.Rollback();
            _hosts.Rollback();
            throw;
        }

        _terms.Commit(_maxCached);
        _contexts.Commit(_maxCached);
        _hosts.Commit(_maxCached);

        var eventId = LastEventId;
        var deadLetterId = LastDeadLetterId;
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            if (item.Event is { } evt)
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

    public void Dispose()
    {
        raw.sqlite3_finalize(_insertEvent);
        raw.sqlite3_finalize(_insertDeadLetter);
        _terms.Dispose();
        _contexts.Dispose();
        _hosts.Dispose();
        _findHost.Dispose();
        _insertHost.Dispose();
    }

    private long HostId(string? name, IPAddress? ip) => _hosts.Id((name, ip), _findOrInsertHost);

    private long FindOrInsertHost((string? Name, IPAddress? Ip) key)
    {
        // Hosts are keyed by their exact name and IP; '' stands for "absent" because UNIQUE treats NULLs as distinct.
        var nameText = key.Name ?? "";
        var ipText = SqliteEventStore.IpText(key.Ip) ?? "";
        _findHost.Parameters[0].Value = nameText;
        _findHost.Parameters[1].Value = ipText;
        if (_findHost.ExecuteScalar() is long found)
        {
            return found;
        }

        _insertHost.Parameters[0].Value = nameText;
        _insertHost.Parameters[1].Value = ipText;
        return (long)_insertHost.ExecuteScalar()!;
    }

    private void SetTransaction(SqliteTransaction tx)
    {
        _terms.Transaction = tx;
        _contexts.Transaction = tx;
        _findHost.Transaction = tx;
        _insertHost.Transaction = tx;
    }

    private void BindNullable(sqlite3_stmt stmt, int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(stmt, index, v) : raw.sqlite3_bind_null(stmt, index));

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

    internal static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Constant statements from this assembly; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var name in parameters)
        {
            command.Parameters.Add(name, SqliteType.Text);
        }

        return command;
    }
}

/// <summary>
/// Text-to-id interning for a lookup table (terms, contexts, hosts) with a bounded in-memory
/// cache. Ids handed out inside the open transaction are pending until it commits, so a rolled
/// back insert never leaves a dangling id in the cache.
/// </summary>
internal sealed class InternTable<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Dictionary<TKey, long> _cache;
    private readonly Dictionary<TKey, long> _pending;
    private readonly SqliteCommand? _find;
    private readonly SqliteCommand? _insert;
    private readonly Func<TKey, long> _findOrInsert;

    // table: one shaped (id, text UNIQUE), or null when the caller supplies the lookup.
    public InternTable(SqliteConnection connection, string? table, IEqualityComparer<TKey> comparer)
    {
        _cache = new Dictionary<TKey, long>(comparer);
        _pending = new Dictionary<TKey, long>(comparer);
        _findOrInsert = FindOrInsert;
        if (table is not null)
        {
            _find = EventInserter.Command(connection, $"SELECT id FROM {table} WHERE text = $text", "$text");
            _insert = EventInserter.Command(connection, $"INSERT INTO {table}(text) VALUES($text) RETURNING id", "$text");
        }
    }

    public SqliteTransaction? Transaction
    {
        set
        {
            _find?.Transaction = value;
            _insert?.Transaction = value;
        }
    }

    public long Id(TKey key) => Id(key, _findOrInsert);

    public long Id(TKey key, Func<TKey, long> findOrInsert)
    {
        if (_cache.TryGetValue(key, out var id) || _pending.TryGetValue(key, out id))
        {
            return id;
        }

        id = findOrInsert(key);
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
        _find?.Dispose();
        _insert?.Dispose();
    }

    private long FindOrInsert(TKey key)
    {
        _find!.Parameters[0].Value = key;
        if (_find.ExecuteScalar() is long found)
        {
            return found;
        }

        _insert!.Parameters[0].Value = key;
        return (long)_insert.ExecuteScalar()!;
    }
}
