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

    // Invalid bytes become U+FFFD in the text; a dead letter keeps the bytes themselves.
    private static readonly UTF8Encoding ReplacingUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly ParsingSession _session;
    private readonly string _format;
    private readonly IngestMetrics _metrics;
    private string? _countedFormat;
    private IngestMetrics.Counter? _receivedCounter;

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
        var content = utf8Line.EndsWith((byte)'\r') ? utf8Line[..^1] : utf8Line;
        AddCore(ReplacingUtf8.GetString(content), content, utf8Line, null, receivedAt, into);
    }

    /// <summary>Parses one line given as text.</summary>
    public void Add(string line, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        ArgumentNullException.ThrowIfNull(line);
        AddCore(line.EndsWith('\r') ? line[..^1] : line, default, default, line, receivedAt, into);
    }

    /// <summary>Keeps input that was refused before parsing (oversize, bad framing) as a dead letter.</summary>
    public void Reject(ReadOnlySpan<byte> raw, string reason, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        AddDeadLetter(raw.ToArray(), reason, receivedAt, into);
    }

    // rawBytes is the whole line as received (CR included), or empty when the line came as rawText.
    private void AddCore(string line, ReadOnlySpan<byte> utf8Line, ReadOnlySpan<byte> rawBytes, string? rawText, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var result = _session.Parse(line, utf8Line, receivedAt);
        switch (result.Outcome)
        {
            case ParseOutcome.Event:
                var evt = result.Event!;
                evt.Ingested = receivedAt;
                CountReceived(evt.Format);
                var context = evt.Format == _session.ContextFormat ? _session.Context : null;
                into.Add(IngestItem.ForEvent(evt, context, Listener));
                break;
            case ParseOutcome.Rejected:
                var raw = rawText is null ? rawBytes.ToArray() : Encoding.UTF8.GetBytes(rawText);
                AddDeadLetter(raw, result.Error!, receivedAt, into);
                break;
            default:
                break;
        }
    }

    private void AddDeadLetter(byte[] raw, string reason, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        var format = _format == EventFormats.Auto ? UnknownFormat : _format;
        CountReceived(format);
        into.Add(IngestItem.ForDeadLetter(new DeadLetter(receivedAt, Listener, format, reason, raw)));
    }

    // A stream's lines are nearly always of one format: keep that counter rather than look it up per line.
    private void CountReceived(string format)
    {
        if (!ReferenceEquals(format, _countedFormat))
        {
            _receivedCounter = _metrics.For(Listener, format);
            _countedFormat = format;
        }

        Interlocked.Increment(ref _receivedCounter!.ReceivedValue);
    }
}
