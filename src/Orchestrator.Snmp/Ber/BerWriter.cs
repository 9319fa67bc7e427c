using System.Buffers;

namespace Orchestrator.Snmp.Ber;

/// <summary>
/// A BER writer into a pooled, growable buffer. A constructed element reserves one length octet and, when it is
/// closed, shifts its contents if the length needs the long form; SNMP messages are small, so the shift is cheap.
/// </summary>
internal sealed class BerWriter : IDisposable
{
    private readonly int[] openStarts = new int[BerReader.MaxDepth];
    private byte[] buffer;
    private int length;
    private int depth;

    public BerWriter(int initialCapacity = 256)
    {
        buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public ReadOnlySpan<byte> WrittenSpan => buffer.AsSpan(0, length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Dispose()
    {
        byte[] rented = buffer;
        buffer = [];
        ArrayPool<byte>.Shared.Return(rented);
    }

    public void BeginConstructed(byte tag)
    {
        if (depth == openStarts.Length)
        {
            throw new InvalidOperationException("BER writer nesting is deeper than SNMP needs.");
        }

        Ensure(2);
        buffer[length++] = tag;
        openStarts[depth++] = length;
        buffer[length++] = 0;
    }

    public void EndConstructed()
    {
        if (depth == 0)
        {
            throw new InvalidOperationException("EndConstructed without BeginConstructed.");
        }

        int lengthAt = openStarts[--depth];
        int contentStart = lengthAt + 1;
        int contentLength = length - contentStart;
        int lengthOctets = LengthOctets(contentLength);
        if (lengthOctets > 1)
        {
            Ensure(lengthOctets - 1);
            Buffer.BlockCopy(buffer, contentStart, buffer, contentStart + lengthOctets - 1, contentLength);
            length += lengthOctets - 1;
        }

        WriteLengthAt(lengthAt, contentLength);
    }

    public void WriteInteger(byte tag, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        int count = 8;
        for (int i = 7; i >= 0; i--)
        {
            bytes[i] = (byte)value;
            value >>= 8;
        }

        // Minimal two's complement: drop leading octets that only repeat the sign bit.
        int start = 0;
        while (start < 7
            && ((bytes[start] == 0x00 && (bytes[start + 1] & 0x80) == 0) || (bytes[start] == 0xFF && (bytes[start + 1] & 0x80) != 0)))
        {
            start++;
        }

        count -= start;
        WritePrimitive(tag, bytes.Slice(start, count));
    }

    public void WriteUnsigned(byte tag, ulong value)
    {
        Span<byte> bytes = stackalloc byte[9];
        for (int i = 8; i >= 1; i--)
        {
            bytes[i] = (byte)value;
            value >>= 8;
        }

        bytes[0] = 0;
        int start = 0;
        while (start < 8 && bytes[start] == 0x00 && (bytes[start + 1] & 0x80) == 0)
        {
            start++;
        }

        WritePrimitive(tag, bytes[start..]);
    }

    public void WriteNull(byte tag) => WritePrimitive(tag, []);

    public void WriteOid(Oid oid)
    {
        ArgumentNullException.ThrowIfNull(oid);
        ReadOnlySpan<uint> arcs = oid.Arcs.Span;
        Span<byte> bytes = stackalloc byte[arcs.Length * 5];
        int count = WriteSubIdentifier(bytes, (arcs[0] * 40UL) + arcs[1]);
        for (int i = 2; i < arcs.Length; i++)
        {
            count += WriteSubIdentifier(bytes[count..], arcs[i]);
        }

        WritePrimitive(BerTag.ObjectIdentifier, bytes[..count]);
    }

    public void WritePrimitive(byte tag, ReadOnlySpan<byte> content)
    {
        int lengthOctets = LengthOctets(content.Length);
        Ensure(1 + lengthOctets + content.Length);
        buffer[length++] = tag;
        WriteLengthAt(length, content.Length);
        length += lengthOctets;
        content.CopyTo(buffer.AsSpan(length));
        length += content.Length;
    }

    private static int WriteSubIdentifier(Span<byte> destination, ulong value)
    {
        int septets = 1;
        for (ulong v = value >> 7; v != 0; v >>= 7)
        {
            septets++;
        }

        for (int i = 0; i < septets; i++)
        {
            byte b = (byte)((value >> (7 * (septets - 1 - i))) & 0x7F);
            destination[i] = i < septets - 1 ? (byte)(b | 0x80) : b;
        }

        return septets;
    }

    private static int LengthOctets(int contentLength) =>
        contentLength < 0x80 ? 1 : contentLength <= 0xFF ? 2 : contentLength <= 0xFFFF ? 3 : contentLength <= 0xFFFFFF ? 4 : 5;

    private void WriteLengthAt(int at, int contentLength)
    {
        int octets = LengthOctets(contentLength);
        if (octets == 1)
        {
            buffer[at] = (byte)contentLength;
            return;
        }

        buffer[at] = (byte)(0x80 | (octets - 1));
        for (int i = 1; i < octets; i++)
        {
            buffer[at + i] = (byte)(contentLength >> (8 * (octets - 1 - i)));
        }
    }

    private void Ensure(int extra)
    {
        if (length + extra <= buffer.Length)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, length + extra));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = larger;
    }
}
