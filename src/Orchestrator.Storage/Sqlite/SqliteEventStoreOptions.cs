namespace Orchestrator.Storage.Sqlite;

/// <summary>Where the SQLite event store keeps its database and how hard it syncs each commit.</summary>
public sealed class SqliteEventStoreOptions
{
    /// <summary>The directory that holds <c>events.db</c>; created when missing.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>How each commit reaches the disk; see <see cref="SqliteSynchronous"/>.</summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>Memory SQLite may use for its caches before it evicts pages (a soft, process-wide limit).</summary>
    public long MemoryLimitBytes { get; set; } = 64L << 20;

    /// <summary>Throws naming the option and what to do when a value is unusable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException(
                "data is empty; set it to the directory that should hold events.db.",
                nameof(DataDirectory));
        }

        if (DataDirectory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw new ArgumentException(
                $"data '{DataDirectory}' contains characters that are not allowed in a path.",
                nameof(DataDirectory));
        }

        if (MemoryLimitBytes < 8L << 20)
        {
            throw new ArgumentException(
                $"storage.memory_limit {MemoryLimitBytes} bytes is too small; give SQLite at least 8MB.",
                nameof(MemoryLimitBytes));
        }

        if (!Enum.IsDefined(Synchronous))
        {
            throw new ArgumentException(
                $"storage.synchronous '{Synchronous}' is not supported; use Full or Normal.",
                nameof(Synchronous));
        }
    }
}

/// <summary>SQLite's <c>PRAGMA synchronous</c> levels the store offers (the journal is always WAL).</summary>
public enum SqliteSynchronous
{
    /// <summary>Every commit is fsynced before <c>AppendAsync</c> returns: survives power loss.</summary>
    Full,

    /// <summary>
    /// The WAL is fsynced only at checkpoints: a committed batch survives a process crash or
    /// <c>kill -9</c>, but the last commits before a power loss or OS crash may be lost (the
    /// database stays consistent). Faster on slow disks.
    /// </summary>
    Normal,
}
