using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Firewalls.Ssh;
using Orchestrator.Connectors.Switches.Ssh;

namespace Orchestrator.Connectors.Firewalls;

/// <summary>The firewall drivers this build speaks, by the inventory's driver name: one list for the service and the CLI.</summary>
public static class FirewallDrivers
{
    public static IReadOnlyDictionary<string, IFirewallDriver> Create(SshSessionPool sessions, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(time);

        // One HTTP client per device for the process's life, shared by the API drivers.
        var http = new FirewallHttp(time);
        return new Dictionary<string, IFirewallDriver>(StringComparer.Ordinal)
        {
            [NftablesDriver.DriverName] = new NftablesDriver(sessions),
            [IptablesIpsetDriver.DriverName] = new IptablesIpsetDriver(sessions),
            [CiscoAsaDriver.DriverName] = new CiscoAsaDriver(sessions),
            [PaloAltoDriver.DriverName] = new PaloAltoDriver(http),
            [FortiGateDriver.DriverName] = new FortiGateDriver(http),
            [OpnSenseDriver.DriverName] = new OpnSenseDriver(http),
            [MikroTikDriver.DriverName] = new MikroTikDriver(http),
        };
    }
}
