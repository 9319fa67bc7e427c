using Orchestrator.Configuration;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Ingestion;

/// <summary>Opens the configured event store (SQLite under the data directory).</summary>
public static class StoreFactory
{
    public static IEventStore Open(AppSettings settings, ParserRegistry registry) => throw new NotImplementedException();
}
