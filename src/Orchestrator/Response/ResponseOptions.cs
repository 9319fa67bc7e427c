using Orchestrator.Core.Playbooks;

namespace Orchestrator.Response;

/// <summary>The response service's settings, from the <c>response:</c> section of the configuration.</summary>
public sealed class ResponseOptions
{
    public required string PlaybookDirectory { get; init; }

    public bool DryRun { get; init; } = true;

    public int MaxConcurrentRuns { get; init; } = 64;

    public PlaybookLoaderOptions LoaderOptions { get; init; } = new();
}
