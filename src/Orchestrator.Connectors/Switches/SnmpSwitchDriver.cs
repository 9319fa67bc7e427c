using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Snmp;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Connectors.Switches;

/// <summary>
/// The <c>snmp</c> switch driver: tables through <see cref="SnmpSwitchTables"/>, shutdown through IF-MIB
/// ifAdminStatus, quarantine through <see cref="SnmpVlanDriver"/> (<c>options.vlan_method</c>: auto,
/// qbridge or cisco-vmvlan). One client per operation: SNMP has no connection to keep.
/// </summary>
public sealed class SnmpSwitchDriver(TimeProvider time) : ISwitchDriver
{
    public const string Name = "snmp";
    public static readonly Oid IpNetToPhysicalPhysAddress = Oid.Parse("1.3.6.1.2.1.4.35.1.4");
    public static readonly Oid IpNetToMediaPhysAddress = Oid.Parse("1.3.6.1.2.1.4.22.1.2");
    private const int SnmpPort = 161;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<SwitchTables> ReadTablesAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        var options = await OptionsAsync(device, cancellationToken).ConfigureAwait(false);
        await using var client = new SnmpClient(options);
        return await SnmpSwitchTables.ReadAsync(client, device, time, cancellationToken, vlan => Task.FromResult(new SnmpClient(ForVlan(options, vlan)))).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ArpEntry>> ReadArpAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        return await ArpAsync(client, device.Name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> CaptureAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(port);
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        if (change == PortChange.Shutdown)
        {
            return JsonSerializer.Serialize(new Captured(change, await SnmpPortAdmin.ReadAsync(client, port.IfIndex, cancellationToken).ConfigureAwait(false), null, null), Json);
        }

        var to = vlan ?? throw new SnmpException($"{device.Name}: no quarantine VLAN to move {port.Name} to");
        var before = await SnmpVlanDriver.ReadAsync(client, device.Name, port, cancellationToken, Method(device)).ConfigureAwait(false);
        return JsonSerializer.Serialize(new Captured(change, null, before, to.Value), Json);
    }

    public async Task ApplyAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(port);
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        if (change == PortChange.Shutdown)
        {
            await SnmpPortAdmin.ShutdownAsync(client, port.IfIndex, cancellationToken).ConfigureAwait(false);
            return;
        }

        var to = vlan ?? throw new SnmpException($"{device.Name}: no quarantine VLAN to move {port.Name} to");
        await SnmpVlanDriver.MoveAsync(client, device.Name, port, to, cancellationToken, Method(device)).ConfigureAwait(false);
    }

    public async Task RestoreAsync(DeviceDefinition device, string captured, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var state = JsonSerializer.Deserialize<Captured>(captured, Json) ?? throw new SnmpException($"{device.Name}: the recorded state is empty");
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        if (state.Change == PortChange.Shutdown)
        {
            await SnmpPortAdmin.RestoreAsync(client, state.Admin!, cancellationToken).ConfigureAwait(false);
            return;
        }

        await SnmpVlanDriver.RestoreAsync(client, device.Name, state.Vlan!, state.MovedTo!.Value, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The SNMP client settings for a device: its address (port 161 unless given) and its community.</summary>
    public static async Task<SnmpClientOptions> OptionsAsync(DeviceDefinition device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var ip = device.Address.Ip
            ?? (await Dns.GetHostAddressesAsync(device.Address.Host, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new SnmpException($"device '{device.Name}': {device.Address.Host} does not resolve");
        var endpoint = new IPEndPoint(ip, device.Address.Port ?? SnmpPort);
        string? Secret(string key) => device.Credentials.TryGetValue(key, out var reference) ? SecretReference.Resolve(reference) : null;
        switch (device.Options.GetValueOrDefault("snmp_version", "2c"))
        {
            case "1" or "2c" when Secret("community") is { } community:
                return new SnmpClientOptions { Endpoint = endpoint, Version = device.Options.GetValueOrDefault("snmp_version", "2c") == "1" ? SnmpVersion.V1 : SnmpVersion.V2c, Community = community };
            case "1" or "2c":
                throw new SnmpException($"device '{device.Name}' has no credentials.community to read it over SNMP");
            case "3":
                return new SnmpClientOptions { Endpoint = endpoint, Version = SnmpVersion.V3, Usm = Usm(device, Secret) };
            case var other:
                throw new SnmpException($"device '{device.Name}': options.snmp_version '{other}' is not 1, 2c or 3");
        }
    }

    /// <summary>
    /// The same agent, for VLAN <paramref name="vlan"/>'s own BRIDGE-MIB instance (Cisco): community <c>community@vlan</c>
    /// for v1/v2c, context <c>vlan-N</c> for v3.
    /// </summary>
    public static SnmpClientOptions ForVlan(SnmpClientOptions options, VlanId vlan)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Version == SnmpVersion.V3
            ? options.WithContext(null, $"vlan-{vlan}")
            : options.WithContext($"{options.Community}@{vlan}", null);
    }

    // SNMPv3 USM: credentials.username, auth_password, priv_password (references); options.auth_protocol, priv_protocol.
    private static SnmpUsmOptions Usm(DeviceDefinition device, Func<string, string?> secret)
    {
        var user = secret("username") ?? throw new SnmpException($"device '{device.Name}': SNMPv3 needs credentials.username");
        var auth = device.Options.GetValueOrDefault("auth_protocol", "sha") switch
        {
            "none" => SnmpAuthProtocol.None,
            "md5" => SnmpAuthProtocol.Md5,
            "sha" => SnmpAuthProtocol.Sha1,
            "sha224" => SnmpAuthProtocol.Sha224,
            "sha256" => SnmpAuthProtocol.Sha256,
            "sha384" => SnmpAuthProtocol.Sha384,
            "sha512" => SnmpAuthProtocol.Sha512,
            var other => throw new SnmpException($"device '{device.Name}': options.auth_protocol '{other}' is not none, md5, sha, sha224, sha256, sha384 or sha512"),
        };
        var priv = device.Options.GetValueOrDefault("priv_protocol", "aes") switch
        {
            "none" => SnmpPrivProtocol.None,
            "des" => SnmpPrivProtocol.Des,
            "aes" => SnmpPrivProtocol.Aes128,
            var other => throw new SnmpException($"device '{device.Name}': options.priv_protocol '{other}' is not none, des or aes"),
        };
        return new SnmpUsmOptions
        {
            User = user,
            AuthProtocol = auth,
            AuthPassword = auth == SnmpAuthProtocol.None ? null : secret("auth_password") ?? throw new SnmpException($"device '{device.Name}': auth_protocol {device.Options.GetValueOrDefault("auth_protocol", "sha")} needs credentials.auth_password"),
            PrivProtocol = auth == SnmpAuthProtocol.None ? SnmpPrivProtocol.None : priv,
            PrivPassword = auth == SnmpAuthProtocol.None || priv == SnmpPrivProtocol.None ? null : secret("priv_password") ?? throw new SnmpException($"device '{device.Name}': priv_protocol {device.Options.GetValueOrDefault("priv_protocol", "aes")} needs credentials.priv_password"),
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
    public async Task<string?> ReadDescriptionAsync(DeviceDefinition device, SwitchPort port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(port);
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        return (await SnmpPortAdmin.ReadAsync(client, port.IfIndex, cancellationToken).ConfigureAwait(false)).Alias;
    }

    public async Task SetDescriptionAsync(DeviceDefinition device, SwitchPort port, string description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(port);
        await using var client = await ClientAsync(device, cancellationToken).ConfigureAwait(false);
        await SnmpPortAdmin.SetAliasAsync(client, port.IfIndex, description, cancellationToken).ConfigureAwait(false);
    }

    private static string Method(DeviceDefinition device) => device.Options.GetValueOrDefault("vlan_method", "auto");

    private static async Task<SnmpClient> ClientAsync(DeviceDefinition device, CancellationToken cancellationToken) =>
        new(await OptionsAsync(device, cancellationToken).ConfigureAwait(false));

    // What a change replaced: the admin status for a shutdown; the VLAN (and how it is set) for a quarantine, with where it went.
    private sealed record Captured(PortChange Change, PortAdminSnapshot? Admin, PortVlanSnapshot? Vlan, int? MovedTo);
}
