using System.Text;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Core.Ingestion;

/// <summary>
/// Turns the lines of one stream (a connection, a file, a request body) into items to commit:
/// parsed events with the header context they need, and dead letters with the raw bytes and the
/// reason for every line no parser accepted. Not thread-safe: one per stream.
/// </summary>
public sealed class StreamIngestor
{
    /// <summary>The format name recorded on dead letters whose format was recognised by auto-detection only.</summary>
    public const string UnknownFormat = "unknown";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly ParsingSession _session;
    private readonly string _format;
    private readonly IngestMetrics _metrics;

    public StreamIngestor(ParserRegistry registry, string format, string listener, IngestMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _session = registry.StartSession(format);
        _format = format;
        Listener = listener;
        _metrics = metrics;
    }

    public string Listener { get; }

    /// <summary>Parses one line given as UTF-8 bytes; a rejected line keeps its exact bytes.</summary>
    public void Add(ReadOnlySpan<byte> utf8Line, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        var text = StrictUtf8.GetString(utf8Line);
        AddCore(text, utf8Line, receivedAt, into);
    }

    /// <summary>Parses one line given as text.</summary>
    public void Add(string line, DateTimeOffset receivedAt, List<IngestItem> into) => AddCore(line, default, receivedAt, into);

    /// <summary>Keeps input that was refused before parsing (oversize, bad framing) as a dead letter.</summary>
    public void Reject(ReadOnlySpan<byte> raw, string reason, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var format = _format == EventFormats.Auto ? UnknownFormat : _format;
        _metrics.AddReceived(Listener, format, 1);
        into.Add(IngestItem.ForDeadLetter(new DeadLetter(receivedAt, Listener, format, reason, raw.ToArray())));
    }

    private void AddCore(string text, ReadOnlySpan<byte> rawBytes, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var line = text.EndsWith('\r') ? text[..^1] : text;
        var result = _session.Parse(line, receivedAt);
        switch (result.Outcome)
        {
            case ParseOutcome.Event:
                var evt = result.Event!;
                evt.Ingested = receivedAt;
                _metrics.AddReceived(Listener, evt.Format, 1);
                var context = evt.Format == _session.ContextFormat ? _session.Context : null;
                into.Add(IngestItem.ForEvent(evt, context, Listener));
                break;
            case ParseOutcome.Rejected:
                var raw = rawBytes.IsEmpty ? Encoding.UTF8.GetBytes(text) : rawBytes.ToArray();
                Reject(raw, result.Error!, receivedAt, into);
                break;
            default:
                break;
        }
    }
}
