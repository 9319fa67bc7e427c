using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// A write connection and the lock that serialises its use: in the service, the event store's writer, shared by the
/// stores beside it (one writer per database file); in the CLI and tests, a connection of the store's own, closed
/// with it.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private readonly bool _owned;

    private SqliteWriter(SqliteConnection connection, SemaphoreSlim gate, bool owned)
    {
        Connection = connection;
        Lock = gate;
        _owned = owned;
    }

    public SqliteConnection Connection { get; }

    public SemaphoreSlim Lock { get; }

    /// <summary>The running service's event-store writer.</summary>
    public static SqliteWriter Shared(SqliteEventStore events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var (connection, gate) = events.SharedWriter;
        return new SqliteWriter(connection, gate, owned: false);
    }

    /// <summary>A connection of its own to <paramref name="databasePath"/> (schema brought up to date).</summary>
    public static SqliteWriter Open(string databasePath, SqliteSynchronous synchronous) =>
        new(SqliteSchema.OpenWriter(databasePath, synchronous), new SemaphoreSlim(1, 1), owned: true);

    /// <summary>Runs <paramref name="work"/> on the connection while holding the lock.</summary>
    public async ValueTask<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return work(Connection);
        }
        finally
        {
            Lock.Release();
        }
    }

    public void Dispose()
    {
        if (_owned)
        {
            Connection.Dispose();
            Lock.Dispose();
        }
    }
}
