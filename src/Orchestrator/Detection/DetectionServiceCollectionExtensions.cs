using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Configuration;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Ingestion;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Detection;

/// <summary>Registers the detectors and their stores for <c>serve</c> (when <c>detection.enabled</c>).</summary>
public static class DetectionServiceCollectionExtensions
{
    public static IServiceCollection AddDetection(this IServiceCollection services, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<string>();
        var options = DetectionOptions.Parse(settings.Config.Detection, errors);
        if (errors.Count > 0)
        {
            // The config was validated at load; reaching here means a caller skipped that.
            throw new InvalidOperationException("detection: " + string.Join("; ", errors));
        }

        services.AddSingleton(options);
        // The scheduled reports read the running detector's record; with detection off, the saved one brought up to date.
        services.AddSingleton(sp =>
        {
            var events = (SqliteEventStore)sp.GetRequiredService<IEventStore>();
            return options.Enabled
                ? ReportData.FromDetection(events, sp.GetRequiredService<DetectionService>())
                : ReportData.FromStore(events, new SqliteFirstSeenStore(events), options.FirstSeen);
        });
        if (!options.Enabled)
        {
            return services;
        }

        services.AddSingleton(sp => new SqliteDetectionState((SqliteEventStore)sp.GetRequiredService<IEventStore>()));
        services.AddSingleton<IFirstSeenStore>(sp => new SqliteFirstSeenStore((SqliteEventStore)sp.GetRequiredService<IEventStore>()));
        services.AddSingleton<DetectionService>();
        services.AddHostedService(sp => sp.GetRequiredService<DetectionService>());
        return services;
    }
}
