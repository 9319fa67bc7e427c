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

    private readonly SqliteWriter _writer;

    /// <summary>Writes through the write connection of the running service's event store.</summary>
    public SqliteContainmentLedger(SqliteEventStore events) => _writer = SqliteWriter.Shared(events);

    /// <summary>Opens <paramref name="databasePath"/> on a connection of its own (the CLI, tests).</summary>
    public SqliteContainmentLedger(string databasePath, SqliteSynchronous synchronous) => _writer = SqliteWriter.Open(databasePath, synchronous);

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
        await _writer.RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
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
            return command.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ContainmentRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE id = $value", id, 1, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    public async ValueTask<ContainmentRecord?> FindAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE idempotency_key = $value", idempotencyKey, 1, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    public ValueTask<IReadOnlyList<ContainmentRecord>> ListAsync(bool activeOnly, int limit, CancellationToken cancellationToken) =>
        QueryAsync(activeOnly ? "WHERE status IN ('pending', 'active')" : "", null, limit, cancellationToken);

    public ValueTask<IReadOnlyList<ContainmentRecord>> ForTargetAsync(string target, int limit, CancellationToken cancellationToken) =>
        QueryAsync("WHERE target = $value", target, limit, cancellationToken);

    public void Dispose() => _writer.Dispose();

    // Records newest first; <paramref name="where"/> is one of this class's constant clauses, its one value bound as $value.
    private ValueTask<IReadOnlyList<ContainmentRecord>> QueryAsync(string where, string? value, int limit, CancellationToken cancellationToken) =>
        _writer.RunAsync<IReadOnlyList<ContainmentRecord>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT body FROM containments {where} ORDER BY created_at DESC, id DESC LIMIT $limit";
            if (value is not null)
            {
                command.Parameters.AddWithValue("$value", value);
            }

            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var records = new List<ContainmentRecord>();
            while (reader.Read())
            {
                records.Add(JsonSerializer.Deserialize<ContainmentRecord>(reader.GetString(0), Json)!);
            }

            return records;
        }, cancellationToken);
}
