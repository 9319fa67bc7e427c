using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Cli;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Switches;
using Orchestrator.Containment;
using Quartz;
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
        AddFirewallSteps(services, config.Containment);
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

    // The firewall steps, their batcher, the expiry timers and the reconcile, over the same inventory and ledger.
    private static void AddFirewallSteps(IServiceCollection services, ContainmentConfig config)
    {
        var options = new FirewallBlockOptions
        {
            DefaultDuration = Durations.Parse(config.DefaultBlock),
            Repeat = new RepeatOffenders(config.Repeat.Multiplier, Durations.Parse(config.Repeat.Max), Durations.Parse(config.Repeat.Lookback)),
        };
        services.AddSingleton(sp => FirewallDrivers.Create(sp.GetRequiredService<SshSessionPool>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FirewallBatcher(sp.GetRequiredService<IReadOnlyDictionary<string, IFirewallDriver>>()));
        services.AddSingleton(sp => new ContainmentExpiries(sp.GetRequiredService<ISchedulerFactory>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ContainmentExpiries>>()));
        services.AddSingleton<IContainmentExpiry>(sp => sp.GetRequiredService<ContainmentExpiries>());
        services.AddKeyedSingleton<IActionConnector>(FirewallBlockStep.Name, (sp, _) => new FirewallBlockStep(
            Inventory(sp), sp.GetRequiredService<FirewallBatcher>(), sp.GetRequiredService<IReadOnlyDictionary<string, IFirewallDriver>>(),
            sp.GetRequiredService<IContainmentLedger>(), sp.GetRequiredService<IContainmentExpiry>(), options, sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton<IActionConnector>(FirewallUnblockStep.Name, (sp, _) => new FirewallUnblockStep(
            Inventory(sp), sp.GetRequiredService<FirewallBatcher>(), sp.GetRequiredService<IContainmentLedger>(), sp.GetRequiredService<IContainmentExpiry>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FirewallReconciler(
            Inventory(sp), sp.GetRequiredService<IReadOnlyDictionary<string, IFirewallDriver>>(), sp.GetRequiredService<FirewallBatcher>(),
            sp.GetRequiredService<IContainmentLedger>(), sp.GetRequiredService<SqliteRunStore>(), sp.GetRequiredService<INotifier>(),
            config.Reconcile.Drift == "reapply", sp.GetRequiredService<TimeProvider>()));
    }

    // The inventory of the playbooks in force (empty before start).
    private static Func<Inventory> Inventory(IServiceProvider sp) => () => sp.GetRequiredService<ResponseService>().Active?.Set.Inventory ?? Core.Playbooks.Inventory.Empty;

    // The switch containment steps, over the inventory of the playbooks in force and the ledger in the service's database.
    private static void AddSwitchSteps(IServiceCollection services)
    {
        services.AddSingleton(sp => new SqliteContainmentLedger(sp.GetRequiredService<SqliteEventStore>()));
        services.AddSingleton<IContainmentLedger>(sp => sp.GetRequiredService<SqliteContainmentLedger>());
        services.AddSingleton(sp => SwitchDrivers.Create(sp.GetRequiredService<SshSessionPool>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new SwitchLocator(sp.GetRequiredService<IReadOnlyDictionary<string, ISwitchDriver>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SshSessionPool>();
        services.AddKeyedSingleton<IActionConnector>(SwitchContainmentStep.ShutdownName, (sp, _) => new SwitchContainmentStep(
            PortChange.Shutdown, Inventory(sp), sp.GetRequiredService<IReadOnlyDictionary<string, ISwitchDriver>>(), sp.GetRequiredService<IContainmentLedger>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IContainmentExpiry>()));
        services.AddKeyedSingleton<IActionConnector>(SwitchContainmentStep.QuarantineName, (sp, _) => new SwitchContainmentStep(
            PortChange.Quarantine, Inventory(sp), sp.GetRequiredService<IReadOnlyDictionary<string, ISwitchDriver>>(), sp.GetRequiredService<IContainmentLedger>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IContainmentExpiry>()));
        services.AddKeyedSingleton<IActionConnector>(NetworkLocateStep.Name, (sp, _) => new NetworkLocateStep(Inventory(sp), sp.GetRequiredService<SwitchLocator>()));
        services.AddKeyedSingleton<IActionConnector>(SwitchReleaseStep.Name, (sp, _) => new SwitchReleaseStep(
            Inventory(sp), sp.GetRequiredService<IReadOnlyDictionary<string, ISwitchDriver>>(), sp.GetRequiredService<IContainmentLedger>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IContainmentExpiry>()));
    }
}
