namespace Orchestrator.Core.Network;

/// <summary>What a device is to the steps that act on it.</summary>
public enum DeviceKind
{
    Switch,
    Firewall,
}

/// <summary>The driver names an inventory may use, and what kind of device each drives.</summary>
public static class DeviceDrivers
{
    private static readonly Dictionary<string, DeviceKind> Known = new(StringComparer.Ordinal)
    {
        ["snmp"] = DeviceKind.Switch,
        ["cisco-ios"] = DeviceKind.Switch,
        ["aruba-aoscx"] = DeviceKind.Switch,
        ["junos"] = DeviceKind.Switch,
        ["linux-bridge"] = DeviceKind.Switch,
        ["nftables"] = DeviceKind.Firewall,
        ["iptables"] = DeviceKind.Firewall,
        ["cisco-asa"] = DeviceKind.Firewall,
        ["paloalto"] = DeviceKind.Firewall,
        ["fortigate"] = DeviceKind.Firewall,
        ["opnsense"] = DeviceKind.Firewall,
        ["mikrotik"] = DeviceKind.Firewall,
    };

    public static IEnumerable<string> Names => Known.Keys;

    public static bool TryGetKind(string driver, out DeviceKind kind) => Known.TryGetValue(driver, out kind);
}
