using System.Globalization;

namespace Orchestrator.Snmp.Ber;

/// <summary>
/// A strict BER reader over one element's contents. Every length is checked against the bytes that remain before
/// anything is read or allocated, so a hostile length can only cause an <see cref="SnmpDecodeException"/>.
/// </summary>
internal ref struct BerReader
{
    /// <summary>SNMPv3 needs five levels (message, scoped PDU, PDU, varbind list, varbind); anything deeper is hostile.</summary>
    public const int MaxDepth = 8;

    /// <summary>RFC 2578 section 3.5: at most 128 sub-identifiers.</summary>
    public const int MaxOidArcs = 128;

    private readonly ReadOnlySpan<byte> buffer;
    private readonly int end;
    private readonly int depth;
    private int position;

    public BerReader(ReadOnlySpan<byte> buffer)
        : this(buffer, 0, buffer.Length, 0)
    {
    }

    private BerReader(ReadOnlySpan<byte> buffer, int start, int end, int depth)
    {
        this.buffer = buffer;
        position = start;
        this.end = end;
        this.depth = depth;
    }

    public readonly int Position => position;

    public readonly bool HasMore => position < end;

    public readonly byte PeekTag()
    {
        if (position >= end)
        {
            throw new SnmpDecodeException("expected an element but the enclosing content ended", position);
        }

        return buffer[position];
    }

    /// <summary>Reads a constructed element with the expected tag and returns a reader over its contents.</summary>
    public BerReader ReadConstructed(byte expectedTag, string what)
    {
        int tagOffset = position;
        (int start, int length) = ReadHeader(expectedTag, what);
        if (depth + 1 > MaxDepth)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what} nested deeper than {MaxDepth} levels"), tagOffset);
        }

        return new BerReader(buffer, start, start + length, depth + 1);
    }

    /// <summary>Reads any constructed element and returns its tag and a reader over its contents.</summary>
    public BerReader ReadAnyConstructed(out byte tag, string what)
    {
        tag = PeekTag();
        if ((tag & 0x20) == 0)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: expected a constructed element, found tag 0x{tag:x2}"), position);
        }

        return ReadConstructed(tag, what);
    }

    /// <summary>Reads a primitive element with the expected tag and returns its contents.</summary>
    public ReadOnlySpan<byte> ReadPrimitive(byte expectedTag, string what, out int contentOffset)
    {
        (int start, int length) = ReadHeader(expectedTag, what);
        contentOffset = start;
        return buffer.Slice(start, length);
    }

    public int ReadInt32(string what)
    {
        ReadOnlySpan<byte> content = ReadPrimitive(BerTag.Integer, what, out int offset);
        long value = DecodeSigned(content, 4, what, offset);
        return (int)value;
    }

    /// <summary>Counter32, Gauge32, TimeTicks: unsigned 32-bit values.</summary>
    public uint ReadUInt32(byte tag, string what)
    {
        ReadOnlySpan<byte> content = ReadPrimitive(tag, what, out int offset);
        return (uint)DecodeUnsigned(content, 4, what, offset);
    }

    public ulong ReadUInt64(byte tag, string what)
    {
        ReadOnlySpan<byte> content = ReadPrimitive(tag, what, out int offset);
        return DecodeUnsigned(content, 8, what, offset);
    }

    public void ReadNull(byte tag, string what)
    {
        ReadOnlySpan<byte> content = ReadPrimitive(tag, what, out int offset);
        if (!content.IsEmpty)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what} must have length 0, has {content.Length}"), offset);
        }
    }

    public Oid ReadOid(string what)
    {
        ReadOnlySpan<byte> content = ReadPrimitive(BerTag.ObjectIdentifier, what, out int offset);
        return DecodeOid(content, what, offset);
    }

    /// <summary>Fails when the enclosing element has bytes left after its last expected element.</summary>
    public readonly void ExpectEnd(string what)
    {
        if (position != end)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{end - position} unexpected trailing byte(s) after {what}"), position);
        }
    }

    private (int Start, int Length) ReadHeader(byte expectedTag, string what)
    {
        int tagOffset = position;
        byte tag = PeekTag();
        if (tag != expectedTag)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: expected tag 0x{expectedTag:x2}, found 0x{tag:x2}"), tagOffset);
        }

        position++;
        int length = ReadLength(what);
        if (length > end - position)
        {
            throw new SnmpDecodeException(
                string.Create(CultureInfo.InvariantCulture, $"{what}: length {length} runs past the {end - position} byte(s) that remain"), tagOffset);
        }

        int start = position;
        position += length;
        return (start, length);
    }

    private int ReadLength(string what)
    {
        int lengthOffset = position;
        if (position >= end)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: length missing"), lengthOffset);
        }

        byte first = buffer[position++];
        if (first < 0x80)
        {
            return first;
        }

        if (first == 0x80)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: indefinite length is not allowed"), lengthOffset);
        }

        int count = first & 0x7F;

        // Four length octets cover any datagram; more (or the reserved 0xFF) is hostile.
        if (count > 4)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: length of {count} octets is too long"), lengthOffset);
        }

        if (count > end - position)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: length octets truncated"), lengthOffset);
        }

        // Non-minimal long forms (0x82 0x00 0x05) are accepted: some agents always write two length octets.
        long length = 0;
        for (int i = 0; i < count; i++)
        {
            length = (length << 8) | buffer[position++];
        }

        if (length > int.MaxValue)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: length {length} is too large"), lengthOffset);
        }

        return (int)length;
    }

    private static int SignificantStart(ReadOnlySpan<byte> content, string what, int offset)
    {
        if (content.IsEmpty)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: an integer needs at least one content octet"), offset);
        }

        // Redundant leading 0x00/0xFF octets are tolerated (sloppy agents pad); they do not change the value.
        int i = 0;
        while (i < content.Length - 1
            && ((content[i] == 0x00 && (content[i + 1] & 0x80) == 0) || (content[i] == 0xFF && (content[i + 1] & 0x80) != 0)))
        {
            i++;
        }

        return i;
    }

    private static long DecodeSigned(ReadOnlySpan<byte> content, int maxOctets, string what, int offset)
    {
        int i = SignificantStart(content, what, offset);
        ReadOnlySpan<byte> significant = content[i..];
        if (significant.Length > maxOctets)
        {
            throw new SnmpDecodeException(
                string.Create(CultureInfo.InvariantCulture, $"{what}: integer of {significant.Length} octets does not fit in {maxOctets * 8} bits"), offset);
        }

        long value = (significant[0] & 0x80) != 0 ? -1 : 0;
        foreach (byte b in significant)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static ulong DecodeUnsigned(ReadOnlySpan<byte> content, int maxOctets, string what, int offset)
    {
        int i = SignificantStart(content, what, offset);
        ReadOnlySpan<byte> significant = content[i..];

        // A leading 0x00 that only clears the sign bit (00 FF FF FF FF for 2^32-1) is the correct encoding.
        if (significant.Length == maxOctets + 1 && significant[0] == 0x00)
        {
            significant = significant[1..];
        }
        else if ((significant[0] & 0x80) != 0 && significant.Length < maxOctets)
        {
            // A negative value for an unsigned type: some agents send the two's-complement bits of a wrapped counter
            // in fewer octets; sign-extending them to the type's width gives the value they meant.
            ulong extended = ulong.MaxValue;
            foreach (byte b in significant)
            {
                extended = (extended << 8) | b;
            }

            return maxOctets == 8 ? extended : extended & uint.MaxValue;
        }

        if (significant.Length > maxOctets)
        {
            throw new SnmpDecodeException(
                string.Create(CultureInfo.InvariantCulture, $"{what}: integer of {significant.Length} octets does not fit in {maxOctets * 8} unsigned bits"), offset);
        }

        ulong value = 0;
        foreach (byte b in significant)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static Oid DecodeOid(ReadOnlySpan<byte> content, string what, int offset)
    {
        if (content.IsEmpty)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: an object identifier needs at least one content octet"), offset);
        }

        // Each sub-identifier takes at least one octet, and the first octet group yields two arcs.
        if (content.Length > MaxOidArcs * 5)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: object identifier of {content.Length} octets is too long"), offset);
        }

        Span<uint> arcs = stackalloc uint[MaxOidArcs];
        int count = 0;
        int i = 0;
        while (i < content.Length)
        {
            int arcOffset = offset + i;
            if (content[i] == 0x80)
            {
                throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: sub-identifier starts with a padding octet 0x80"), arcOffset);
            }

            ulong value = 0;
            int octets = 0;
            while (true)
            {
                if (i >= content.Length)
                {
                    throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: last sub-identifier is truncated"), arcOffset);
                }

                byte b = content[i++];
                octets++;
                if (octets > 5)
                {
                    throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: sub-identifier longer than 5 octets"), arcOffset);
                }

                value = (value << 7) | (uint)(b & 0x7F);
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            if (count == 0)
            {
                // X.690 8.19.4: the first sub-identifier is 40 * arc1 + arc2, with arc2 unbounded only under arc 2.
                uint first = value < 40 ? 0u : value < 80 ? 1u : 2u;
                ulong second = value - (first * 40);
                if (second > uint.MaxValue)
                {
                    throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: second arc exceeds 2^32-1"), arcOffset);
                }

                arcs[count++] = first;
                arcs[count++] = (uint)second;
                continue;
            }

            if (value > uint.MaxValue)
            {
                throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: sub-identifier exceeds 2^32-1"), arcOffset);
            }

            if (count >= MaxOidArcs)
            {
                throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"{what}: object identifier has more than {MaxOidArcs} arcs"), arcOffset);
            }

            arcs[count++] = (uint)value;
        }

        return Oid.FromValidatedArcs(arcs[..count].ToArray());
    }
}
