using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Containment;
using Orchestrator.Response;
using Quartz;

namespace Orchestrator.Containment;

/// <summary>
/// Containment expiries as Quartz triggers in the persistent job store (the service's SQLite database): one trigger
/// per containment, keyed by its id, so moving an expiry replaces it and a release removes it. A trigger overdue at
/// start fires at once. Changes are queued and written in batches — one job-store transaction for everything queued
/// while the last was written — because a transaction per block made a burst of 1,000 blocks wait ~30 s on the
/// database. A change still queued at a crash is not lost: at start the service schedules every active
/// containment's expiry again from the ledger.
/// </summary>
public sealed partial class ContainmentExpiries : IContainmentExpiry, IAsyncDisposable
{
    public const string JobGroup = "containment-expiry";

    /// <summary>The one durable job every expiry trigger fires; the trigger carries the containment id.</summary>
    public static readonly JobKey JobKey = new("expire", JobGroup);

    internal const string ContainmentKey = "containment";

    private readonly ISchedulerFactory _schedulers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<(string Id, DateTimeOffset? At)> _changes = Channel.CreateUnbounded<(string, DateTimeOffset?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task> _writer;

    public ContainmentExpiries(ISchedulerFactory schedulers, TimeProvider time, ILogger<ContainmentExpiries> logger)
    {
        _schedulers = schedulers;
        _time = time;
        _logger = logger;
        _writer = new Lazy<Task>(() => Task.Run(WriteAsync));
    }

    public ValueTask ScheduleAsync(string containmentId, DateTimeOffset at, CancellationToken cancellationToken) => QueueAsync(containmentId, at);

    public ValueTask CancelAsync(string containmentId, CancellationToken cancellationToken) => QueueAsync(containmentId, null);

    /// <summary>When the containment's expiry is due (null: none scheduled yet).</summary>
    public async ValueTask<DateTimeOffset?> DueAsync(string containmentId, CancellationToken cancellationToken)
    {
        var scheduler = await _schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        return (await scheduler.GetTrigger(new TriggerKey(containmentId, JobGroup), cancellationToken).ConfigureAwait(false))?.NextFireTimeUtc;
    }

    public async ValueTask DisposeAsync()
    {
        _changes.Writer.TryComplete();
        if (_writer.IsValueCreated)
        {
            await _writer.Value.ConfigureAwait(false);
        }
    }

    private ValueTask QueueAsync(string containmentId, DateTimeOffset? at)
    {
        _ = _writer.Value;
        return _changes.Writer.TryWrite((containmentId, at)) ? ValueTask.CompletedTask : throw new ObjectDisposedException(nameof(ContainmentExpiries));
    }

    private async Task WriteAsync()
    {
        var reader = _changes.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // The last change of each containment wins: a schedule then a cancel leaves none.
            var latest = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
            while (reader.TryRead(out var change))
            {
                latest[change.Id] = change.At;
            }

            try
            {
                var scheduler = await _schedulers.GetScheduler().ConfigureAwait(false);
                var triggers = latest.Where(c => c.Value is not null).Select(c => Trigger(c.Key, c.Value!.Value)).ToList();
                if (triggers.Count > 0)
                {
                    var job = JobBuilder.Create<ContainmentExpiryJob>().WithIdentity(JobKey).StoreDurably().Build();
                    await scheduler.ScheduleJobs(new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>> { [job] = triggers }, new ScheduleJobOptions { Replace = true }).ConfigureAwait(false);
                }

                var cancelled = latest.Where(c => c.Value is null).Select(c => new TriggerKey(c.Key, JobGroup)).ToList();
                if (cancelled.Count > 0)
                {
                    await scheduler.UnscheduleJobs(cancelled).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is SchedulerException or InvalidOperationException)
            {
                // The ledger still has every end: the next start schedules them again.
                LogScheduleFailed(_logger, ex, latest.Count);
            }
        }
    }

    private ITrigger Trigger(string containmentId, DateTimeOffset at) => TriggerBuilder.Create(_time)
        .WithIdentity(new TriggerKey(containmentId, JobGroup))
        .ForJob(JobKey)
        .StartAt(at)
        .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
        .UsingJobData(ContainmentKey, containmentId)
        .Build();

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store {Count} containment expiry change(s) in the job store; they are scheduled again from the ledger at the next start")]
    private static partial void LogScheduleFailed(ILogger logger, Exception exception, int count);
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
