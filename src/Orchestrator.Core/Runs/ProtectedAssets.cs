using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Runs;

/// <summary>Hosts, addresses, networks and MACs that no containment may ever target (the inventory's <c>protected:</c>).</summary>
public sealed class ProtectedAssets
{
    private readonly HashSet<string> _hosts;
    private readonly HashSet<IPAddress> _ips;
    private readonly IReadOnlyList<IPNetwork> _networks;
    private readonly HashSet<MacAddress> _macs;

    public ProtectedAssets(IEnumerable<string> hosts, IEnumerable<IPAddress> ips, IEnumerable<IPNetwork> networks, IEnumerable<MacAddress> macs)
    {
        _hosts = new HashSet<string>(hosts, StringComparer.OrdinalIgnoreCase);
        _ips = [.. ips.Select(Canonical)];
        _networks = [.. networks];
        _macs = [.. macs];
    }

    public static ProtectedAssets None { get; } = new([], [], [], []);

    /// <summary>The reason <paramref name="targets"/> may not be contained, or null when none of them is protected.</summary>
    public string? Refusal(ContainmentTargets targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        foreach (var ip in targets.Ips)
        {
            var address = Canonical(ip);
            if (_ips.Contains(address))
            {
                return $"{address} is a protected address";
            }

            foreach (var network in _networks)
            {
                if (network.Contains(address))
                {
                    return $"{address} is in the protected network {network}";
                }
            }
        }

        foreach (var mac in targets.Macs)
        {
            if (_macs.Contains(mac))
            {
                return $"{mac} is a protected MAC address";
            }
        }

        foreach (var host in targets.Hosts)
        {
            if (_hosts.Contains(host))
            {
                return $"{host} is a protected host";
            }
        }

        return null;
    }

    // An IPv4 address can arrive as ::ffff:a.b.c.d; protection must not depend on the spelling.
    private static IPAddress Canonical(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
}
