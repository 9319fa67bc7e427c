using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Core.Conditions;

/// <summary>
/// Addresses and CIDR networks, IPv4 and IPv6, matched without allocating. An IPv4-mapped IPv6
/// address (::ffff:10.1.2.3) is held and matched as its IPv4 address, so it falls in 10.0.0.0/8.
/// </summary>
/// <remarks>
/// One hash set per prefix length of masked network numbers: a lookup masks the address once per
/// distinct length (an exact address is a /32 or /128), whatever the number of entries.
/// </remarks>
internal sealed class NetworkSet
{
    private readonly List<(int Prefix, HashSet<uint> Networks)> _v4 = [];
    private readonly List<(int Prefix, HashSet<UInt128> Networks)> _v6 = [];

    public int Count { get; private set; }

    public void Add(IPAddress network, int prefix)
    {
        if (ToV4(network, out var v4))
        {
            prefix = network.AddressFamily == AddressFamily.InterNetworkV6 ? prefix - 96 : prefix;
            Set(_v4, Math.Clamp(prefix, 0, 32)).Add(v4 & MaskV4(prefix));
        }
        else
        {
            Set(_v6, prefix).Add(ToV6(network) & MaskV6(prefix));
        }

        Count++;
    }

    public bool Contains(IPAddress address)
    {
        if (ToV4(address, out var v4))
        {
            foreach (var (prefix, networks) in _v4)
            {
                if (networks.Contains(v4 & MaskV4(prefix)))
                {
                    return true;
                }
            }

            return false;
        }

        if (_v6.Count == 0)
        {
            return false;
        }

        var v6 = ToV6(address);
        foreach (var (prefix, networks) in _v6)
        {
            if (networks.Contains(v6 & MaskV6(prefix)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads "10.1.2.3", "10.0.0.0/8", "fe80::1" or "2001:db8::/32"; a network with host bits set is refused with the reason.</summary>
    public static bool TryParseNetwork(string text, out IPAddress address, out int prefix, out string? error)
    {
        error = null;
        prefix = -1;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out address))
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (slash < 0)
        {
            prefix = max;
            return true;
        }

        if (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max)
        {
            error = $"'{text}' has a bad prefix length; it is 0 to {max}";
            return false;
        }

        var masked = Masked(address, prefix);
        if (!masked.Equals(address))
        {
            error = $"'{text}' has host bits set; did you mean {masked}/{prefix}?";
            return false;
        }

        return true;
    }

    /// <summary>A strict address reader: IPv4 only as four dotted numbers (IPAddress.Parse also takes "10" and "10.1").</summary>
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out address!) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return text.Count(c => c == '.') == 3 && IPAddress.TryParse(text, out address!) && address.AddressFamily == AddressFamily.InterNetwork;
    }

    /// <summary>The same address for matching: IPv4-mapped IPv6 addresses compare equal to their IPv4 address.</summary>
    public static bool AddressEquals(IPAddress a, IPAddress b)
    {
        var aIs4 = ToV4(a, out var a4);
        var bIs4 = ToV4(b, out var b4);
        if (aIs4 || bIs4)
        {
            return aIs4 && bIs4 && a4 == b4;
        }

        return ToV6(a) == ToV6(b) && a.ScopeId == b.ScopeId;
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    private static bool ToV4(IPAddress address, out uint value)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        if (length == 4)
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            return true;
        }

        if (BinaryPrimitives.ReadUInt64BigEndian(bytes) == 0 && BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) == 0xFFFF)
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
            return true;
        }

        value = 0;
        return false;
    }

    private static UInt128 ToV6(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static uint MaskV4(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);

    private static UInt128 MaskV6(int prefix) => prefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefix);

    private static HashSet<T> Set<T>(List<(int Prefix, HashSet<T> Networks)> sets, int prefix)
    {
        foreach (var (existing, networks) in sets)
        {
            if (existing == prefix)
            {
                return networks;
            }
        }

        var created = new HashSet<T>();
        sets.Add((prefix, created));
        // Longest prefixes first: exact addresses are the common hit.
        sets.Sort((a, b) => b.Prefix.CompareTo(a.Prefix));
        return created;
    }
}
