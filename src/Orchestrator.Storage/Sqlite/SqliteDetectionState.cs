using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// Up to which stored event the detectors have processed (and that event's @timestamp): they go on
/// after it at start and rebuild their windows from the events before it.
/// </summary>
public sealed class SqliteDetectionState : IDisposable
{
    private readonly SqliteWriter _writer;

    /// <summary>On the running service's event-store writer.</summary>
    public SqliteDetectionState(SqliteEventStore events) => _writer = SqliteWriter.Shared(events);

    /// <summary>The checkpoint and its event time; (0, null) before the detectors first saved one.</summary>
    public ValueTask<(long Checkpoint, DateTimeOffset? Time)> ReadAsync(CancellationToken cancellationToken) =>
        _writer.RunAsync<(long, DateTimeOffset?)>(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT checkpoint, ts_ms FROM detection_state WHERE id = 1";
                using var rows = command.ExecuteReader();
                return rows.Read() ? (rows.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(1))) : (0, null);
            },
            cancellationToken);

    public ValueTask SaveAsync(long checkpoint, DateTimeOffset time, CancellationToken cancellationToken) =>
        new(_writer.RunAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = """
                    INSERT INTO detection_state(id, checkpoint, ts_ms) VALUES(1, $checkpoint, $ts)
                    ON CONFLICT(id) DO UPDATE SET checkpoint = excluded.checkpoint, ts_ms = excluded.ts_ms
                    """;
                command.Parameters.AddWithValue("$checkpoint", checkpoint);
                command.Parameters.AddWithValue("$ts", time.ToUnixTimeMilliseconds());
                return command.ExecuteNonQuery();
            },
            cancellationToken).AsTask());

    public void Dispose() => _writer.Dispose();
}
