using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Containment;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The containment ledger in the service's SQLite file: one row per containment (its whole record as
/// JSON, with the columns lists and lookups need), written through the event store's write connection
/// in the service, or a connection of its own for the CLI and tests.
/// </summary>
public sealed class SqliteContainmentLedger : IContainmentLedger, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock;
    private readonly bool _ownsConnection;

    /// <summary>Writes through the write connection of the running service's event store.</summary>
    public SqliteContainmentLedger(SqliteEventStore events)
    {
        ArgumentNullException.ThrowIfNull(events);
        (_connection, _lock) = events.SharedWriter;
    }

    /// <summary>Opens <paramref name="databasePath"/> on a connection of its own (the CLI, tests).</summary>
    public SqliteContainmentLedger(string databasePath, SqliteSynchronous synchronous)
    {
        _ownsConnection = true;
        _lock = new SemaphoreSlim(1, 1);
        _connection = SqliteSchema.OpenWriter(databasePath, synchronous);
    }

    internal const string Schema = """
        CREATE TABLE containments (
            id TEXT PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL,
            device TEXT NOT NULL,
            target TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            body TEXT NOT NULL
        );
        CREATE INDEX containments_by_status ON containments (status, created_at);
        """;

    /// <summary>Schema version 7: the repeat-offender history is read by target.</summary>
    internal const string TargetIndex = "CREATE INDEX containments_by_target ON containments (target, created_at);";

    public async ValueTask SaveAsync(ContainmentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO containments (id, idempotency_key, status, device, target, created_at, expires_at, body)
                VALUES ($id, $key, $status, $device, $target, $created, $expires, $body)
                ON CONFLICT(id) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at, body = excluded.body
                """;
            command.Parameters.AddWithValue("$id", record.Id);
            command.Parameters.AddWithValue("$key", record.IdempotencyKey);
            command.Parameters.AddWithValue("$status", record.Status.ToString().ToLowerInvariant());
            command.Parameters.AddWithValue("$device", record.Device);
            command.Parameters.AddWithValue("$target", record.Target);
            command.Parameters.AddWithValue("$created", record.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$expires", (object?)record.ExpiresAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
            command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(record, Json));
            command.ExecuteNonQuery();
        }
        finally
        {
            _lock.Release();
        }
    }

    public ValueTask<ContainmentRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        SingleAsync("id = $value", id, cancellationToken);

    public ValueTask<ContainmentRecord?> FindAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        SingleAsync("idempotency_key = $value", idempotencyKey, cancellationToken);

    public async ValueTask<IReadOnlyList<ContainmentRecord>> ListAsync(bool activeOnly, int limit, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT body FROM containments {(activeOnly ? "WHERE status IN ('pending', 'active')" : "")} ORDER BY created_at DESC, id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$limit", limit);
            return Read(command);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask<IReadOnlyList<ContainmentRecord>> ForTargetAsync(string target, int limit, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT body FROM containments WHERE target = $target ORDER BY created_at DESC, id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$target", target);
            command.Parameters.AddWithValue("$limit", limit);
            return Read(command);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose()
    {
        if (_ownsConnection)
        {
            _connection.Dispose();
            _lock.Dispose();
        }
    }

    private static List<ContainmentRecord> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var records = new List<ContainmentRecord>();
        while (reader.Read())
        {
            records.Add(JsonSerializer.Deserialize<ContainmentRecord>(reader.GetString(0), Json)!);
        }

        return records;
    }

    private async ValueTask<ContainmentRecord?> SingleAsync(string where, string value, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT body FROM containments WHERE {where}";
            command.Parameters.AddWithValue("$value", value);
            return command.ExecuteScalar() is string body ? JsonSerializer.Deserialize<ContainmentRecord>(body, Json) : null;
        }
        finally
        {
            _lock.Release();
        }
    }
}
