using System.Net;
using Orchestrator.Core.Events;

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

    public ProtectedAssets Protected { get; init; } = new();

    public IReadOnlyDictionary<string, DeviceDefinition> Devices { get; init; } = new Dictionary<string, DeviceDefinition>(StringComparer.Ordinal);
}

/// <summary>A named list (<c>lists.NAME</c> in conditions): addresses and networks parsed, other entries (host names, hashes) kept as text.</summary>
public sealed class NamedList
{
    public required string Name { get; init; }

    /// <summary>Every entry as written.</summary>
    public required IReadOnlyList<string> Entries { get; init; }

    /// <summary>The entries that are IP addresses or CIDR networks (an address is a /32 or /128).</summary>
    public IReadOnlyList<IPNetwork> Networks { get; init; } = [];

    /// <summary>The entries that are neither addresses nor networks, compared without case.</summary>
    public IReadOnlySet<string> Texts { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Hosts, addresses, networks and MACs that containment steps must never target.</summary>
public sealed class ProtectedAssets
{
    public IReadOnlySet<string> Hosts { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Protected addresses and networks (an address is a /32 or /128), including those of the named lists it includes.</summary>
    public IReadOnlyList<IPNetwork> Networks { get; init; } = [];

    public IReadOnlySet<MacAddress> Macs { get; init; } = new HashSet<MacAddress>();

    /// <summary>Named lists whose entries are protected too.</summary>
    public IReadOnlyList<string> Lists { get; init; } = [];
}

/// <summary>A device steps act on (<c>device: core-fw</c>): which driver speaks to it, where, and the references to its credentials.</summary>
public sealed class DeviceDefinition
{
    public required string Name { get; init; }

    public required string Driver { get; init; }

    public required string Address { get; init; }

    /// <summary>Credential name to reference (<c>${env:NAME}</c> or <c>${file:PATH}</c>), resolved only when the device is used.</summary>
    public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Driver-specific settings as written.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public required SourceLocation Location { get; init; }
}
