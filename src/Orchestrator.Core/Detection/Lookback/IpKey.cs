using System.Buffers.Binary;
using System.Net;

namespace Orchestrator.Core.Detection.Lookback;

/// <summary>
/// An IPv4 or IPv6 address as two integers, so the lookback keeps addresses inside its records
/// without an <see cref="IPAddress"/> object each. IPv4 is held as its IPv4-mapped IPv6 form
/// (::ffff:a.b.c.d, RFC 4291 2.5.5.2), so 10.1.2.3 and ::ffff:10.1.2.3 are the same key.
/// </summary>
internal readonly record struct IpKey(ulong High, ulong Low) : IComparable<IpKey>
{
    private const ulong MappedPrefix = 0x0000_FFFF_0000_0000UL;

    public bool IsIPv4 => High == 0 && (Low & 0xFFFF_FFFF_0000_0000UL) == MappedPrefix;

    /// <summary>0.0.0.0 or ::, which name no host.</summary>
    public bool IsUnspecified => High == 0 && (Low == 0 || Low == MappedPrefix);

    public bool IsLoopback => IsIPv4 ? (Low & 0xFF00_0000UL) == 0x7F00_0000UL : High == 0 && Low == 1;

    public static IpKey From(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException($"{address} is neither IPv4 nor IPv6", nameof(address));
        }

        return written == 4
            ? new IpKey(0, MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(bytes))
            : new IpKey(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Low);
            return new IPAddress(bytes[..4]);
        }

        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
        return new IPAddress(bytes);
    }

    public bool Equals(IpKey other) => High == other.High && Low == other.Low;

    public override int GetHashCode() => (High ^ Low).GetHashCode();

    public int CompareTo(IpKey other)
    {
        var high = High.CompareTo(other.High);
        return high != 0 ? high : Low.CompareTo(other.Low);
    }
}
