using Microsoft.Extensions.Hosting;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Ingestion;

/// <summary>
/// Runs the ingest pipeline's writer for the life of the host. Registered before the listeners,
/// so it stops after them: on shutdown it drains and commits everything already accepted.
/// </summary>
public sealed class PipelineWriterService(IngestPipeline pipeline) : IHostedService
{
    private Task? _run;

    public bool IsRunning => _run is { IsCompleted: false };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _run = Task.Run(() => pipeline.RunAsync(CancellationToken.None), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        pipeline.Complete();
        if (_run is not null)
        {
            await _run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
