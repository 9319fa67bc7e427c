using Orchestrator.Connectors.Switches;
using Orchestrator.Connectors.Tests.Containment;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Snmp;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Connectors.Tests.Switches;

/// <summary>
/// A Cisco PVST switch without Q-BRIDGE keeps one BRIDGE-MIB per VLAN: the SNMP driver reads each operational VLAN's
/// forwarding table with <c>community@vlan</c> (v3: context <c>vlan-N</c>), maps its bridge ports through that VLAN's
/// own dot1dBasePortIfIndex, and the locator answers the edge port in the right VLAN — never the trunk uplink.
/// </summary>
public sealed class SnmpPerVlanTests(SnmpsimAgent agent) : IClassFixture<SnmpsimAgent>
{
    [Theory]
    [InlineData("02:1c:24:00:0a:03", "Fa0/3", 10)]
    [InlineData("02:1c:24:00:14:0f", "Fa0/15", 20)]
    public async Task Locate_OnAPvstSwitch_ReadsEachVlansOwnTable(string mac, string port, int vlan)
    {
        var tables = await new SnmpSwitchDriver(TimeProvider.System).ReadTablesAsync(Device(), CancellationToken.None);

        var location = HostLocator.Locate(MacAddress.Parse(mac), [tables]);

        Assert.Equal((LocateConfidence.High, port, vlan), (location.Confidence, location.Edge?.Port.Value, location.Edge?.Vlan?.Value));
        Assert.Equal(10_015, tables.Ports.Single(p => p.Name.Value == "Fa0/15").IfIndex);
    }

    [Fact]
    public async Task Locate_AMacSeenOnlyOnTheTrunk_IsNotAnEdge_AndTheLegacyVlansAreNotRead()
    {
        var tables = await new SnmpSwitchDriver(TimeProvider.System).ReadTablesAsync(Device(), CancellationToken.None);

        var location = HostLocator.Locate(MacAddress.Parse("02:1c:24:01:14:05"), [tables]);

        Assert.Equal(LocateConfidence.OnlyUplinks, location.Confidence);
        Assert.Equal(20 + 20 + 1 + 12 + 11, tables.Fdb.Count);
    }

    [Fact]
    public void ForVlan_V2cAddsTheVlanToTheCommunity_V3UsesTheVlanContext()
    {
        var v2 = new SnmpClientOptions { Endpoint = agent.Endpoint, Community = "secret" };
        var v3 = new SnmpClientOptions { Endpoint = agent.Endpoint, Version = SnmpVersion.V3, Usm = new SnmpUsmOptions { User = "ops", AuthProtocol = SnmpAuthProtocol.Sha256, AuthPassword = "a-long-password" } };
        var vlan = VlanId.TryParse("20", out var v) ? v : throw new InvalidOperationException();

        Assert.Equal("secret@20", SnmpSwitchDriver.ForVlan(v2, vlan).Community);
        Assert.Equal(("vlan-20", "ops", SnmpAuthProtocol.Sha256), (SnmpSwitchDriver.ForVlan(v3, vlan).Usm!.ContextName, SnmpSwitchDriver.ForVlan(v3, vlan).Usm!.User, SnmpSwitchDriver.ForVlan(v3, vlan).Usm!.AuthProtocol));
    }

    private DeviceDefinition Device()
    {
        Environment.SetEnvironmentVariable("ORCH_TEST_PVST_COMMUNITY", "cisco24");
        var device = TestInventory.Device("access-pvst-24", DeviceKind.Switch, SnmpSwitchDriver.Name);
        return new DeviceDefinition
        {
            Name = device.Name,
            Driver = device.Driver,
            Kind = device.Kind,
            Address = DeviceAddress.TryParse(agent.Endpoint.ToString(), out var address) ? address! : throw new InvalidOperationException(),
            Credentials = new Dictionary<string, string> { ["community"] = "${env:ORCH_TEST_PVST_COMMUNITY}" },
            Location = device.Location,
        };
    }
}
