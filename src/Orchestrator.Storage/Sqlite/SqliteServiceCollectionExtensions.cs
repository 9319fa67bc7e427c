using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Storage.Sqlite;

/// <summary>Registers the SQLite event store as the process's <see cref="IEventStore"/>.</summary>
public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SqliteEventStore"/> as the singleton <see cref="IEventStore"/>; the options
    /// are validated here so a bad setting stops start-up. Needs a <see cref="ParserRegistry"/>
    /// in the container.
    /// </summary>
    public static IServiceCollection AddSqliteEventStore(this IServiceCollection services, Action<SqliteEventStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SqliteEventStoreOptions();
        configure(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(sp => new SqliteEventStore(options, sp.GetRequiredService<ParserRegistry>()));
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<SqliteEventStore>());
        return services;
    }
}
