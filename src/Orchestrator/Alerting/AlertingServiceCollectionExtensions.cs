using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Configuration;
using Orchestrator.Connectors.Paging;
using Orchestrator.Connectors.Scripts;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;
using Quartz;

namespace Orchestrator.Alerting;

/// <summary>
/// Registers alerting for <c>serve</c>: the pager targets, escalation and scheduled reports, and the
/// Quartz scheduler whose jobs live in the service's own SQLite database (tables created on first start).
/// </summary>
public static class AlertingServiceCollectionExtensions
{
    public static IServiceCollection AddAlerting(this IServiceCollection services, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var alerting = settings.Config.Alerting;
        var policies = Policies(alerting);
        // Config errors were reported (and refused) by ConfigValidator before the service got here.
        var reports = Reports(alerting, []);

        var sender = new PagerHttpSender(PagerHttpSender.CreateHttpClient(), TimeProvider.System);
        var targets = PagerTargets.Build(alerting, sender, TimeProvider.System);
        var missing = policies.Values.SelectMany(p => p.Levels.Select((l, i) => (Policy: p.Name, Level: i, l.Target))).Where(l => !targets.ContainsKey(l.Target)).ToList();
        if (missing.Count > 0)
        {
            throw new ConfigException(string.Join(Environment.NewLine, missing.Select(m => $"alerting.escalation.{m.Policy}[{m.Level}].target: no pager target '{m.Target}' under alerting.pagers")));
        }

        services.AddSingleton(ScriptOptionsFrom(settings.Config.Scripts));
        services.AddKeyedSingleton<IActionConnector, ScriptStep>(ScriptStep.Name);
        services.AddSingleton(sender);
        services.AddSingleton(targets);
        services.AddKeyedSingleton<IActionConnector>(PagerStep.StepName, (sp, _) => new PagerStep(targets, sp.GetRequiredService<IIncidentPaging>()));
        services.AddSingleton(sp => new Escalations(
            sp.GetRequiredService<ISchedulerFactory>(),
            targets,
            policies,
            sp.GetRequiredService<SqliteRunStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Escalations>>()));
        services.AddSingleton<IIncidentPaging>(sp => sp.GetRequiredService<Escalations>());
        services.AddSingleton(reports);

        services.AddScheduler(Path.Combine(settings.DataDirectory, SqliteEventStore.FileName), reports);
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return services;
    }

    /// <summary>
    /// The Quartz scheduler with its jobs in the SQLite database at <paramref name="databasePath"/> (its
    /// tables made when missing): the escalation job, and one cron-triggered job per scheduled report.
    /// </summary>
    public static IServiceCollection AddScheduler(this IServiceCollection services, string databasePath, IReadOnlyDictionary<string, ReportSchedule> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        services.AddQuartz(q =>
        {
            q.UsePersistentStore(store =>
            {
                store.UseSqlite($"Data Source={databasePath};Pooling=False;Default Timeout=30");
                store.ProvisionSchema();
            });
            q.AddJob<EscalationJob>(job => job.WithIdentity(Escalations.JobKey).StoreDurably());
            foreach (var report in reports.Values)
            {
                var key = new JobKey(report.Name, ReportJob.JobGroup);
                q.AddJob<ReportJob>(job => job.WithIdentity(key).StoreDurably());
                q.AddTrigger(trigger => trigger
                    .WithIdentity(report.Name, ReportJob.JobGroup)
                    .ForJob(key)
                    .WithCronSchedule(report.Cron, cron => cron.InTimeZone(report.TimeZone)));
            }
        });
        return services;
    }

    /// <summary>The <c>script</c> step's options from <c>scripts:</c>; throws <see cref="ConfigException"/> naming the key.</summary>
    public static ScriptOptions ScriptOptionsFrom(ScriptsConfig scripts)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        var options = new ScriptOptions
        {
            MaxOutputBytes = (int)Math.Min(int.MaxValue, ByteSizes.Parse(scripts.MaxOutput)),
            MaxOutputBytesLimit = (int)Math.Min(int.MaxValue, ByteSizes.Parse(scripts.MaxOutputLimit)),
            DefaultTimeout = scripts.Timeout is null ? null : Durations.Parse(scripts.Timeout),
        };
        foreach (var directory in scripts.AllowedDirs)
        {
            options.AllowedDirectories.Add(directory);
        }

        foreach (var name in scripts.PassEnv)
        {
            options.PassEnvironment.Add(name);
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ConfigException(ex.Message.Split(" (Parameter")[0], ex);
        }

        return options;
    }

    /// <summary>The escalation policies of the config (checked by <see cref="ConfigValidator"/> first).</summary>
    public static IReadOnlyDictionary<string, EscalationPolicy> Policies(AlertingConfig alerting)
    {
        ArgumentNullException.ThrowIfNull(alerting);
        return alerting.Escalation.ToDictionary(
            p => p.Key,
            p => new EscalationPolicy(p.Key, [.. p.Value.Select(l => new EscalationLevel(l.After is null ? TimeSpan.Zero : Durations.Parse(l.After), l.Target))]),
            StringComparer.Ordinal);
    }

    /// <summary>The scheduled reports of the config, by name; problems go to <paramref name="errors"/>.</summary>
    public static IReadOnlyDictionary<string, ReportSchedule> Reports(AlertingConfig alerting, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(alerting);
        return ReportJob.Parse(alerting.Reports.Select(r => (r.Name, r.Report, r.Cron, r.TimeZone, (IReadOnlyList<string>)r.To, r.Period)), errors);
    }
}
