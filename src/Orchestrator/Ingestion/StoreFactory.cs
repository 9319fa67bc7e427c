using Orchestrator.Configuration;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Ingestion;

/// <summary>Opens the configured event store (SQLite under the data directory).</summary>
public static class StoreFactory
{
    public static IEventStore Open(AppSettings settings, ParserRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new SqliteEventStoreOptions
        {
            DataDirectory = settings.DataDirectory,
            Synchronous = settings.Config.Storage.Synchronous == "normal" ? SqliteSynchronous.Normal : SqliteSynchronous.Full,
            MemoryLimitBytes = ByteSizes.Parse(settings.Config.Storage.MemoryLimit),
        };
        options.Validate();
        return new SqliteEventStore(options, registry);
    }
}
