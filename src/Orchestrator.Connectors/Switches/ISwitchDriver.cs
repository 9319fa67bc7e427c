using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Switches;

/// <summary>The two changes a switch containment makes to an access port.</summary>
public enum PortChange
{
    Shutdown,
    Quarantine,
}

/// <summary>
/// One way of talking to a switch (SNMP, or a CLI over SSH): read the tables the locator needs, capture
/// a port's state before a change, make the change and verify it, and put a captured state back. The
/// captured state is the driver's own JSON, kept in the containment record.
/// </summary>
public interface ISwitchDriver
{
    Task<SwitchTables> ReadTablesAsync(DeviceDefinition device, CancellationToken cancellationToken);

    /// <summary>The switch's ARP table (IP → MAC), empty when it routes nothing.</summary>
    Task<IReadOnlyList<ArpEntry>> ReadArpAsync(DeviceDefinition device, CancellationToken cancellationToken);

    /// <summary>The port's state that <paramref name="change"/> (to <paramref name="vlan"/> for a quarantine) will replace, as JSON.</summary>
    Task<string> CaptureAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken);

    /// <summary>Makes the change and reads it back; throws when the switch did not apply it.</summary>
    Task ApplyAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken);

    /// <summary>Puts back the state <paramref name="captured"/> recorded; throws when the switch did not apply it.</summary>
    Task RestoreAsync(DeviceDefinition device, string captured, CancellationToken cancellationToken);

    /// <summary>The port's description (IF-MIB ifAlias) now; <see cref="NotSupportedException"/> from a driver that cannot read it.</summary>
    Task<string?> ReadDescriptionAsync(DeviceDefinition device, SwitchPort port, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"the {device?.Driver} driver does not read port descriptions");

    /// <summary>
    /// Sets the port's description, so whoever looks at the switch sees why the port is down or moved (and puts the old one
    /// back on release). The text is the driver's to make safe for the device; <see cref="NotSupportedException"/> when it cannot.
    /// </summary>
    Task SetDescriptionAsync(DeviceDefinition device, SwitchPort port, string description, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"the {device?.Driver} driver does not set port descriptions");
}
