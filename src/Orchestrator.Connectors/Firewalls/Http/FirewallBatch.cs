using System.Net;

namespace Orchestrator.Connectors.Firewalls.Http;

/// <summary>How the HTTP drivers read a batch: each address once, so a device never sees the same address twice in one call.</summary>
internal static class FirewallBatch
{
    /// <summary>One request per address, the last one given winning (its duration is the newest decision).</summary>
    public static List<BlockRequest> Latest(IReadOnlyList<BlockRequest> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var latest = new Dictionary<IPAddress, BlockRequest>();
        foreach (var block in blocks)
        {
            latest[block.Address] = block;
        }

        return [.. latest.Values];
    }

    public static List<IPAddress> Distinct(IReadOnlyList<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return [.. addresses.Distinct()];
    }

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
