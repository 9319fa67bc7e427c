using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Tests.Containment;

/// <summary>Inventories of made-up devices for step tests (their drivers are the tests' fakes).</summary>
public static class TestInventory
{
    public static DeviceDefinition Device(string name, DeviceKind kind, string driver = "fake") => new()
    {
        Name = name,
        Driver = driver,
        Kind = kind,
        Address = DeviceAddress.TryParse("192.0.2.1", out var address) ? address! : throw new InvalidOperationException(),
        Location = new SourceLocation("inventory.yaml", 1, 1),
    };

    public static Inventory Of(params DeviceDefinition[] devices) => new()
    {
        Devices = devices.ToDictionary(d => d.Name, StringComparer.Ordinal),
    };
}
