using Orchestrator.Connectors.Switches.Ssh;

namespace Orchestrator.Connectors.Switches;

/// <summary>The switch drivers this build speaks, by the inventory's driver name: one list for the service and the CLI.</summary>
public static class SwitchDrivers
{
    public static IReadOnlyDictionary<string, ISwitchDriver> Create(SshSessionPool sessions, TimeProvider time) =>
        new Dictionary<string, ISwitchDriver>(StringComparer.Ordinal)
        {
            [SnmpSwitchDriver.Name] = new SnmpSwitchDriver(time),
            [LinuxBridgeDriver.DriverName] = new LinuxBridgeSwitchDriver(sessions, time),
            [CiscoIosDriver.DriverName] = new CiscoIosDriver(sessions, time),
            [ArubaAoscxDriver.DriverName] = new ArubaAoscxDriver(sessions, time),
            [JunosDriver.DriverName] = new JunosDriver(sessions, time),
        };
}
