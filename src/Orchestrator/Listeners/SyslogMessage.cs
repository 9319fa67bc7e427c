using System.Globalization;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Listeners;

/// <summary>Hands one received message to the ingestor: size cap, trailer trimming, and a guard so no input stops a listener.</summary>
internal sealed class SyslogMessage
{
    private readonly StreamIngestor _ingestor;
    private readonly int _maxBytes;
    private readonly string _oversizeReason;

    public SyslogMessage(StreamIngestor ingestor, int maxBytes)
    {
        _ingestor = ingestor;
        _maxBytes = maxBytes;
        _oversizeReason = OversizeReason(maxBytes);
    }

    public int MaxBytes => _maxBytes;

    public static string OversizeReason(int maxBytes) =>
        string.Create(CultureInfo.InvariantCulture, $"message longer than {maxBytes} bytes");

    /// <summary>A message whose trailer (LF, CRLF, NUL) may still be attached, as UDP senders and some octet-counting senders add one.</summary>
    public void AddTrimmed(ReadOnlySpan<byte> message, DateTimeOffset receivedAt, List<IngestItem> into) =>
        Add(message.TrimEnd("\r\n\0"u8), receivedAt, into);

    /// <summary>A message without its trailer; an empty one carries nothing and is skipped.</summary>
    public void Add(ReadOnlySpan<byte> message, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        if (message.IsEmpty)
        {
            return;
        }

        if (message.Length > _maxBytes)
        {
            RejectOversize(message[.._maxBytes], receivedAt, into);
            return;
        }

        try
        {
            _ingestor.Add(message, receivedAt, into);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Parsers promise not to throw; if one does, the line is kept as a dead letter rather than taking the listener down.
            _ingestor.Reject(message, "parser failed: " + ex.GetType().Name + ": " + ex.Message, receivedAt, into);
        }
    }

    /// <summary>Keeps the first <see cref="MaxBytes"/> bytes of a longer message.</summary>
    public void RejectOversize(ReadOnlySpan<byte> head, DateTimeOffset receivedAt, List<IngestItem> into) =>
        _ingestor.Reject(head, _oversizeReason, receivedAt, into);

    public void Reject(ReadOnlySpan<byte> raw, string reason, DateTimeOffset receivedAt, List<IngestItem> into) =>
        _ingestor.Reject(raw, reason, receivedAt, into);
}
