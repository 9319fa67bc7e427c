using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Core.Detection;

/// <summary>How a machine reported by name or IP is recognised again: the rules shared by the correlator, the chain and the reports.</summary>
internal static class MachineIdentity
{
    /// <summary>
    /// The name's first DNS label in lower case (<c>PC-12.corp.example</c> and <c>pc-12</c> are one machine:
    /// antivirus consoles report NetBIOS names and FQDNs for the same host); null when there is no name.
    /// </summary>
    public static string? NameKey(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.AsSpan().Trim();
        var dot = trimmed.IndexOf('.');
        var label = dot > 0 ? trimmed[..dot] : trimmed;
        if (label.Length == name.Length && System.Text.Ascii.IsValid(label) && !label.ContainsAnyInRange('A', 'Z'))
        {
            return name;
        }

        Span<char> lower = label.Length <= 256 ? stackalloc char[label.Length] : new char[label.Length];
        label.ToLowerInvariant(lower);
        return new string(lower);
    }

    /// <summary>The address with an IPv4-mapped IPv6 form reduced to IPv4, so <c>::ffff:10.0.0.5</c> and <c>10.0.0.5</c> are one machine.</summary>
    public static IPAddress? Normalize(IPAddress? ip) =>
        ip is { AddressFamily: AddressFamily.InterNetworkV6, IsIPv4MappedToIPv6: true } ? ip.MapToIPv4() : ip;

    /// <summary>
    /// A name that is really an address literal (<c>10.0.0.5</c>, <c>fe80::1</c>), which some consoles put in the
    /// computer name field; a bare number is a name (IPAddress would read <c>12</c> as 0.0.0.12).
    /// </summary>
    public static IPAddress? AddressInName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.AsSpan().Trim();
        var looksLikeAddress = trimmed.Contains(':') || trimmed.Count('.') == 3;
        return looksLikeAddress && IPAddress.TryParse(trimmed, out var ip) ? Normalize(ip) : null;
    }

    /// <summary>Loopback and the unspecified addresses: a source that is the victim talking to itself.</summary>
    public static bool IsSelfAddress(IPAddress ip) =>
        IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any);
}
