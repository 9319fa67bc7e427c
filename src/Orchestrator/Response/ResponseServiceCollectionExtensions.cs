using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Cli;
using Orchestrator.Connectors.Switches;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Containment;
using Orchestrator.Configuration;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Incidents;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Response;

/// <summary>Registers the rules engine, the action runner and their stores for <c>serve</c>.</summary>
public static class ResponseServiceCollectionExtensions
{
    public static IServiceCollection AddResponse(this IServiceCollection services, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = settings.Config.Response;
        services.AddSingleton(sp => (SqliteEventStore)sp.GetRequiredService<IEventStore>());
        services.AddSingleton(sp => new SqliteRunStore(sp.GetRequiredService<SqliteEventStore>()));
        services.AddSingleton(sp => new SqliteRuleStateStore(sp.GetRequiredService<SqliteEventStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new IncidentTracker(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LogNotifier>();
        services.AddKeyedSingleton<IActionConnector, LogStep>(StepCatalog.Log);
        services.AddKeyedSingleton<IActionConnector, NotifyStep>(StepCatalog.Notify);
        AddSwitchSteps(services);
        services.AddSingleton(new ResponseOptions
        {
            PlaybookDirectory = Path.GetFullPath(config.Playbooks),
            DryRun = config.DryRun,
            MaxConcurrentRuns = config.MaxConcurrentRuns,
            LoaderOptions = PlaybookSetup.LoaderOptions,
        });
        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var connectors = PlaybookSetup.Steps.Names
                .Select(name => (name, connector: sp.GetKeyedService<IActionConnector>(name)))
                .Where(c => c.connector is not null)
                .ToDictionary(c => c.name, c => c.connector!, StringComparer.Ordinal);
            return new ActionRunner(
                connectors,
                sp.GetRequiredService<SqliteRunStore>(),
                sp.GetRequiredService<INotifier>(),
                () => sp.GetRequiredService<ResponseService>().Active?.Set.Inventory.Protected ?? ProtectedAssets.None,
                new BlastRadiusBreaker(new BlastRadiusLimits(config.BlastRadius.Global, config.BlastRadius.PerPlaybook, Durations.Parse(config.BlastRadius.Window)), time),
                new RunnerOptions
                {
                    DryRun = config.DryRun,
                    DefaultStepTimeout = Durations.Parse(config.StepTimeout),
                },
                time,
                Random.Shared.NextDouble,
                sp.GetRequiredService<ILogger<ActionRunner>>());
        });
        services.AddSingleton<ResponseService>();
        services.AddHostedService(sp => sp.GetRequiredService<ResponseService>());
        return services;
    }

    // The switch containment steps, over the inventory of the playbooks in force and the ledger in the service's database.
    private static void AddSwitchSteps(IServiceCollection services)
    {
        services.AddSingleton(sp => new SqliteContainmentLedger(sp.GetRequiredService<SqliteEventStore>()));
        services.AddSingleton<IContainmentLedger>(sp => sp.GetRequiredService<SqliteContainmentLedger>());
        services.AddSingleton<IReadOnlyDictionary<string, ISwitchDriver>>(sp => new Dictionary<string, ISwitchDriver>(StringComparer.Ordinal)
        {
            [SnmpSwitchDriver.Name] = new SnmpSwitchDriver(sp.GetRequiredService<TimeProvider>()),
            [LinuxBridgeDriver.DriverName] = new LinuxBridgeSwitchDriver(sp.GetRequiredService<SshSessionPool>(), sp.GetRequiredService<TimeProvider>()),
            [CiscoIosDriver.DriverName] = new CiscoIosDriver(sp.GetRequiredService<SshSessionPool>(), sp.GetRequiredService<TimeProvider>()),
            [ArubaAoscxDriver.DriverName] = new ArubaAoscxDriver(sp.GetRequiredService<SshSessionPool>(), sp.GetRequiredService<TimeProvider>()),
            [JunosDriver.DriverName] = new JunosDriver(sp.GetRequiredService<SshSessionPool>(), sp.GetRequiredService<TimeProvider>()),
        });
        services.AddSingleton<SshSessionPool>();
        Func<Inventory> Inventory(IServiceProvider sp) => () => sp.GetRequiredService<ResponseService>().Active?.Set.Inventory ?? Core.Playbooks.Inventory.Empty;
        services.AddKeyedSingleton<IActionConnector>(SwitchContainmentStep.ShutdownName, (sp, _) => new SwitchContainmentStep(
            PortChange.Shutdown, Inventory(sp), sp.GetRequiredService<IReadOnlyDictionary<string, ISwitchDriver>>(), sp.GetRequiredService<IContainmentLedger>(), sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton<IActionConnector>(SwitchContainmentStep.QuarantineName, (sp, _) => new SwitchContainmentStep(
            PortChange.Quarantine, Inventory(sp), sp.GetRequiredService<IReadOnlyDictionary<string, ISwitchDriver>>(), sp.GetRequiredService<IContainmentLedger>(), sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton<IActionConnector>(SwitchReleaseStep.Name, (sp, _) => new SwitchReleaseStep(
            Inventory(sp), sp.GetRequiredService<IReadOnlyDictionary<string, ISwitchDriver>>(), sp.GetRequiredService<IContainmentLedger>(), sp.GetRequiredService<TimeProvider>()));
    }
}
