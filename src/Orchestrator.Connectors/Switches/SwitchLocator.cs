using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Switches;

/// <summary>Where a target is, and the tables that answer said so (the steps act on the port they describe).</summary>
public sealed record TargetLocation(HostLocation Location, IReadOnlyList<SwitchTables> Tables);

/// <summary>
/// Locates a target (an IP, a MAC or a host name) on the inventory's switches through their drivers (SNMP or
/// SSH): the switches are read in parallel, an IP is turned into a MAC through the same switches' ARP tables,
/// and <see cref="HostLocator"/> picks the edge port. Each switch's tables are kept and reused while they are
/// younger than the caller's <c>maxAge</c> (zero reads afresh, and refreshes what later callers reuse).
/// </summary>
public sealed class SwitchLocator(IReadOnlyDictionary<string, ISwitchDriver> drivers, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (SwitchTables Tables, IReadOnlyList<ArpEntry> Arp)> _cache = new(StringComparer.Ordinal);

    /// <summary>The inventory's switches a driver of this build speaks (only <paramref name="only"/> when given).</summary>
    public IReadOnlyList<DeviceDefinition> Switches(Inventory inventory, string? only = null)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        return [.. inventory.Devices.Values.Where(d => d.Kind == DeviceKind.Switch && drivers.ContainsKey(d.Driver) && (only is null || d.Name == only))];
    }

    /// <summary>Why <see cref="Switches"/> found none, for the error a step or the CLI prints.</summary>
    public string NoSwitches(string? only) => only is null
        ? $"no switch in the inventory has a driver this build speaks ({string.Join(", ", drivers.Keys)})"
        : $"no switch '{only}' with a driver this build speaks ({string.Join(", ", drivers.Keys)})";

    /// <summary>Locates <paramref name="target"/>; a target that is not a MAC, an IPv4 address or a resolvable name is answered as not found, with why.</summary>
    public async Task<TargetLocation> LocateAsync(string target, IReadOnlyList<DeviceDefinition> switches, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(switches);
        var read = await Task.WhenAll(switches.Select(d => ReadAsync(d, maxAge, cancellationToken))).ConfigureAwait(false);
        var tables = read.Select(r => r.Tables).ToList();
        if (MacAddress.TryParse(target, out var mac))
        {
            return new TargetLocation(HostLocator.Locate(mac, tables), tables);
        }

        var ip = await IpOfAsync(target, cancellationToken).ConfigureAwait(false);
        if (ip is null)
        {
            return new TargetLocation(new HostLocation(null, null, LocateConfidence.NotFound, null, [], $"target '{target}' is not a MAC, an IPv4 address or a host name that resolves"), tables);
        }

        return HostLocator.MacOf(ip, read.SelectMany(r => r.Arp)) is { } found
            ? new TargetLocation(HostLocator.Locate(found, tables, ip), tables)
            : new TargetLocation(new HostLocation(null, ip, LocateConfidence.NotFound, null, [], $"no ARP table on the switches maps {ip} to one MAC"), tables);
    }

    private static async Task<IPAddress?> IpOfAsync(string target, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(target, out var ip) && target.Count(c => c == '.') == 3)
        {
            return ip;
        }

        if (!DeviceAddress.TryParse(target, out var host) || host!.Ip is not null || host.Port is not null)
        {
            return null;
        }

        try
        {
            return (await Dns.GetHostAddressesAsync(host.Host, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private async Task<(SwitchTables Tables, IReadOnlyList<ArpEntry> Arp)> ReadAsync(DeviceDefinition device, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(device.Name, out var cached) && time.GetUtcNow() - cached.Tables.ReadAt < maxAge)
        {
            return cached;
        }

        var driver = drivers[device.Driver];
        var tables = driver.ReadTablesAsync(device, cancellationToken);
        var arp = driver.ReadArpAsync(device, cancellationToken);
        var fresh = (await tables.ConfigureAwait(false), await arp.ConfigureAwait(false));
        _cache[device.Name] = fresh;
        return fresh;
    }
}
