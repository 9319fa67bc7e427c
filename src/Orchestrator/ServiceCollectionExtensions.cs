using Orchestrator.Alerting;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Api;
using Orchestrator.Configuration;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Detection;
using Orchestrator.Ingestion;
using Orchestrator.Listeners;
using Orchestrator.Response;

namespace Orchestrator;

/// <summary>The one place that composes the application's services.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Services every verb needs: parsers, the store, the ingest pipeline, Mediator.</summary>
    public static IServiceCollection AddOrchestratorCore(this IServiceCollection services, AppSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(ParserRegistry.CreateDefault());
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton(new IngestPipelineOptions());
        services.AddSingleton<IEventStore>(sp => StoreFactory.Open(settings, sp.GetRequiredService<ParserRegistry>()));
        services.AddSingleton<IngestPipeline>();
        services.AddMediator();
        return services;
    }

    /// <summary>Everything <c>orchestrator serve</c> runs: the writer, the API, the listeners, retention.</summary>
    public static IServiceCollection AddOrchestratorServer(this IServiceCollection services, AppSettings settings)
    {
        services.AddOrchestratorCore(settings);
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton(sp => ApiKeyRing.Load(settings.Config, settings.DataDirectory));
        services.AddSingleton<ApiKeyAuth>();
        services.AddSingleton<BodyIngestion>();
        services.AddSingleton<PrometheusMetrics>();

        // Hosted services stop in reverse order: the writer is added first so it drains after the listeners stop.
        services.AddSingleton<PipelineWriterService>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineWriterService>());
        services.AddListeners(settings);
        services.AddHostedService<RetentionService>();
        services.AddAlerting(settings);
        services.AddDetection(settings);
        services.AddResponse(settings);
        return services;
    }
}
