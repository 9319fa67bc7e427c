using System.Net;
using System.Text.RegularExpressions;
using Orchestrator.Core.Conditions;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Runs;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.Playbooks;

/// <summary>Reads the inventory file into an <see cref="Inventory"/>, reporting every bad entry.</summary>
internal static partial class InventoryReader
{
    public static Inventory Read(YamlFile file)
    {
        if (file.Documents.Count == 0 || file.Documents[0].RootNode is YamlScalarNode root && YamlFile.IsNull(root))
        {
            return Inventory.Empty;
        }

        if (file.Documents.Count > 1)
        {
            file.Error(file.Documents[1].RootNode, "the inventory is one document; remove the '---'");
        }

        if (file.Documents[0].RootNode is not YamlMappingNode map)
        {
            file.Error(file.Documents[0].RootNode, "the inventory must be a map with 'lists', 'protected' and 'devices'");
            return Inventory.Empty;
        }

        var entries = file.Entries(map, PlaybookSyntax.InventoryKeys, "inventory");
        var listEntries = new Dictionary<string, (List<IPNetwork> Networks, HashSet<string> Texts)>(StringComparer.Ordinal);
        var lists = entries.TryGetValue("lists", out var l) ? ReadLists(file, l.Value, listEntries) : [];
        var assets = entries.TryGetValue("protected", out var p) ? ReadProtected(file, p.Value, listEntries) : ProtectedAssets.None;
        var devices = entries.TryGetValue("devices", out var d) ? ReadDevices(file, d.Value) : [];
        return new Inventory { Lists = lists, Protected = assets, Devices = devices };
    }

    private static Dictionary<string, NamedList> ReadLists(YamlFile file, YamlNode node, Dictionary<string, (List<IPNetwork> Networks, HashSet<string> Texts)> entriesByList)
    {
        var lists = new Dictionary<string, NamedList>(StringComparer.Ordinal);
        if (node is not YamlMappingNode map)
        {
            file.Error(node, "'lists' must map each list name to its entries");
            return lists;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            if (!ListNameRegex().IsMatch(name))
            {
                file.Error(keyNode, $"list name '{name}' must be letters, digits and '_' (it is used as lists.{name})");
                continue;
            }

            var entries = new List<string>();
            var networks = new List<IPNetwork>();
            var texts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (text, scalar) in Items(file, value, $"lists.{name}"))
            {
                if (TryNetwork(text, out var network))
                {
                    networks.Add(network);
                }
                else if (!MacAddress.TryParse(text, out _) && LooksLikeAddress(text))
                {
                    file.Error(scalar, $"'{text}' in list '{name}' is not a valid IP address or CIDR network");
                    continue;
                }
                else
                {
                    texts.Add(text);
                }

                entries.Add(text);
            }

            try
            {
                lists[name] = NamedList.Parse(name, entries);
                entriesByList[name] = (networks, texts);
            }
            catch (FormatException ex)
            {
                file.Error(keyNode, ex.Message);
            }
        }

        return lists;
    }

    private static ProtectedAssets ReadProtected(YamlFile file, YamlNode node, Dictionary<string, (List<IPNetwork> Networks, HashSet<string> Texts)> lists)
    {
        if (node is not YamlMappingNode map)
        {
            file.Error(node, "'protected' must be a map with hosts, ips, networks, macs and lists");
            return ProtectedAssets.None;
        }

        var entries = file.Entries(map, PlaybookSyntax.ProtectedKeys, "protected assets");
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var networks = new List<IPNetwork>();
        var macs = new HashSet<MacAddress>();
        foreach (var (key, (_, value)) in entries)
        {
            foreach (var (text, scalar) in Items(file, value, $"protected.{key}"))
            {
                switch (key)
                {
                    case "hosts":
                        hosts.Add(text);
                        break;
                    case "ips" when IPAddress.TryParse(text, out var ip):
                        networks.Add(new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
                        break;
                    case "ips":
                        file.Error(scalar, $"'{text}' in protected ips is not an IP address{(text.Contains('/', StringComparison.Ordinal) ? " (put networks under 'networks')" : "")}");
                        break;
                    case "networks" when TryNetwork(text, out var network):
                        networks.Add(network);
                        break;
                    case "networks":
                        file.Error(scalar, $"'{text}' in protected networks is not a CIDR network (10.0.0.0/24) or an IP address");
                        break;
                    case "macs" when MacAddress.TryParse(text, out var mac):
                        macs.Add(mac);
                        break;
                    case "macs":
                        file.Error(scalar, $"'{text}' in protected macs is not a MAC address (aa:bb:cc:dd:ee:ff)");
                        break;
                    case "lists" when lists.TryGetValue(text, out var list):
                        networks.AddRange(list.Networks);
                        hosts.UnionWith(list.Texts);
                        break;
                    case "lists":
                        file.Error(scalar, $"unknown list '{text}'{Suggestions.DidYouMean(text, lists.Keys)}");
                        break;
                }
            }
        }

        return new ProtectedAssets(hosts, networks, macs);
    }

    private static Dictionary<string, DeviceDefinition> ReadDevices(YamlFile file, YamlNode node)
    {
        var devices = new Dictionary<string, DeviceDefinition>(StringComparer.Ordinal);
        if (node is not YamlMappingNode map)
        {
            file.Error(node, "'devices' must map each device name to its driver and address");
            return devices;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            if (value is not YamlMappingNode deviceMap)
            {
                file.Error(value, $"device '{name}' must be a map with 'driver' and 'address'");
                continue;
            }

            var errorsBefore = file.ErrorCount;
            var entries = file.Entries(deviceMap, PlaybookSyntax.DeviceKeys, $"device '{name}'");
            var driver = entries.TryGetValue("driver", out var dr) ? file.Text(dr.Value, "driver") : null;
            DeviceKind kind = default;
            if (driver is not null && !DeviceDrivers.TryGetKind(driver, out kind))
            {
                file.Error(dr.Value, $"device '{name}': unknown driver '{driver}'{Suggestions.DidYouMean(driver, DeviceDrivers.Names)} (known: {string.Join(", ", DeviceDrivers.Names)})");
                driver = null;
            }

            DeviceAddress? address = null;
            if (entries.TryGetValue("address", out var ad) && file.Text(ad.Value, "address") is { } addressText && !DeviceAddress.TryParse(addressText, out address))
            {
                file.Error(ad.Value, $"device '{name}': address '{addressText}' is not an IP address or host name (with :port when not the driver's default)");
            }

            var uplinks = entries.TryGetValue("uplinks", out var up) ? Ports(file, up.Value, name, "uplinks") : [];
            var protectedPorts = entries.TryGetValue("protected_ports", out var pp) ? Ports(file, pp.Value, name, "protected_ports") : [];
            VlanId? quarantine = null;
            if (entries.TryGetValue("quarantine_vlan", out var qv) && file.Text(qv.Value, "quarantine_vlan") is { } vlanText)
            {
                if (VlanId.TryParse(vlanText, out var vlan))
                {
                    quarantine = vlan;
                }
                else
                {
                    file.Error(qv.Value, $"device '{name}': quarantine_vlan '{vlanText}' is not a VLAN id (1-4094)");
                }
            }

            if (driver is not null && kind != DeviceKind.Switch)
            {
                foreach (var (key, entry) in entries.Where(e => e.Key is "uplinks" or "protected_ports" or "quarantine_vlan"))
                {
                    file.Error(entry.Key, $"device '{name}': '{key}' is for switches; driver '{driver}' drives a firewall");
                }
            }
            var credentials = entries.TryGetValue("credentials", out var cr) ? StringMap(file, cr.Value, "credentials") : [];
            foreach (var (credential, reference) in credentials)
            {
                if (!SecretReference.IsReference(reference.Text))
                {
                    file.Error(reference.Node, $"credential '{credential}' of device '{name}' must be a reference, ${{env:NAME}} or ${{file:PATH}}, not the secret itself");
                }
            }

            var options = entries.TryGetValue("options", out var op) ? StringMap(file, op.Value, "options") : [];

            // A device described with a mistake is not acted on at all: the service starts with the rest and logs why.
            if (driver is not null && address is not null && file.ErrorCount == errorsBefore)
            {
                devices[name] = new DeviceDefinition
                {
                    Name = name,
                    Driver = driver,
                    Kind = kind,
                    Address = address,
                    Uplinks = uplinks,
                    ProtectedPorts = protectedPorts,
                    QuarantineVlan = quarantine,
                    Credentials = credentials.ToDictionary(c => c.Key, c => c.Value.Text, StringComparer.Ordinal),
                    Options = options.ToDictionary(c => c.Key, c => c.Value.Text, StringComparer.Ordinal),
                    Location = file.Location(keyNode),
                };
            }
        }

        return devices;
    }

    private static List<PortName> Ports(YamlFile file, YamlNode node, string device, string key)
    {
        var ports = new List<PortName>();
        foreach (var (text, scalar) in file.OneOrMany(node, key))
        {
            if (PortName.TryParse(text, out var port))
            {
                ports.Add(port);
            }
            else
            {
                file.Error(scalar, $"device '{device}': '{text}' in '{key}' is not a port name (letters, digits and / . : - _, at most {PortName.MaxLength})");
            }
        }

        return ports;
    }

    private static Dictionary<string, (string Text, YamlNode Node)> StringMap(YamlFile file, YamlNode node, string key)
    {
        var result = new Dictionary<string, (string, YamlNode)>(StringComparer.Ordinal);
        if (node is not YamlMappingNode map)
        {
            file.Error(node, $"'{key}' must be a map of names to values");
            return result;
        }

        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && v is YamlScalarNode { Value: { } text })
            {
                result[name] = (text, v);
            }
            else
            {
                file.Error(v, $"'{key}' values must be single values");
            }
        }

        return result;
    }

    private static List<(string Text, YamlScalarNode Node)> Items(YamlFile file, YamlNode node, string key)
    {
        if (node is YamlSequenceNode)
        {
            return file.OneOrMany(node, key);
        }

        file.Error(node, $"'{key}' must be a list");
        return [];
    }

    private static bool TryNetwork(string text, out IPNetwork network)
    {
        if (IPAddress.TryParse(text, out var ip) && !text.Contains('/', StringComparison.Ordinal))
        {
            network = new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(text, out network);
    }

    // Digits and dots, a '/', or hex and colons: meant as an address, so a typo is an error rather than a host name.
    private static bool LooksLikeAddress(string text) =>
        text.Contains('/', StringComparison.Ordinal) || NumericDottedRegex().IsMatch(text) || HexColonRegex().IsMatch(text);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ListNameRegex();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]*)+$")]
    private static partial Regex NumericDottedRegex();

    [GeneratedRegex(@"^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*$")]
    private static partial Regex HexColonRegex();
}
