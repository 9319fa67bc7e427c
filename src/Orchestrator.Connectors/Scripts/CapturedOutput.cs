using System.Buffers;
using System.Text;

namespace Orchestrator.Connectors.Scripts;

/// <summary>
/// One output stream of a script, read to its end: the first <c>limit</c> bytes are kept, the rest
/// is counted and dropped, and the last <see cref="TailBytes"/> bytes of the whole stream are kept
/// apart so a failure can quote where the script stopped even when the middle was dropped.
/// </summary>
internal sealed class CapturedOutput
{
    public const int TailBytes = 1024;

    private readonly byte[] _head;
    private readonly byte[] _tail = new byte[TailBytes];
    private int _headLength;

    public CapturedOutput(int limit) => _head = new byte[limit];

    /// <summary>Bytes the stream carried, kept or not.</summary>
    public long TotalBytes { get; private set; }

    public bool Truncated => TotalBytes > _head.Length;

    /// <summary>
    /// Reads until end of stream or until <paramref name="abandon"/> is cancelled (a process that left
    /// the script's group may hold the pipe open forever); what was read is kept either way.
    /// </summary>
    public async Task ReadToEndAsync(Stream stream, CancellationToken abandon)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, abandon).ConfigureAwait(false)) > 0)
            {
                Append(buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The pipe broke: the output ends here.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The kept bytes as UTF-8, not ending inside a character when cut short.</summary>
    public string Text()
    {
        var kept = _head.AsSpan(0, _headLength);
        if (Truncated)
        {
            kept = kept[..Utf8Boundary(kept)];
        }

        return Encoding.UTF8.GetString(kept);
    }

    /// <summary>The last bytes of the whole stream as UTF-8, starting at a character boundary.</summary>
    public string Tail()
    {
        var length = (int)Math.Min(TotalBytes, TailBytes);
        var tail = new byte[length];
        var end = (int)(TotalBytes % TailBytes);
        if (TotalBytes <= TailBytes)
        {
            _tail.AsSpan(0, length).CopyTo(tail);
        }
        else
        {
            _tail.AsSpan(end).CopyTo(tail);
            _tail.AsSpan(0, end).CopyTo(tail.AsSpan(TailBytes - end));
        }

        var start = 0;
        while (start < tail.Length && IsContinuation(tail[start]))
        {
            start++;
        }

        return Encoding.UTF8.GetString(tail.AsSpan(start));
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        var room = _head.Length - _headLength;
        if (room > 0)
        {
            var taken = Math.Min(room, data.Length);
            data[..taken].CopyTo(_head.AsSpan(_headLength));
            _headLength += taken;
        }

        var last = data.Length > TailBytes ? data[^TailBytes..] : data;
        var position = (int)((TotalBytes + data.Length - last.Length) % TailBytes);
        var first = Math.Min(last.Length, TailBytes - position);
        last[..first].CopyTo(_tail.AsSpan(position));
        last[first..].CopyTo(_tail);
        TotalBytes += data.Length;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;

    // Where a cut that may have split a multi-byte character should end instead.
    private static int Utf8Boundary(ReadOnlySpan<byte> bytes)
    {
        var lead = bytes.Length - 1;
        while (lead >= 0 && bytes.Length - lead < 4 && IsContinuation(bytes[lead]))
        {
            lead--;
        }

        if (lead < 0 || IsContinuation(bytes[lead]))
        {
            return bytes.Length;
        }

        var b = bytes[lead];
        var size = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return bytes.Length - lead >= size ? bytes.Length : lead;
    }
}
