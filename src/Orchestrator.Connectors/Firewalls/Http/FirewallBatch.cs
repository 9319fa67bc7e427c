using System.Net;

namespace Orchestrator.Connectors.Firewalls.Http;

/// <summary>Addresses and durations as the HTTP drivers read and write them.</summary>
internal static class FirewallBatch
{
    /// <summary>
    /// An address as a device lists it, with or without a host prefix (<c>10.0.0.5</c>, <c>10.0.0.5/32</c>,
    /// <c>2001:db8::5/128</c>); null for a network or anything else, which the drivers never add.
    /// </summary>
    public static IPAddress? Host(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash < 0 ? null : text[(slash + 1)..];
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address))
        {
            return null;
        }

        var full = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "128" : "32";
        return prefix is null || prefix == full ? address : null;
    }

    /// <summary>Whole seconds of a block's duration, rounded up so a block never ends early; throws when it is not positive.</summary>
    public static long Seconds(FirewallEndpoint endpoint, TimeSpan duration) =>
        duration > TimeSpan.Zero
            ? (long)Math.Ceiling(duration.TotalSeconds)
            : throw new FirewallException($"{endpoint.Described}: a block lasts a positive time (asked for {Core.Configuration.Durations.Format(duration)})");
}
