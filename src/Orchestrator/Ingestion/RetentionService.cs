using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Configuration;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Ingestion;

/// <summary>Applies the retention policy (age and size) at start and then every <c>retention.interval</c>.</summary>
public sealed partial class RetentionService(IEventStore store, AppSettings settings, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Retention is { MaxAge: null, MaxBytes: null })
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.RetentionInterval, time);
        do
        {
            try
            {
                var result = await store.ApplyRetentionAsync(settings.Retention, time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                if (result.EventsDeleted > 0 || result.DeadLettersDeleted > 0)
                {
                    LogDeleted(result.EventsDeleted, result.DeadLettersDeleted);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Events} events and {DeadLetters} dead letters")]
    private partial void LogDeleted(long events, long deadLetters);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention pass failed; it runs again at the next interval")]
    private partial void LogFailed(Exception exception);
}
