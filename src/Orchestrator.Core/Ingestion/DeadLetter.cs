namespace Orchestrator.Core.Ingestion;

/// <summary>Input no parser accepted, kept with its raw bytes and the reason so nothing is lost.</summary>
public sealed record DeadLetter(DateTimeOffset ReceivedAt, string Listener, string? Format, string Reason, byte[] Raw)
{
    /// <summary>Store id; 0 until committed.</summary>
    public long Id { get; set; }
}
