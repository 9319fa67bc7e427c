namespace Orchestrator.Core.Ingestion;

/// <summary>Batching and back-pressure limits of the ingest pipeline.</summary>
public sealed class IngestPipelineOptions
{
    /// <summary>At most this many items are committed in one transaction.</summary>
    public int MaxBatchItems { get; set; } = 4_096;

    /// <summary>Batches waiting for the writer; listeners wait (back-pressure) when it is full.</summary>
    public int QueueCapacity { get; set; } = 8;

    /// <summary>Delay before retrying a failed commit of fire-and-forget items (doubles up to 30 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
