using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Rules;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The rules engine's state and decisions in <c>events.db</c> (tables <c>rule_state</c> and
/// <c>rule_decisions</c>, schema version 3). It has its own writer connection; SQLite's WAL lets it
/// commit between the event store's appends (busy timeout <see cref="SqliteSchema.BusyTimeoutMs"/>).
/// </summary>
public sealed class SqliteRuleStateStore : IRuleStateStore, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _lock;
    private bool _disposed;

    /// <summary>Writes through the write connection of <paramref name="events"/>, whose constructor already brought the schema up to date.</summary>
    public SqliteRuleStateStore(SqliteEventStore events, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        (_connection, _lock) = events.SharedWriter;
    }

    public async ValueTask<RuleStateSnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT checkpoint, state FROM rule_state WHERE id = 1";
            using var row = command.ExecuteReader();
            return row.Read() ? new RuleStateSnapshot(row.GetInt64(0), row.GetFieldValue<byte[]>(1)) : null;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask RecordDecisionsAsync(IReadOnlyList<RuleDecision> decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        cancellationToken.ThrowIfCancellationRequested();
        if (decisions.Count == 0)
        {
            return;
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var tx = _connection.BeginTransaction();
            InsertDecisions(_connection, tx, decisions, _time.GetUtcNow());
            tx.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask SaveSnapshotAsync(RuleStateSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            using var save = _connection.CreateCommand();
            save.CommandText = """
                INSERT INTO rule_state(id, checkpoint, saved_ticks, state) VALUES(1, $checkpoint, $now, $state)
                ON CONFLICT(id) DO UPDATE SET checkpoint = excluded.checkpoint, saved_ticks = excluded.saved_ticks, state = excluded.state
                """;
            save.Parameters.AddWithValue("$checkpoint", snapshot.Checkpoint);
            save.Parameters.AddWithValue("$now", now);
            save.Parameters.AddWithValue("$state", snapshot.State);
            save.ExecuteNonQuery();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The newest <paramref name="limit"/> recorded decisions, oldest first (for restarts, the audit trail, the CLI and tests).</summary>
    public async ValueTask<IReadOnlyList<StoredRuleDecision>> ReadDecisionsAsync(int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT id, rule_id, group_key, event_id, ts_ms, mode, window FROM
                (SELECT * FROM rule_decisions ORDER BY id DESC LIMIT $limit) ORDER BY id
                """;
            command.Parameters.AddWithValue("$limit", Math.Max(1, limit));
            var decisions = new List<StoredRuleDecision>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                decisions.Add(new StoredRuleDecision(
                    rows.GetInt64(0),
                    rows.GetString(1),
                    rows.GetString(2),
                    rows.GetInt64(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(4)),
                    rows.GetString(5) == ModeName(RuleMode.DryRun) ? RuleMode.DryRun : RuleMode.Enforce,
                    rows.GetString(6)));
            }

            return decisions;
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // The connection and its lock belong to the event store.
        _disposed = true;
    }

    /// <summary>
    /// Inserts <paramref name="decisions"/> in <paramref name="tx"/>; unique on (rule, group, event), so a
    /// decision made again while replaying after a crash is dropped. The caller holds the write lock.
    /// </summary>
    internal static void InsertDecisions(SqliteConnection connection, SqliteTransaction tx, IReadOnlyList<RuleDecision> decisions, DateTimeOffset now)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT OR IGNORE INTO rule_decisions(rule_id, group_key, event_id, ts_ms, mode, recorded_ticks, window)
            VALUES($rule, $group, $event, $ts, $mode, $now, $window)
            """;
        var rule = insert.Parameters.Add("$rule", SqliteType.Text);
        var group = insert.Parameters.Add("$group", SqliteType.Text);
        var evt = insert.Parameters.Add("$event", SqliteType.Integer);
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        var mode = insert.Parameters.Add("$mode", SqliteType.Text);
        insert.Parameters.AddWithValue("$now", now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks);
        var window = insert.Parameters.Add("$window", SqliteType.Text);
        foreach (var decision in decisions)
        {
            rule.Value = decision.RuleId;
            group.Value = decision.GroupKey;
            evt.Value = decision.Event.Id;
            ts.Value = decision.Event.Timestamp.ToUnixTimeMilliseconds();
            mode.Value = ModeName(decision.Mode);
            window.Value = JsonSerializer.Serialize(decision.Window, WindowJson);
            insert.ExecuteNonQuery();
        }
    }

    private static readonly JsonSerializerOptions WindowJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static WindowSnapshot ReadWindow(string json) =>
        JsonSerializer.Deserialize<WindowSnapshot>(json, WindowJson) ?? throw new InvalidDataException("a recorded decision has an empty window");

    private static string ModeName(RuleMode mode) => mode == RuleMode.DryRun ? "dry-run" : "enforce";
}

/// <summary>A decision as recorded in <c>rule_decisions</c>.</summary>
/// <param name="Id">Row id, in commit order.</param>
/// <param name="RuleId">The rule (playbook) id.</param>
/// <param name="GroupKey">The group's key.</param>
/// <param name="EventId">Store id of the event that completed the threshold.</param>
/// <param name="Timestamp">That event's time.</param>
/// <param name="Mode">Enforce or dry-run.</param>
/// <param name="WindowJson">The window snapshot as JSON (count, distinct values, first/last, event ids).</param>
public sealed record StoredRuleDecision(long Id, string RuleId, string GroupKey, long EventId, DateTimeOffset Timestamp, RuleMode Mode, string WindowJson)
{
    /// <summary>The window snapshot read back from <see cref="WindowJson"/>.</summary>
    public WindowSnapshot Window => SqliteRuleStateStore.ReadWindow(WindowJson);
}
