using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Snmp;

namespace Orchestrator.Connectors.Switches;

/// <summary>
/// Locates hosts on the inventory's switches over SNMP (v1/v2c: <c>credentials.community</c>, by reference).
/// Each switch's tables are read once and reused for <see cref="Refresh"/>; the switches are read in
/// parallel. An IP is turned into a MAC through the ARP tables of the same switches (IP-MIB
/// ipNetToPhysicalPhysAddress, or ipNetToMediaPhysAddress on older agents).
/// </summary>
public sealed class SwitchLocator(TimeProvider time, TimeSpan refresh)
{
    public static readonly Oid IpNetToPhysicalPhysAddress = Oid.Parse("1.3.6.1.2.1.4.35.1.4");
    public static readonly Oid IpNetToMediaPhysAddress = Oid.Parse("1.3.6.1.2.1.4.22.1.2");
    private const int SnmpPort = 161;

    private readonly ConcurrentDictionary<string, (SwitchTables Tables, IReadOnlyList<ArpEntry> Arp)> _cache = new(StringComparer.Ordinal);

    /// <summary>How long a switch's tables are reused before they are read again.</summary>
    public TimeSpan Refresh { get; } = refresh;

    public async Task<HostLocation> LocateAsync(MacAddress mac, IEnumerable<DeviceDefinition> switches, CancellationToken cancellationToken)
    {
        var read = await ReadAllAsync(switches, cancellationToken).ConfigureAwait(false);
        return HostLocator.Locate(mac, read.Select(r => r.Tables));
    }

    public async Task<HostLocation> LocateAsync(IPAddress ip, IEnumerable<DeviceDefinition> switches, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var read = await ReadAllAsync(switches, cancellationToken).ConfigureAwait(false);
        var mac = HostLocator.MacOf(ip, read.SelectMany(r => r.Arp));
        return mac is { } found
            ? HostLocator.Locate(found, read.Select(r => r.Tables), ip)
            : new HostLocation(null, ip, LocateConfidence.NotFound, null, [], $"no ARP table on the switches maps {ip} to one MAC");
    }

    private async Task<(SwitchTables Tables, IReadOnlyList<ArpEntry> Arp)[]> ReadAllAsync(IEnumerable<DeviceDefinition> switches, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(switches);
        return await Task.WhenAll(switches.Where(d => d.Kind == DeviceKind.Switch).Select(d => ReadAsync(d, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<(SwitchTables Tables, IReadOnlyList<ArpEntry> Arp)> ReadAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(device.Name, out var cached) && time.GetUtcNow() - cached.Tables.ReadAt < Refresh)
        {
            return cached;
        }

        await using var client = new SnmpClient(await OptionsAsync(device, cancellationToken).ConfigureAwait(false), time);
        var tables = await SnmpSwitchTables.ReadAsync(client, device, time, cancellationToken).ConfigureAwait(false);
        var arp = await ArpAsync(client, device.Name, cancellationToken).ConfigureAwait(false);
        var fresh = (tables, (IReadOnlyList<ArpEntry>)arp);
        _cache[device.Name] = fresh;
        return fresh;
    }

    /// <summary>The SNMP client settings for a device: its address (port 161 unless given) and its community.</summary>
    public static async Task<SnmpClientOptions> OptionsAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!device.Credentials.TryGetValue("community", out var reference))
        {
            throw new SnmpException($"device '{device.Name}' has no credentials.community to read it over SNMP");
        }

        var ip = device.Address.Ip
            ?? (await Dns.GetHostAddressesAsync(device.Address.Host, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new SnmpException($"device '{device.Name}': {device.Address.Host} does not resolve");
        var version = device.Options.GetValueOrDefault("snmp_version", "2c") switch
        {
            "1" => SnmpVersion.V1,
            "2c" => SnmpVersion.V2c,
            var other => throw new SnmpException($"device '{device.Name}': options.snmp_version '{other}' is not 1 or 2c"),
        };
        return new SnmpClientOptions
        {
            Endpoint = new IPEndPoint(ip, device.Address.Port ?? SnmpPort),
            Version = version,
            Community = SecretReference.Resolve(reference),
        };
    }

    /// <summary>The agent's ARP table: ipNetToPhysicalPhysAddress, or ipNetToMediaPhysAddress on older agents.</summary>
    public static async Task<List<ArpEntry>> ArpAsync(SnmpClient client, string device, CancellationToken cancellationToken)
    {
        var arp = new List<ArpEntry>();
        // ipNetToPhysicalPhysAddress.<ifIndex>.<addressType>.<length>.<address octets>
        await foreach (var binding in client.BulkWalkAsync(IpNetToPhysicalPhysAddress, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var index = binding.Oid.Arcs.Span[IpNetToPhysicalPhysAddress.Length..];
            if (index.Length == 7 && index[1] == 1 && index[2] == 4 && Ip(index[3..]) is { } ip && Mac(binding.Value) is { } mac)
            {
                arp.Add(new ArpEntry(ip, mac, device));
            }
        }

        if (arp.Count > 0)
        {
            return arp;
        }

        // ipNetToMediaPhysAddress.<ifIndex>.<a>.<b>.<c>.<d>
        await foreach (var binding in client.BulkWalkAsync(IpNetToMediaPhysAddress, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var index = binding.Oid.Arcs.Span[IpNetToMediaPhysAddress.Length..];
            if (index.Length == 5 && Ip(index[1..]) is { } ip && Mac(binding.Value) is { } mac)
            {
                arp.Add(new ArpEntry(ip, mac, device));
            }
        }

        return arp;
    }

    private static IPAddress? Ip(ReadOnlySpan<uint> octets)
    {
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (octets[i] > 255)
            {
                return null;
            }

            bytes[i] = (byte)octets[i];
        }

        return new IPAddress(bytes);
    }

    private static MacAddress? Mac(SnmpValue value)
    {
        if (value.Kind != SnmpValueKind.OctetString || value.AsBytes().Length != 6)
        {
            return null;
        }

        ulong number = 0;
        foreach (var b in value.AsBytes().Span)
        {
            number = (number << 8) | b;
        }

        return MacAddress.FromValue(number);
    }
}
