namespace Orchestrator.Core.Ingestion;

/// <summary>Batching and back-pressure limits of the ingest pipeline.</summary>
public sealed class IngestPipelineOptions
{
    /// <summary>At most this many items are committed in one transaction.</summary>
    public int MaxBatchItems { get; set; } = 4_096;

    /// <summary>
    /// Items waiting for the writer; listeners wait (back-pressure) while a batch would take the
    /// queue past this. A batch larger than the whole queue still goes in when the queue is empty.
    /// Counted in items, not batches, because every waiting event stays on the heap until its
    /// commit: the bound is what keeps garbage collection cheap and memory flat (bench/RESULTS.md).
    /// </summary>
    public int QueueItems { get; set; } = 1_024;

    /// <summary>Delay before retrying a failed commit of fire-and-forget items (doubles up to 30 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
