using Orchestrator.Core.Conditions;
using Orchestrator.Core.Network;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Playbooks;

/// <summary>
/// The inventory file beside the playbooks (<c>inventory.yaml</c>): named lists, protected assets, and the
/// devices steps act on (credentials by reference only).
/// </summary>
public sealed class Inventory
{
    /// <summary>The file name the loader looks for in the playbook folder.</summary>
    public const string FileName = "inventory.yaml";

    /// <summary>An inventory with nothing in it, for a folder without an inventory file.</summary>
    public static Inventory Empty { get; } = new();

    public IReadOnlyDictionary<string, NamedList> Lists { get; init; } = new Dictionary<string, NamedList>(StringComparer.Ordinal);

    public ProtectedAssets Protected { get; init; } = ProtectedAssets.None;

    public IReadOnlyDictionary<string, DeviceDefinition> Devices { get; init; } = new Dictionary<string, DeviceDefinition>(StringComparer.Ordinal);
}

/// <summary>A device steps act on (<c>device: core-fw</c>): which driver speaks to it, where, and the references to its credentials.</summary>
public sealed class DeviceDefinition
{
    public required string Name { get; init; }

    public required string Driver { get; init; }

    /// <summary>A switch (ports, VLANs) or a firewall (address blocks), from the driver.</summary>
    public required DeviceKind Kind { get; init; }

    public required DeviceAddress Address { get; init; }

    /// <summary>Switches: ports toward other switches and routers; containment never touches them.</summary>
    public IReadOnlyList<PortName> Uplinks { get; init; } = [];

    /// <summary>Switches: ports containment never touches (servers, phones, printers that must stay up).</summary>
    public IReadOnlyList<PortName> ProtectedPorts { get; init; } = [];

    /// <summary>Switches: the VLAN a quarantined host is moved to; null when the switch has none.</summary>
    public VlanId? QuarantineVlan { get; init; }

    /// <summary>Credential name to reference (<c>${env:NAME}</c> or <c>${file:PATH}</c>), resolved only when the device is used.</summary>
    public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Driver-specific settings as written.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public required SourceLocation Location { get; init; }
}
