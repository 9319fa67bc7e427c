using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Configuration;
using Orchestrator.Connectors.Email;
using Orchestrator.Connectors.Paging;
using Orchestrator.Connectors.Scripts;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Ingestion;
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

        var smtp = alerting.Smtp is null ? null : SmtpOptionsFrom(alerting.Smtp);
        if (smtp is null && alerting.Reports.Count > 0)
        {
            throw new ConfigException("alerting.reports: reports are emailed; configure alerting.smtp (host, port, from) first");
        }

        if (smtp is null)
        {
            services.AddSingleton<IEmailSender, UnconfiguredEmailSender>();
        }
        else
        {
            services.AddSingleton(sp => new SmtpEmailSender(smtp, sp.GetRequiredService<ILogger<SmtpEmailSender>>(), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<SmtpEmailSender>());
            if (smtp.MaxPerRecipient > 0)
            {
                services.AddSingleton(sp => new EmailRateLimiter(smtp, sp.GetRequiredService<IEmailSender>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EmailRateLimiter>>()));
            }
        }

        services.AddKeyedSingleton<IActionConnector>(EmailStep.Name, (sp, _) => new EmailStep(sp.GetRequiredService<IEmailSender>(), sp.GetService<EmailRateLimiter>(), sp.GetRequiredService<IEventStore>()));
        var pageAt = alerting.Notify.PageAt switch
        {
            "critical" => NotificationSeverity.Critical,
            "warning" => NotificationSeverity.Warning,
            "info" => NotificationSeverity.Info,
            _ => throw new ConfigException($"alerting.notify.page_at: '{alerting.Notify.PageAt}' is not critical, warning or info"),
        };
        if (alerting.Notify.Pagers.FirstOrDefault(name => !targets.ContainsKey(name)) is { } unknownPager)
        {
            throw new ConfigException($"alerting.notify.pagers: no pager target '{unknownPager}' under alerting.pagers");
        }

        if (alerting.Notify.Email.Count > 0 && smtp is null)
        {
            throw new ConfigException("alerting.notify.email: configure alerting.smtp (host, port, from) to send email");
        }

        services.AddSingleton<INotifier>(sp => new ChannelNotifier(
            alerting.Notify.Email,
            targets.Where(t => alerting.Notify.Pagers.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
            pageAt,
            sp.GetRequiredService<IEmailSender>(),
            sp.GetRequiredService<LogNotifier>(),
            sp.GetRequiredService<ILogger<ChannelNotifier>>()));
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

        services.AddScheduler(Path.Combine(settings.DataDirectory, SqliteEventStore.FileName), reports, Durations.Parse(settings.Config.Response.Containment.Reconcile.Every));
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return services;
    }

    /// <summary>
    /// The Quartz scheduler with its jobs in the SQLite database at <paramref name="databasePath"/> (its
    /// tables made when missing): the escalation job, one cron-triggered job per scheduled report, the containment
    /// expiry job, and the containment reconcile every <paramref name="reconcileEvery"/> (none when null).
    /// </summary>
    public static IServiceCollection AddScheduler(this IServiceCollection services, string databasePath, IReadOnlyDictionary<string, ReportSchedule> reports, TimeSpan? reconcileEvery = null)
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
            q.AddJob<Containment.ContainmentExpiryJob>(job => job.WithIdentity(Containment.ContainmentExpiries.JobKey).StoreDurably());
            if (reconcileEvery is { } every)
            {
                q.AddJob<Containment.ContainmentReconcileJob>(job => job.WithIdentity(Containment.ContainmentReconcileJob.JobKey).StoreDurably());
                q.AddTrigger(trigger => trigger
                    .WithIdentity("reconcile", Containment.ContainmentExpiries.JobGroup)
                    .ForJob(Containment.ContainmentReconcileJob.JobKey)
                    .StartAt(DateTimeOffset.UtcNow + every)
                    .WithSimpleSchedule(schedule => schedule.WithInterval(every).RepeatForever()));
            }

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

    /// <summary>The SMTP options from <c>alerting.smtp</c>, the password resolved; throws <see cref="ConfigException"/> naming every problem.</summary>
    public static SmtpOptions SmtpOptionsFrom(SmtpConfig smtp)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        var errors = new List<string>();
        SmtpSecurity? security = smtp.Security switch
        {
            "starttls" => SmtpSecurity.StartTls,
            "tls" => SmtpSecurity.Tls,
            "none" => SmtpSecurity.None,
            _ => null,
        };
        if (security is null)
        {
            errors.Add($"security: '{smtp.Security}' is not starttls, tls or none");
        }

        string? password = null;
        if (smtp.Password is not null)
        {
            if (SecretReference.IsReference(smtp.Password))
            {
                password = ConfigLoader.ResolveSecret("alerting.smtp.password", smtp.Password);
            }
            else
            {
                errors.Add("password: write it by reference, ${env:NAME} or ${file:PATH}, never the secret itself");
            }
        }

        var options = new SmtpOptions
        {
            Host = smtp.Host,
            Port = smtp.Port,
            Security = security ?? SmtpSecurity.StartTls,
            Username = smtp.Username,
            Password = password,
            From = smtp.From,
            CaFile = smtp.CaFile,
            PinnedSha256 = smtp.PinnedSha256,
            Timeout = Duration("timeout", smtp.Timeout, errors),
            RetryAttempts = smtp.RetryAttempts,
            RetryBackoff = Duration("retry_backoff", smtp.RetryBackoff, errors),
            MaxPerRecipient = smtp.MaxPerRecipient,
            Per = Duration("per", smtp.Per, errors),
            Digest = smtp.Digest,
        };
        errors.AddRange(SmtpOptions.Validate(options));
        return errors.Count > 0
            ? throw new ConfigException(string.Join(Environment.NewLine, errors.Select(e => "alerting.smtp." + e)))
            : options;
    }

    private static TimeSpan Duration(string key, string text, List<string> errors)
    {
        if (Durations.TryParse(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        errors.Add($"{key}: '{text}' is not a duration like 30s, 10m or 1h");
        return TimeSpan.FromSeconds(1);
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
        return ReportJob.Parse(alerting.Reports, errors);
    }
}
