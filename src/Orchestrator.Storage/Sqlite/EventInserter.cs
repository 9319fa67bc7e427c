using Microsoft.Data.Sqlite;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The append path on the writer connection: prepared statements reused for every row, the
/// term and context ids cached, and the next ids counted here so a batch needs no read-back.
/// Not thread-safe; the store calls it under its write lock.
/// </summary>
internal sealed class EventInserter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly int _maxCachedContexts;
    private readonly Dictionary<string, long> _terms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _contexts = new(StringComparer.Ordinal);

    // Ids handed out inside the open transaction; merged into the caches only after it commits.
    private readonly Dictionary<string, long> _pendingTerms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _pendingContexts = new(StringComparer.Ordinal);

    private readonly SqliteCommand _insertEvent;
    private readonly SqliteParameter _id, _ts, _ingested, _kind, _format, _listener, _hostName, _hostIp, _sourceIp, _contextId, _original;
    private readonly SqliteCommand _insertDeadLetter;
    private readonly SqliteParameter _dlId, _dlReceived, _dlListener, _dlFormat, _dlReason, _dlRaw;
    private readonly SqliteCommand _findTerm, _insertTerm, _findContext, _insertContext;

    public EventInserter(SqliteConnection connection, int maxCachedContexts)
    {
        _connection = connection;
        _maxCachedContexts = maxCachedContexts;

        _insertEvent = connection.CreateCommand();
        _insertEvent.CommandText = """
            INSERT INTO events(id, ts_ms, ingested_ticks, kind, format, listener, host_name, host_ip, source_ip, context_id, original)
            VALUES($id, $ts, $ingested, $kind, $format, $listener, $hostName, $hostIp, $sourceIp, $contextId, $original)
            """;
        _id = Add(_insertEvent, "$id", SqliteType.Integer);
        _ts = Add(_insertEvent, "$ts", SqliteType.Integer);
        _ingested = Add(_insertEvent, "$ingested", SqliteType.Integer);
        _kind = Add(_insertEvent, "$kind", SqliteType.Integer);
        _format = Add(_insertEvent, "$format", SqliteType.Integer);
        _listener = Add(_insertEvent, "$listener", SqliteType.Integer);
        _hostName = Add(_insertEvent, "$hostName", SqliteType.Text);
        _hostIp = Add(_insertEvent, "$hostIp", SqliteType.Text);
        _sourceIp = Add(_insertEvent, "$sourceIp", SqliteType.Text);
        _contextId = Add(_insertEvent, "$contextId", SqliteType.Integer);
        _original = Add(_insertEvent, "$original", SqliteType.Text);

        _insertDeadLetter = connection.CreateCommand();
        _insertDeadLetter.CommandText = """
            INSERT INTO dead_letters(id, received_ticks, listener, format, reason, raw)
            VALUES($id, $received, $listener, $format, $reason, $raw)
            """;
        _dlId = Add(_insertDeadLetter, "$id", SqliteType.Integer);
        _dlReceived = Add(_insertDeadLetter, "$received", SqliteType.Integer);
        _dlListener = Add(_insertDeadLetter, "$listener", SqliteType.Text);
        _dlFormat = Add(_insertDeadLetter, "$format", SqliteType.Text);
        _dlReason = Add(_insertDeadLetter, "$reason", SqliteType.Text);
        _dlRaw = Add(_insertDeadLetter, "$raw", SqliteType.Blob);

        _findTerm = Lookup(connection, "SELECT id FROM terms WHERE text = $text");
        _insertTerm = Lookup(connection, "INSERT INTO terms(text) VALUES($text) RETURNING id");
        _findContext = Lookup(connection, "SELECT id FROM contexts WHERE text = $text");
        _insertContext = Lookup(connection, "INSERT INTO contexts(text) VALUES($text) RETURNING id");
    }

    public long LastEventId { get; set; }

    public long LastDeadLetterId { get; set; }

    /// <summary>Commits the whole batch in one transaction and then sets the ids, or throws having committed and set nothing.</summary>
    public void Append(IReadOnlyList<IngestItem> batch)
    {
        var nextEventId = LastEventId;
        var nextDeadLetterId = LastDeadLetterId;
        _pendingTerms.Clear();
        _pendingContexts.Clear();
        using (var tx = _connection.BeginTransaction())
        {
            SetTransaction(tx);
            for (var i = 0; i < batch.Count; i++)
            {
                var item = batch[i];
                if (item.Event is { } evt)
                {
                    _id.Value = ++nextEventId;
                    _ts.Value = evt.Timestamp.ToUnixTimeMilliseconds();
                    _ingested.Value = SqliteEventStore.ToTicks(evt.Ingested);
                    _kind.Value = TermId(evt.Kind);
                    _format.Value = TermId(evt.Format);
                    _listener.Value = TermId(item.Listener);
                    _hostName.Value = (object?)evt.HostName ?? DBNull.Value;
                    _hostIp.Value = (object?)SqliteEventStore.IpText(evt.HostIp) ?? DBNull.Value;
                    _sourceIp.Value = (object?)SqliteEventStore.IpText(evt.SourceIp) ?? DBNull.Value;
                    _contextId.Value = item.Context is null ? DBNull.Value : ContextId(item.Context);
                    _original.Value = evt.Original;
                    _insertEvent.ExecuteNonQuery();
                }
                else
                {
                    var letter = item.DeadLetter!;
                    _dlId.Value = ++nextDeadLetterId;
                    _dlReceived.Value = SqliteEventStore.ToTicks(letter.ReceivedAt);
                    _dlListener.Value = letter.Listener;
                    _dlFormat.Value = (object?)letter.Format ?? DBNull.Value;
                    _dlReason.Value = letter.Reason;
                    _dlRaw.Value = letter.Raw;
                    _insertDeadLetter.ExecuteNonQuery();
                }
            }

            tx.Commit();
        }

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
        foreach (var (text, id) in _pendingTerms)
        {
            _terms[text] = id;
        }

        if (_contexts.Count + _pendingContexts.Count > _maxCachedContexts)
        {
            _contexts.Clear();
        }

        foreach (var (text, id) in _pendingContexts)
        {
            _contexts[text] = id;
        }
    }

    public void Dispose()
    {
        _insertEvent.Dispose();
        _insertDeadLetter.Dispose();
        _findTerm.Dispose();
        _insertTerm.Dispose();
        _findContext.Dispose();
        _insertContext.Dispose();
    }

    private long TermId(string text) => Intern(text, _terms, _pendingTerms, _findTerm, _insertTerm);

    private long ContextId(string text) => Intern(text, _contexts, _pendingContexts, _findContext, _insertContext);

    private static long Intern(string text, Dictionary<string, long> cache, Dictionary<string, long> pending, SqliteCommand find, SqliteCommand insert)
    {
        if (cache.TryGetValue(text, out var id) || pending.TryGetValue(text, out id))
        {
            return id;
        }

        find.Parameters[0].Value = text;
        if (find.ExecuteScalar() is not long found)
        {
            insert.Parameters[0].Value = text;
            found = (long)insert.ExecuteScalar()!;
        }

        pending[text] = found;
        return found;
    }

    private void SetTransaction(SqliteTransaction tx)
    {
        _insertEvent.Transaction = tx;
        _insertDeadLetter.Transaction = tx;
        _findTerm.Transaction = tx;
        _insertTerm.Transaction = tx;
        _findContext.Transaction = tx;
        _insertContext.Transaction = tx;
    }

    private static SqliteParameter Add(SqliteCommand command, string name, SqliteType type) =>
        command.Parameters.Add(name, type);

    private static SqliteCommand Lookup(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Constant statements from this class; the text is a parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Parameters.Add("$text", SqliteType.Text);
        return command;
    }
}
