using System.IO.Hashing;
using System.Net;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// A Bloom filter over the values a block's events can be searched by (kind, host name, host IP,
/// source IP). A query reads the small filter of each block in its time range and decodes only the
/// blocks that may hold a match, so the store keeps no per-event index rows (ADR 0006).
/// Keys are 64-bit XxHash3 values of the field's bytes, seeded per field so equal text in two
/// fields never collides; the hash is stable across processes because filters are stored.
/// Stored form: one byte of probe count, then the bit array (a power-of-two number of bytes).
/// </summary>
internal sealed class BlockKeyFilter
{
    private const int BitsPerKey = 16;
    private const int Probes = 7;
    private const int MinBytes = 8;

    private readonly HashSet<ulong> _keys = [];

    public int Count => _keys.Count;

    public void Add(ulong key) => _keys.Add(key);

    public void Clear() => _keys.Clear();

    /// <summary>The stored filter for the keys added so far (about 0.1% false positives).</summary>
    public byte[] Build()
    {
        var bytes = (int)Math.Max(MinBytes, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, _keys.Count * BitsPerKey / 8)));
        var filter = new byte[1 + bytes];
        filter[0] = Probes;
        var bits = filter.AsSpan(1);
        var mask = (uint)(bytes * 8) - 1;
        foreach (var key in _keys)
        {
            var (h1, h2) = Split(key);
            for (uint i = 0; i < Probes; i++)
            {
                var bit = (h1 + (i * h2)) & mask;
                bits[(int)(bit >> 3)] |= (byte)(1 << (int)(bit & 7));
            }
        }

        return filter;
    }

    /// <summary>False when the block certainly holds no event with this key; true when it may.</summary>
    public static bool MayContain(ReadOnlySpan<byte> filter, ulong key)
    {
        if (filter.Length < 2)
        {
            return true;
        }

        var probes = filter[0];
        var bits = filter[1..];
        var mask = (uint)(bits.Length * 8) - 1;
        var (h1, h2) = Split(key);
        for (uint i = 0; i < probes; i++)
        {
            var bit = (h1 + (i * h2)) & mask;
            if ((bits[(int)(bit >> 3)] & (1 << (int)(bit & 7))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    public static ulong KindKey(string kind) => Hash(kind.AsSpan(), FieldSeed.Kind);

    /// <summary>Host names match ignoring case; the key folds them the way OrdinalIgnoreCase does.</summary>
    public static ulong HostNameKey(ReadOnlySpan<char> name)
    {
        var upper = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        name.ToUpperInvariant(upper);
        return Hash(upper, FieldSeed.HostName);
    }

    public static ulong HostIpKey(ReadOnlySpan<byte> address) => XxHash3.HashToUInt64(address, FieldSeed.HostIp);

    public static ulong SourceIpKey(ReadOnlySpan<byte> address) => XxHash3.HashToUInt64(address, FieldSeed.SourceIp);

    /// <summary>The bytes an address is stored and hashed as: IPv4-mapped IPv6 folded to IPv4.</summary>
    public static int AddressBytes(IPAddress address, Span<byte> destination)
    {
        var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return ip.TryWriteBytes(destination, out var written) ? written : throw new ArgumentException("address buffer too small", nameof(destination));
    }

    private static ulong Hash(ReadOnlySpan<char> text, long seed) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text), seed);

    private static (uint H1, uint H2) Split(ulong key) => ((uint)key, (uint)(key >> 32) | 1);

    private static class FieldSeed
    {
        public const long Kind = 1;
        public const long HostName = 2;
        public const long HostIp = 3;
        public const long SourceIp = 4;
    }
}
