using Orchestrator.Core.Containment;
using Orchestrator.Response;
using Quartz;

namespace Orchestrator.Containment;

/// <summary>
/// Containment expiries as Quartz triggers in the persistent job store (the service's SQLite database): one trigger
/// per containment, keyed by its id, so moving an expiry replaces it and a release removes it. A trigger overdue at
/// start fires at once; the service also re-schedules every active containment's expiry at start, which covers a
/// crash between recording a block and scheduling its end.
/// </summary>
public sealed class ContainmentExpiries(ISchedulerFactory schedulers, TimeProvider time) : IContainmentExpiry
{
    public const string JobGroup = "containment-expiry";

    /// <summary>The one durable job every expiry trigger fires; the trigger carries the containment id.</summary>
    public static readonly JobKey JobKey = new("expire", JobGroup);

    internal const string ContainmentKey = "containment";

    public async ValueTask ScheduleAsync(string containmentId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(new TriggerKey(containmentId, JobGroup))
            .ForJob(JobKey)
            .StartAt(at)
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .UsingJobData(ContainmentKey, containmentId)
            .Build();
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CancelAsync(string containmentId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        await scheduler.UnscheduleJob(new TriggerKey(containmentId, JobGroup), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>When the containment's expiry is due (null: none scheduled).</summary>
    public async ValueTask<DateTimeOffset?> DueAsync(string containmentId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        return (await scheduler.GetTrigger(new TriggerKey(containmentId, JobGroup), cancellationToken).ConfigureAwait(false))?.NextFireTimeUtc;
    }
}

/// <summary>An expiry's timer fired: the service undoes the containment on its device and marks it expired.</summary>
public sealed class ContainmentExpiryJob(ResponseService response) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = context.MergedJobDataMap.GetString(ContainmentExpiries.ContainmentKey)
            ?? throw new JobExecutionException($"an expiry trigger without '{ContainmentExpiries.ContainmentKey}'");
        await response.ExpireContainmentAsync(id, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The reconcile timer fired: compare the ledger with every firewall.</summary>
[DisallowConcurrentExecution]
public sealed class ContainmentReconcileJob(FirewallReconciler reconciler) : IJob
{
    public static readonly JobKey JobKey = new("reconcile", ContainmentExpiries.JobGroup);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await reconciler.ReconcileAsync(cancellationToken).ConfigureAwait(false);
}
