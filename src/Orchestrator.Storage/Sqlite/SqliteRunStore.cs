using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Audit;
using Orchestrator.Core.Incidents;
using Orchestrator.Core.Rules;
using Orchestrator.Core.Runs;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// Runs, incidents and the audit trail in <c>events.db</c>, beside the events. A run is saved
/// whole (its steps as JSON) after every change, in its own transaction, so what a crash leaves
/// is the last saved state. One connection, serialised; the event writer has its own.
/// </summary>
public sealed class SqliteRunStore : IRunJournal, IAuditLog, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SqliteWriter _writer;
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock;

    /// <summary>Writes through the write connection of the running service's event store.</summary>
    public SqliteRunStore(SqliteEventStore events)
        : this(SqliteWriter.Shared(events))
    {
    }

    /// <summary>Opens <paramref name="databasePath"/> on a connection of its own (the CLI, tests).</summary>
    public SqliteRunStore(string databasePath, SqliteSynchronous synchronous)
        : this(SqliteWriter.Open(databasePath, synchronous))
    {
    }

    private SqliteRunStore(SqliteWriter writer)
    {
        _writer = writer;
        (_connection, _lock) = (writer.Connection, writer.Lock);
    }

    public async ValueTask SaveAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            WriteRun(run, null);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Records new runs with the incidents they joined, their audit entries and the rules-engine
    /// decisions that started them, in one transaction — one commit however many decisions a batch
    /// of events made.
    /// </summary>
    public async ValueTask RecordStartsAsync(RunStarts starts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starts);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            foreach (var run in starts.Runs)
            {
                WriteRun(run, tx);
            }

            foreach (var incident in starts.Incidents)
            {
                WriteIncident(incident, tx);
            }

            foreach (var entry in starts.Entries)
            {
                WriteAudit(entry, tx);
            }

            SqliteRuleStateStore.InsertDecisions(_connection, tx, starts.Decisions, starts.At);
            tx.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        var runs = await QueryRunsAsync("WHERE id = $id", [("$id", runId)], cancellationToken).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    /// <summary>True when a run was already started for the decision <paramref name="decisionKey"/>.</summary>
    public async ValueTask<bool> HasRunForDecisionAsync(string decisionKey, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT 1 FROM runs WHERE decision_key = $key";
            command.Parameters.AddWithValue("$key", decisionKey);
            return command.ExecuteScalar() is not null;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The incident with <paramref name="id"/>, or null.</summary>
    public async ValueTask<Incident?> GetIncidentAsync(string id, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT body FROM incidents WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteScalar() is string body ? JsonSerializer.Deserialize<StoredIncident>(body, Json)!.ToIncident() : null;
        }
        finally
        {
            _lock.Release();
        }
    }

    public ValueTask<IReadOnlyList<RunRecord>> ListUnfinishedAsync(CancellationToken cancellationToken) =>
        QueryRunsAsync("WHERE status IN ('running', 'waitingapproval') ORDER BY created_at", [], cancellationToken);

    /// <summary>The newest runs first, optionally of one playbook or in one status.</summary>
    public ValueTask<IReadOnlyList<RunRecord>> ListAsync(string? playbookId, RunStatus? status, int limit, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        var parameters = new List<(string, object)>();
        if (playbookId is not null)
        {
            where.Add("playbook_id = $playbook");
            parameters.Add(("$playbook", playbookId));
        }

        if (status is { } s)
        {
            where.Add("status = $status");
            parameters.Add(("$status", Name(s)));
        }

        parameters.Add(("$limit", limit));
        var clause = (where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "") + " ORDER BY created_at DESC, id DESC LIMIT $limit";
        return QueryRunsAsync(clause, parameters, cancellationToken);
    }

    public async ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            WriteAudit(entry, null);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Audit entries, oldest first, optionally for one run or incident.</summary>
    public async ValueTask<IReadOnlyList<AuditEntry>> ReadAuditAsync(string? runId, string? incidentId, int limit, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT at, kind, text, playbook_id, run_id, incident_id, event_id, actor FROM audit
                WHERE ($run IS NULL OR run_id = $run) AND ($incident IS NULL OR incident_id = $incident)
                ORDER BY id LIMIT $limit
                """;
            command.Parameters.AddWithValue("$run", (object?)runId ?? DBNull.Value);
            command.Parameters.AddWithValue("$incident", (object?)incidentId ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var entries = new List<AuditEntry>();
            while (reader.Read())
            {
                entries.Add(new AuditEntry(
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetInt64(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7)));
            }

            return entries;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask SaveIncidentAsync(Incident incident, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            WriteIncident(incident, null);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Incidents, newest activity first; only open ones when <paramref name="openOnly"/>.</summary>
    public async ValueTask<IReadOnlyList<Incident>> ListIncidentsAsync(bool openOnly, int limit, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT body FROM incidents WHERE ($open = 0 OR status = 'open') ORDER BY last_activity DESC LIMIT $limit";
            command.Parameters.AddWithValue("$open", openOnly ? 1 : 0);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var incidents = new List<Incident>();
            while (reader.Read())
            {
                incidents.Add(JsonSerializer.Deserialize<StoredIncident>(reader.GetString(0), Json)!.ToIncident());
            }

            return incidents;
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _writer.Dispose();

    // Pages sent for incidents, so that acknowledging or resolving an incident reaches the same alerts.
    internal const string PagesSchema = """
        CREATE TABLE incident_pages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id TEXT NOT NULL,
            target TEXT NOT NULL,
            dedup_key TEXT NOT NULL,
            level INTEGER NOT NULL,
            policy TEXT,
            at INTEGER NOT NULL
        );
        CREATE INDEX incident_pages_by_incident ON incident_pages (incident_id);
        """;

    /// <summary>Records a page sent for an incident.</summary>
    public async ValueTask RecordPageAsync(IncidentPage page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO incident_pages (incident_id, target, dedup_key, level, policy, at) VALUES ($incident, $target, $key, $level, $policy, $at)";
            command.Parameters.AddWithValue("$incident", page.IncidentId);
            command.Parameters.AddWithValue("$target", page.Target);
            command.Parameters.AddWithValue("$key", page.DedupKey);
            command.Parameters.AddWithValue("$level", page.Level);
            command.Parameters.AddWithValue("$policy", (object?)page.Policy ?? DBNull.Value);
            command.Parameters.AddWithValue("$at", page.At.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The pages sent for an incident, oldest first.</summary>
    public async ValueTask<IReadOnlyList<IncidentPage>> ListPagesAsync(string incidentId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT target, dedup_key, level, policy, at FROM incident_pages WHERE incident_id = $incident ORDER BY id";
            command.Parameters.AddWithValue("$incident", incidentId);
            using var reader = command.ExecuteReader();
            var pages = new List<IncidentPage>();
            while (reader.Read())
            {
                pages.Add(new IncidentPage(incidentId, reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return pages;
        }
        finally
        {
            _lock.Release();
        }
    }

    internal const string Schema = """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            playbook_id TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            event_id INTEGER,
            decision_key TEXT UNIQUE,
            body TEXT NOT NULL
        );
        CREATE INDEX runs_by_status ON runs (status, created_at);
        CREATE INDEX runs_by_playbook ON runs (playbook_id, created_at);
        CREATE TABLE incidents (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            opened_at INTEGER NOT NULL,
            last_activity INTEGER NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL
        );
        CREATE INDEX incidents_by_activity ON incidents (status, last_activity);
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            playbook_id TEXT,
            run_id TEXT,
            incident_id TEXT,
            event_id INTEGER,
            actor TEXT
        );
        CREATE INDEX audit_by_run ON audit (run_id);
        CREATE INDEX audit_by_incident ON audit (incident_id);
        """;

    private void WriteRun(RunRecord run, SqliteTransaction? tx)
    {
        var body = JsonSerializer.Serialize(StoredRun.From(run), Json);
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO runs (id, playbook_id, status, created_at, updated_at, event_id, decision_key, body)
            VALUES ($id, $playbook, $status, $created, $updated, $event, $decision, $body)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, body = excluded.body
            """;
        command.Parameters.AddWithValue("$id", run.Id);
        command.Parameters.AddWithValue("$playbook", run.PlaybookId);
        command.Parameters.AddWithValue("$status", Name(run.Status));
        command.Parameters.AddWithValue("$created", run.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$updated", run.UpdatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$event", (object?)run.EventId ?? DBNull.Value);
        command.Parameters.AddWithValue("$decision", (object?)run.DecisionKey ?? DBNull.Value);
        command.Parameters.AddWithValue("$body", body);
        command.ExecuteNonQuery();
    }

    private void WriteIncident(Incident incident, SqliteTransaction? tx)
    {
        var body = JsonSerializer.Serialize(StoredIncident.From(incident), Json);
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO incidents (id, status, opened_at, last_activity, title, body)
            VALUES ($id, $status, $opened, $last, $title, $body)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, last_activity = excluded.last_activity, title = excluded.title, body = excluded.body
            """;
        command.Parameters.AddWithValue("$id", incident.Id);
        command.Parameters.AddWithValue("$status", incident.Status == IncidentStatus.Open ? "open" : "resolved");
        command.Parameters.AddWithValue("$opened", incident.OpenedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$last", incident.LastActivity.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$title", incident.Title);
        command.Parameters.AddWithValue("$body", body);
        command.ExecuteNonQuery();
    }

    private void WriteAudit(AuditEntry entry, SqliteTransaction? tx)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO audit (at, kind, text, playbook_id, run_id, incident_id, event_id, actor)
            VALUES ($at, $kind, $text, $playbook, $run, $incident, $event, $actor)
            """;
        command.Parameters.AddWithValue("$at", entry.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$kind", entry.Kind);
        command.Parameters.AddWithValue("$text", entry.Text);
        command.Parameters.AddWithValue("$playbook", (object?)entry.PlaybookId ?? DBNull.Value);
        command.Parameters.AddWithValue("$run", (object?)entry.RunId ?? DBNull.Value);
        command.Parameters.AddWithValue("$incident", (object?)entry.IncidentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$event", (object?)entry.EventId ?? DBNull.Value);
        command.Parameters.AddWithValue("$actor", (object?)entry.Actor ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static string Name(RunStatus status) => status.ToString().ToLowerInvariant();

    private async ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(string clause, IReadOnlyList<(string Name, object Value)> parameters, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT body FROM runs " + clause;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            using var reader = command.ExecuteReader();
            var runs = new List<RunRecord>();
            while (reader.Read())
            {
                runs.Add(JsonSerializer.Deserialize<StoredRun>(reader.GetString(0), Json)!.ToRun());
            }

            return runs;
        }
        finally
        {
            _lock.Release();
        }
    }

    // Parameters and outputs hold strings, numbers, booleans, lists and maps; JSON gives them back as such.
    private static Dictionary<string, object?>? Plain(Dictionary<string, JsonElement>? values) =>
        values?.ToDictionary(kv => kv.Key, kv => Plain(kv.Value), StringComparer.Ordinal);

    private static object? Plain(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? (object)whole : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => value.EnumerateArray().Select(Plain).ToList(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value), StringComparer.Ordinal),
        _ => null,
    };

    private static Dictionary<string, JsonElement>? Elements(IReadOnlyDictionary<string, object?>? values) =>
        values?.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value, Json), StringComparer.Ordinal);

    private sealed record StoredStep(
        string Id, string Type, StepPhase Phase, StepStatus Status, int Attempts,
        Dictionary<string, JsonElement>? Parameters, Dictionary<string, JsonElement>? Outputs,
        string? Error, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? DecidedBy);

    private sealed record StoredRun(
        string Id, string PlaybookId, bool DryRun, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, RunStatus Status,
        long? EventId, string? DecisionKey, Dictionary<string, JsonElement>? Window, List<StoredStep> Steps, string? Error, ApprovalWait? Waiting,
        string? IncidentId = null,
        string? StartedBy = null)
    {
        public static StoredRun From(RunRecord run) => new(
            run.Id, run.PlaybookId, run.DryRun, run.CreatedAt, run.UpdatedAt, run.Status, run.EventId, run.DecisionKey, Elements(run.Window),
            [.. run.Steps.Select(s => new StoredStep(s.Id, s.Type, s.Phase, s.Status, s.Attempts, Elements(s.Parameters), Elements(s.Outputs), s.Error, s.StartedAt, s.FinishedAt, s.DecidedBy))],
            run.Error, run.Waiting, run.IncidentId, run.StartedBy);

        public RunRecord ToRun()
        {
            var run = new RunRecord(Id, PlaybookId, DryRun, CreatedAt)
            {
                UpdatedAt = UpdatedAt,
                Status = Status,
                EventId = EventId,
                DecisionKey = DecisionKey,
                Window = Plain(Window) ?? new Dictionary<string, object?>(),
                Error = Error,
                Waiting = Waiting,
                IncidentId = IncidentId,
                StartedBy = StartedBy,
            };
            foreach (var s in Steps)
            {
                var step = run.Step(s.Id, s.Type, s.Phase);
                step.Status = s.Status;
                step.Attempts = s.Attempts;
                step.Parameters = Plain(s.Parameters);
                step.Outputs = Plain(s.Outputs);
                step.Error = s.Error;
                step.StartedAt = s.StartedAt;
                step.FinishedAt = s.FinishedAt;
                step.DecidedBy = s.DecidedBy;
            }

            return run;
        }
    }

    private sealed record StoredIncident(
        string Id, string Title, IncidentStatus Status, DateTimeOffset OpenedAt, DateTimeOffset LastActivity,
        List<string> Hosts, List<string> Ips, List<string> RunIds, List<long> EventIds, string? ResolvedBy,
        DateTimeOffset? AcknowledgedAt = null, string? AcknowledgedBy = null)
    {
        public static StoredIncident From(Incident incident) => new(
            incident.Id, incident.Title, incident.Status, incident.OpenedAt, incident.LastActivity,
            [.. incident.Hosts], [.. incident.Ips.Select(ip => ip.ToString())], [.. incident.RunIds], [.. incident.EventIds], incident.ResolvedBy,
            incident.AcknowledgedAt, incident.AcknowledgedBy);

        public Incident ToIncident()
        {
            var incident = new Incident(Id, Title, OpenedAt) { Status = Status, LastActivity = LastActivity, ResolvedBy = ResolvedBy, AcknowledgedAt = AcknowledgedAt, AcknowledgedBy = AcknowledgedBy };
            incident.Hosts.UnionWith(Hosts);
            incident.Ips.UnionWith(Ips.Select(IPAddress.Parse));
            incident.RunIds.AddRange(RunIds);
            incident.EventIds.AddRange(EventIds);
            return incident;
        }
    }
}

/// <summary>What one batch of decisions starts, written in one transaction: the runs, the incidents they joined, their audit entries, and the decisions themselves.</summary>
public sealed record RunStarts(
    IReadOnlyList<RunRecord> Runs,
    IReadOnlyCollection<Incident> Incidents,
    IReadOnlyList<AuditEntry> Entries,
    IReadOnlyList<RuleDecision> Decisions,
    DateTimeOffset At);
