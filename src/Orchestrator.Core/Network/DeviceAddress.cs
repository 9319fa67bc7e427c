using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Core.Network;

/// <summary>Where a device is reached: an IP address or a DNS name, and a port when not the driver's default.</summary>
public sealed record DeviceAddress(string Host, IPAddress? Ip, int? Port)
{
    /// <summary>
    /// Accepts <c>10.0.0.1</c>, <c>10.0.0.1:2222</c>, <c>2001:db8::1</c>, <c>[2001:db8::1]:830</c> and
    /// <c>sw1.example.org:22</c>. IPv4 only as four decimal octets (not the shorthand forms a socket
    /// library also reads, such as <c>10.1</c> or <c>0x0a.0.0.1</c>).
    /// </summary>
    public static bool TryParse(string? text, out DeviceAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text) || text.Any(char.IsWhiteSpace))
        {
            return false;
        }

        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            int? bracketPort = null;
            if (close < 0 || !IsV6(text[1..close], out var v6)
                || (close < text.Length - 1 && !TryPort(text[(close + 1)..], out bracketPort)))
            {
                return false;
            }

            address = new DeviceAddress(v6!.ToString(), v6, bracketPort);
            return true;
        }

        if (text.Count(c => c == ':') > 1)
        {
            if (!IsV6(text, out var bare))
            {
                return false;
            }

            address = new DeviceAddress(bare!.ToString(), bare, null);
            return true;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var host = colon < 0 ? text : text[..colon];
        int? port = null;
        if (colon >= 0 && !TryPort(text[colon..], out port))
        {
            return false;
        }

        if (IsDottedQuad(host))
        {
            var ip = IPAddress.Parse(host);
            address = new DeviceAddress(ip.ToString(), ip, port);
            return true;
        }

        if (host.Length > 253 || Uri.CheckHostName(host) != UriHostNameType.Dns || host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return false;
        }

        address = new DeviceAddress(host.ToLowerInvariant(), null, port);
        return true;
    }

    public override string ToString() =>
        Port is not { } port ? Host : Ip?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]:{port}" : $"{Host}:{port}";

    private static bool TryPort(string colonAndDigits, out int? port)
    {
        port = null;
        if (colonAndDigits.Length < 2 || colonAndDigits[0] != ':'
            || !int.TryParse(colonAndDigits.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            return false;
        }

        port = number;
        return true;
    }

    private static bool IsV6(string text, out IPAddress? ip) =>
        IPAddress.TryParse(text, out ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 && !text.Contains('%', StringComparison.Ordinal);

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }
}
