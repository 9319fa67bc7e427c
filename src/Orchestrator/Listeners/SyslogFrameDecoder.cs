using System.Buffers;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Listeners;

/// <summary>
/// Splits the bytes of one syslog stream (TCP or TLS) into messages, RFC 6587: octet counting
/// (§3.4.1) when the stream starts with a digit, otherwise non-transparent framing (§3.4.2) with
/// an LF (or CRLF, or NUL) trailer. Not thread-safe: one per connection.
/// </summary>
internal sealed class SyslogFrameDecoder
{
    // A longer count cannot be a syslog message; it is treated as a bad count.
    private const int MaxCountDigits = 9;

    private const string TruncatedReason = "connection closed inside an octet-counted frame (RFC 6587 §3.4.1)";

    private readonly SyslogMessage _message;
    private byte[] _scratch = [];
    private SyslogFraming _framing;
    private long _skipBytes;
    private bool _skipToTrailer;

    public SyslogFrameDecoder(SyslogMessage message)
    {
        _message = message;
    }

    /// <summary>The framing in use: unknown until the first byte, then octet counting or non-transparent.</summary>
    public SyslogFraming Framing => _framing;

    /// <summary>True once a bad octet count made the rest of the stream use LF framing.</summary>
    public bool FellBackToLineFraming { get; private set; }

    /// <summary>
    /// Decodes every complete frame in <paramref name="buffer"/> into <paramref name="into"/> and
    /// returns how far the buffer was consumed. At the end of the stream the incomplete rest is
    /// decoded too: a last line without a trailer is a message.
    /// </summary>
    public SequencePosition Decode(in ReadOnlySequence<byte> buffer, bool isCompleted, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (!reader.End)
        {
            if (_skipBytes > 0)
            {
                var skip = Math.Min(_skipBytes, reader.Remaining);
                reader.Advance(skip);
                _skipBytes -= skip;
                continue;
            }

            if (_skipToTrailer)
            {
                if (!reader.TryAdvanceToAny(Trailers, advancePastDelimiter: true))
                {
                    reader.AdvanceToEnd();
                    break;
                }

                _skipToTrailer = false;
                continue;
            }

            if (_framing == SyslogFraming.Unknown)
            {
                // RFC 6587 §3.4: a leading digit can only be MSG-LEN; a syslog message starts with '<'.
                _framing = reader.TryPeek(out var first) && first is >= (byte)'1' and <= (byte)'9'
                    ? SyslogFraming.OctetCounting
                    : SyslogFraming.NonTransparent;
            }

            var progressed = _framing == SyslogFraming.OctetCounting
                ? DecodeOctetCounted(ref reader, receivedAt, into)
                : DecodeLine(ref reader, receivedAt, into);
            if (!progressed)
            {
                break;
            }
        }

        if (isCompleted && !reader.End)
        {
            DecodeRest(reader.UnreadSequence, receivedAt, into);
            reader.AdvanceToEnd();
        }

        return reader.Position;
    }

    // RFC 6587 §3.4.2: the trailer is LF, and some senders use NUL; a CR before LF is dropped with it.
    private static ReadOnlySpan<byte> Trailers => "\n\0"u8;

    private bool DecodeLine(ref SequenceReader<byte> reader, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        if (reader.TryReadToAny(out ReadOnlySequence<byte> line, Trailers, advancePastDelimiter: true))
        {
            AddLine(line, receivedAt, into);
            return true;
        }

        // No trailer yet. Once the line cannot fit (one more byte allows its CR), keep its head and drop the rest.
        if (reader.Remaining > _message.MaxBytes + 1L)
        {
            _message.RejectOversize(Contiguous(reader.UnreadSequence.Slice(0, _message.MaxBytes)), receivedAt, into);
            reader.AdvanceToEnd();
            _skipToTrailer = true;
        }

        return false;
    }

    private bool DecodeOctetCounted(ref SequenceReader<byte> reader, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        // Some senders end octet-counted frames with LF anyway; it is not part of the next count.
        reader.AdvancePastAny((byte)'\n', (byte)'\r', (byte)0);
        if (reader.End)
        {
            return false;
        }

        var start = reader.Consumed;
        long length = 0;
        var digits = 0;
        while (true)
        {
            if (!reader.TryRead(out var b))
            {
                reader.Rewind(reader.Consumed - start);
                return false;
            }

            if (b == (byte)' ' && digits > 0)
            {
                break;
            }

            // MSG-LEN = NONZERO-DIGIT *DIGIT (RFC 6587 §3.4.1).
            if (b is >= (byte)'0' and <= (byte)'9' && (digits > 0 || b != (byte)'0') && digits < MaxCountDigits)
            {
                length = (length * 10) + (b - '0');
                digits++;
                continue;
            }

            // A bad count: like OpenBSD syslogd, read the rest of the connection as LF-framed lines, from this frame on.
            reader.Rewind(reader.Consumed - start);
            _framing = SyslogFraming.NonTransparent;
            FellBackToLineFraming = true;
            return true;
        }

        if (length > _message.MaxBytes)
        {
            if (reader.Remaining < _message.MaxBytes)
            {
                reader.Rewind(reader.Consumed - start);
                return false;
            }

            _message.RejectOversize(Contiguous(reader.UnreadSequence.Slice(0, _message.MaxBytes)), receivedAt, into);
            reader.Advance(_message.MaxBytes);
            _skipBytes = length - _message.MaxBytes;
            return true;
        }

        if (reader.Remaining < length)
        {
            reader.Rewind(reader.Consumed - start);
            return false;
        }

        _message.AddTrimmed(Contiguous(reader.UnreadSequence.Slice(0, length)), receivedAt, into);
        reader.Advance(length);
        return true;
    }

    private void DecodeRest(ReadOnlySequence<byte> rest, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        if (_skipBytes > 0 || _skipToTrailer)
        {
            return;
        }

        if (_framing == SyslogFraming.OctetCounting)
        {
            var head = rest.Length > _message.MaxBytes ? rest.Slice(0, _message.MaxBytes) : rest;
            var raw = Contiguous(head).TrimEnd("\r\n\0"u8);
            if (!raw.IsEmpty)
            {
                _message.Reject(raw, TruncatedReason, receivedAt, into);
            }

            return;
        }

        AddLine(rest, receivedAt, into);
    }

    private void AddLine(in ReadOnlySequence<byte> line, DateTimeOffset receivedAt, List<IngestItem> into)
    {
        if (line.Length > _message.MaxBytes + 1L)
        {
            _message.RejectOversize(Contiguous(line.Slice(0, _message.MaxBytes)), receivedAt, into);
            return;
        }

        var span = Contiguous(line);
        if (!span.IsEmpty && span[^1] == (byte)'\r')
        {
            span = span[..^1];
        }

        _message.Add(span, receivedAt, into);
    }

    /// <summary>The bytes as one span; copies only when a frame straddles two buffer segments.</summary>
    private ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
        {
            return bytes.FirstSpan;
        }

        var length = (int)bytes.Length;
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, Math.Min(_message.MaxBytes + 1, Math.Max(4096, _scratch.Length * 2)))];
        }

        bytes.CopyTo(_scratch);
        return _scratch.AsSpan(0, length);
    }
}

/// <summary>How a syslog stream separates messages (RFC 6587 §3.4).</summary>
internal enum SyslogFraming
{
    Unknown,
    OctetCounting,
    NonTransparent,
}
