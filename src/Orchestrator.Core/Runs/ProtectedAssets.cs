using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Runs;

/// <summary>Hosts, addresses, networks and MACs that no containment may ever target (the inventory's <c>protected:</c>).</summary>
public sealed class ProtectedAssets
{
    public ProtectedAssets(IEnumerable<string> hosts, IEnumerable<IPNetwork> networks, IEnumerable<MacAddress> macs)
    {
        Hosts = new HashSet<string>(hosts, StringComparer.OrdinalIgnoreCase);
        Networks = [.. networks];
        Macs = new HashSet<MacAddress>(macs);
    }

    public static ProtectedAssets None { get; } = new([], [], []);

    public IReadOnlySet<string> Hosts { get; }

    /// <summary>Protected addresses and networks; a single address is a /32 or /128.</summary>
    public IReadOnlyList<IPNetwork> Networks { get; }

    public IReadOnlySet<MacAddress> Macs { get; }

    /// <summary>The reason <paramref name="targets"/> may not be contained, or null when none of them is protected.</summary>
    public string? Refusal(ContainmentTargets targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        foreach (var ip in targets.Ips)
        {
            // An IPv4 address can arrive as ::ffff:a.b.c.d; protection must not depend on the spelling.
            var address = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
            foreach (var network in Networks)
            {
                if (network.Contains(address))
                {
                    var single = network.PrefixLength == (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
                    return single ? $"{address} is a protected address" : $"{address} is in the protected network {network}";
                }
            }
        }

        foreach (var mac in targets.Macs)
        {
            if (Macs.Contains(mac))
            {
                return $"{mac} is a protected MAC address";
            }
        }

        foreach (var host in targets.Hosts)
        {
            if (Hosts.Contains(host))
            {
                return $"{host} is a protected host";
            }
        }

        return null;
    }
}
