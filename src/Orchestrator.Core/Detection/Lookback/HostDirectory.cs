using System.Net;

namespace Orchestrator.Core.Detection.Lookback;

/// <summary>
/// Host names and the address each was last seen with, at most a fixed number of names (the least
/// recently seen is forgotten first). Answers both ways: a detection that names only its host
/// gets an address to look back on, and a candidate source's address gets a name. Names compare
/// case-insensitively, and a name also answers for its first DNS label (<c>PC7</c> finds
/// <c>pc7.corp.local</c> and the other way round; the last learned wins a shared label).
/// Not thread-safe: <see cref="ConnectionLookback"/> calls it under its lock.
/// </summary>
internal sealed class HostDirectory
{
    private static readonly System.Buffers.SearchValues<char> DottedQuadChars = System.Buffers.SearchValues.Create("0123456789.");

    private readonly LruSlots<string> _names;
    private readonly Dictionary<IpKey, int> _byIp = [];
    private readonly Dictionary<string, int> _byLabel = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byLabelSpan;
    private IpKey[] _ips = [];
    private long _nameChars;

    public HostDirectory(int maxNames)
    {
        _names = new LruSlots<string>(maxNames, StringComparer.OrdinalIgnoreCase);
        _byLabelSpan = _byLabel.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _names.Count;

    /// <summary>Bytes of the names and the maps, from allocated sizes (entry sizes as laid out on 64-bit .NET).</summary>
    public long EstimatedBytes =>
        (_nameChars * 2) + (_names.Count * 22L) // string header + length + terminator per name
        + (_names.MapCapacity * 28L) + (_byLabel.EnsureCapacity(0) * 28L) // Dictionary<string,int>: entry 24 + bucket 4
        + (_byIp.EnsureCapacity(0) * 36L) // Dictionary<IpKey,int>: entry 32 + bucket 4
        + (_names.AllocatedSlots * (8L + 8 + 16)); // keys, links, addresses by slot

    public void Learn(string? name, IpKey ip)
    {
        if (string.IsNullOrWhiteSpace(name) || name == "-" || ip.IsLoopback || ip.IsUnspecified)
        {
            return;
        }

        if (_names.TryGet(name, out var slot))
        {
            _names.Touch(slot);
            if (_ips[slot] != ip)
            {
                ForgetAddress(slot);
                _ips[slot] = ip;
            }

            // A name seen again claims its address back from any other name that took it since.
            if (!_byIp.TryGetValue(ip, out var holder) || holder != slot)
            {
                _byIp[ip] = slot;
            }

            return;
        }

        slot = _names.Add(name, out var evicted, out var evictedName);
        if (evicted)
        {
            ForgetAddress(slot);
            if (_byLabelSpan.TryGetValue(FirstLabel(evictedName!), out var labelSlot) && labelSlot == slot)
            {
                _byLabelSpan.Remove(FirstLabel(evictedName!));
            }

            _nameChars -= evictedName!.Length;
        }

        if (slot >= _ips.Length)
        {
            Array.Resize(ref _ips, _names.AllocatedSlots);
        }

        _ips[slot] = ip;
        _byIp[ip] = slot;
        _byLabelSpan[FirstLabel(name)] = slot;
        _nameChars += name.Length;
    }

    /// <summary>The address of <paramref name="name"/> (the name itself when it is an address literal), or null.</summary>
    public IpKey? Resolve(string? name)
    {
        var text = name.AsSpan().Trim();
        if (text.IsEmpty)
        {
            return null;
        }

        if (LooksLikeAddress(text) && IPAddress.TryParse(text, out var literal))
        {
            return IpKey.From(literal);
        }

        if (_names.TryGet(text.ToString(), out var slot) || _byLabelSpan.TryGetValue(FirstLabel(text), out slot))
        {
            return _ips[slot];
        }

        return null;
    }

    public string? NameOf(IpKey ip) => _byIp.TryGetValue(ip, out var slot) ? _names.KeyAt(slot) : null;

    /// <summary>Whether two host names are the same host: equal, or equal in their first DNS label, ignoring case.</summary>
    public static bool SameHost(string a, string b) =>
        a.Equals(b, StringComparison.OrdinalIgnoreCase)
        || FirstLabel(a.AsSpan().Trim()).Equals(FirstLabel(b.AsSpan().Trim()), StringComparison.OrdinalIgnoreCase);

    private void ForgetAddress(int slot)
    {
        if (_byIp.TryGetValue(_ips[slot], out var holder) && holder == slot)
        {
            _byIp.Remove(_ips[slot]);
        }
    }

    private static ReadOnlySpan<char> FirstLabel(ReadOnlySpan<char> name)
    {
        var dot = name.IndexOf('.');
        return dot > 0 ? name[..dot] : name;
    }

    // IPAddress.TryParse reads "7" or "10.1" as IPv4 too; a host name is only taken for an address
    // when it has the full dotted-quad or IPv6 shape.
    private static bool LooksLikeAddress(ReadOnlySpan<char> text) =>
        text.Contains(':') || (text.Count('.') == 3 && !text.ContainsAnyExcept(DottedQuadChars));
}
