using System.Diagnostics;
using System.Net;
using Orchestrator.Connectors.Switches;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Snmp;

namespace Orchestrator.Lab.Tests;

/// <summary>
/// Our SNMP client against the lab: a port shut through the real snmpd in the switch namespace stops
/// packets and comes back on release; the locator reads the simulated vendor switch's 2,000-entry
/// forwarding table and answers edge ports, never the trunk or the uplink.
/// </summary>
[Collection(SharedLab.Name)]
public sealed class SnmpContainmentTests(LabFixture lab)
{
    [LabFact]
    public async Task ShutdownPort_StopsTheHostsPackets_RestoreBringsThemBack()
    {
        await using var client = Client(lab.Info.SnmpPort, lab.Info.SnmpCommunity);
        var ifIndex = lab.Ports["p1"].IfIndex;
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 before");

        var before = await SnmpPortAdmin.ShutdownAsync(client, ifIndex, CancellationToken.None);
        try
        {
            Assert.Equal((ifIndex, SnmpPortAdmin.Up), (before.IfIndex, before.AdminStatus));
            Assert.Equal(SnmpPortAdmin.Down, (await SnmpPortAdmin.ReadAsync(client, ifIndex, CancellationToken.None)).AdminStatus);
            var link = await lab.Exec("sw", "ip", "-o", "link", "show", "p1");
            Assert.Contains("state DOWN", link.StdOut, StringComparison.Ordinal);
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h2")), "h1 must not reach h2 with its port down");
        }
        finally
        {
            await SnmpPortAdmin.RestoreAsync(client, before, CancellationToken.None);
        }

        Assert.Equal(SnmpPortAdmin.Up, (await SnmpPortAdmin.ReadAsync(client, ifIndex, CancellationToken.None)).AdminStatus);
        Assert.True(await lab.PingEventually("h1", lab.Address("h2"), attempts: 10), "h1 should reach h2 again after release");
    }

    [LabFact]
    public async Task Locate_OnTheVendorSwitch_AnswersEdgePortsAndNeverTheTrunkOrUplink()
    {
        await using var client = Client(lab.Info.SnmpsimPort, lab.Info.SnmpsimCommunity);
        var device = Switch48(uplinks: []);

        var watch = Stopwatch.StartNew();
        var tables = await SnmpSwitchTables.ReadAsync(client, device, TimeProvider.System, CancellationToken.None);
        var cold = watch.Elapsed;

        Assert.Equal(48, tables.Ports.Count);
        Assert.Equal(2000, tables.Fdb.Count);
        Assert.Equal(10105, tables.Ports.Single(p => p.Name.Value == "Gi1/0/5").IfIndex);

        var pc5 = HostLocator.Locate(LabMac(5), [tables]);
        Assert.Equal(LocateConfidence.High, pc5.Confidence);
        Assert.Equal(("access-sw-48", "Gi1/0/5", 10105, 10), (pc5.Edge!.Device, pc5.Edge.Port.Value, pc5.Edge.IfIndex, pc5.Edge.Vlan?.Value));

        var pcBehindPhone = HostLocator.Locate(LabMac(41), [tables]);
        Assert.Equal(("Gi1/0/41", 2), (pcBehindPhone.Edge!.Port.Value, pcBehindPhone.Edge.MacsOnPort));

        var behindAccessPoint = HostLocator.Locate(LabMac(60), [tables]);
        Assert.Equal(LocateConfidence.OnlyUplinks, behindAccessPoint.Confidence);
        Assert.Contains("Gi1/0/47: a trunk", behindAccessPoint.Why, StringComparison.Ordinal);

        var behindUplink = HostLocator.Locate(LabMac(1500), [tables]);
        Assert.Equal(LocateConfidence.OnlyUplinks, behindUplink.Confidence);
        Assert.Contains("Gi1/0/48: a trunk", behindUplink.Why, StringComparison.Ordinal);

        // Cached: the tables are read once; each lookup after that is in memory.
        watch.Restart();
        for (var n = 1; n <= 1000; n++)
        {
            HostLocator.Locate(LabMac(n), [tables]);
        }

        var cached = watch.Elapsed / 1000;
        Console.WriteLine($"locate on the 48-port, 2,000-MAC simulated switch: cold (all tables over SNMP) {cold.TotalMilliseconds:F0} ms, cached {cached.TotalMilliseconds:F3} ms per lookup");
    }

    [LabFact]
    public async Task Locate_ConfiguredUplink_IsNamedAsSuch()
    {
        await using var client = Client(lab.Info.SnmpsimPort, lab.Info.SnmpsimCommunity);
        var tables = await SnmpSwitchTables.ReadAsync(client, Switch48(uplinks: ["Gi1/0/48"]), TimeProvider.System, CancellationToken.None);

        var behindUplink = HostLocator.Locate(LabMac(1500), [tables]);

        Assert.Contains("Gi1/0/48: a configured uplink", behindUplink.Why, StringComparison.Ordinal);
    }

    [LabFact]
    public async Task MoveVlan_CiscoVmVlan_IsRecordedAppliedAndRestored()
    {
        await using var client = Client(lab.Info.SnmpsimPort, lab.Info.SnmpsimCommunity);
        var tables = await SnmpSwitchTables.ReadAsync(client, Switch48(uplinks: []), TimeProvider.System, CancellationToken.None);
        var port = tables.Ports.Single(p => p.Name.Value == "Gi1/0/5");
        var vmVlan = SnmpVlanDriver.VmVlan.Append(10105);

        var before = await SnmpVlanDriver.MoveAsync(client, "access-sw-48", port, Vlan(99), CancellationToken.None);

        Assert.Equal((SnmpVlanDriver.CiscoVmVlan, 10105, 10), (before.Method, before.IfIndex, before.Vlan));
        Assert.Equal(99, (await client.GetAsync(vmVlan)).Value.AsInt32());
        await SnmpVlanDriver.RestoreAsync(client, "access-sw-48", before, 99, CancellationToken.None);
        Assert.Equal(10, (await client.GetAsync(vmVlan)).Value.AsInt32());
    }

    [LabFact]
    public async Task MoveVlan_QBridge_MovesPvidAndPortListBits_AndRestoresThem()
    {
        await using var client = Client(lab.Info.SnmpsimPort, lab.Info.SnmpsimCommunity);
        var tables = await SnmpSwitchTables.ReadAsync(client, Switch48(uplinks: []), TimeProvider.System, CancellationToken.None);
        var port = tables.Ports.Single(p => p.Name.Value == "Gi1/0/6");

        var before = await SnmpVlanDriver.MoveAsync(client, "access-sw-48", port, Vlan(99), CancellationToken.None, SnmpVlanDriver.Qbridge);

        Assert.Equal((SnmpVlanDriver.Qbridge, 6, 10), (before.Method, before.BridgePort, before.Vlan));
        Assert.Equal(99u, (await client.GetAsync(SnmpVlanDriver.Dot1qPvid.Append(6))).Value.AsUInt32());
        Assert.Equal((true, true, false, false), await MembershipAsync(client, 6));
        Assert.True(PortList.Contains((await client.GetAsync(SnmpVlanDriver.StaticEgressPorts.Append(99))).Value.AsBytes().Span, 47), "the trunk keeps VLAN 99");

        await SnmpVlanDriver.RestoreAsync(client, "access-sw-48", before, 99, CancellationToken.None);

        Assert.Equal(10u, (await client.GetAsync(SnmpVlanDriver.Dot1qPvid.Append(6))).Value.AsUInt32());
        Assert.Equal((false, false, true, true), await MembershipAsync(client, 6));
        Assert.True(PortList.Contains((await client.GetAsync(SnmpVlanDriver.StaticUntaggedPorts.Append(10))).Value.AsBytes().Span, 5), "the neighbour port is untouched");
    }

    // (egress 99, untagged 99, egress 10, untagged 10) for a bridge port.
    private static async Task<(bool, bool, bool, bool)> MembershipAsync(SnmpClient client, int bridgePort)
    {
        async Task<bool> In(Oid column, uint vlan) => PortList.Contains((await client.GetAsync(column.Append(vlan))).Value.AsBytes().Span, bridgePort);
        return (await In(SnmpVlanDriver.StaticEgressPorts, 99), await In(SnmpVlanDriver.StaticUntaggedPorts, 99),
            await In(SnmpVlanDriver.StaticEgressPorts, 10), await In(SnmpVlanDriver.StaticUntaggedPorts, 10));
    }

    private static VlanId Vlan(int id) => VlanId.TryParse(id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var vlan) ? vlan : throw new InvalidOperationException();

    [LabFact]
    public async Task LocateCommand_OnTheInventorysSwitch_PrintsTheEdgePort_OrWhyNot()
    {
        var folder = Directory.CreateTempSubdirectory("orch-locate-").FullName;
        try
        {
            Environment.SetEnvironmentVariable("ORCH_LAB_SNMPSIM_COMMUNITY", lab.Info.SnmpsimCommunity);
            await File.WriteAllTextAsync(Path.Combine(folder, Inventory.FileName), $$"""
                devices:
                  access-sw-48:
                    driver: snmp
                    address: {{lab.ManagementAddress}}:{{lab.Info.SnmpsimPort}}
                    credentials: { community: "${env:ORCH_LAB_SNMPSIM_COMMUNITY}" }
                    uplinks: [Gi1/0/48]
                    protected_ports: [Gi1/0/1]
                """);

            var found = await LocateAsync(folder, "02-1A-2B-00-00-05");
            Assert.True(found.ExitCode == 0, found.StdErr);
            Assert.StartsWith("02:1a:2b:00:00:05 is on access-sw-48 Gi1/0/5 (ifIndex 10105, VLAN 10), confidence high: edge port with 1 MAC(s)", found.StdOut, StringComparison.Ordinal);

            var uplink = await LocateAsync(folder, "021a.2b00.05dc");
            Assert.Equal(1, uplink.ExitCode);
            Assert.StartsWith("not located (only_uplinks):", uplink.StdOut, StringComparison.Ordinal);
            Assert.Contains("seen on access-sw-48 Gi1/0/48: a configured uplink", uplink.StdOut, StringComparison.Ordinal);

            var protectedPort = await LocateAsync(folder, "02:1a:2b:00:00:01", "--output", "json");
            Assert.Equal(0, protectedPort.ExitCode);
            Assert.Contains("\"port\":\"Gi1/0/1\"", protectedPort.StdOut, StringComparison.Ordinal);
            Assert.Contains("\"protected\":true", protectedPort.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> LocateAsync(string folder, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await Orchestrator.Cli.CliApp.Build().Parse(["locate", .. args, "--playbooks", folder]).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private SnmpClient Client(int port, string community) => new(new SnmpClientOptions
    {
        Endpoint = new IPEndPoint(IPAddress.Parse(lab.ManagementAddress), port),
        Community = community,
        Timeout = TimeSpan.FromSeconds(3),
        Retries = 2,
    });

    // gen-snmprec.py's MACs: 02:1a:2b followed by n on three bytes (n = 1..40 the PCs on ports 1-40,
    // 41.. the port 41-46 pairs, 53-200 behind the trunk on port 47, 201-2000 behind the uplink).
    private static MacAddress LabMac(int n) => MacAddress.FromValue(0x021a_2b00_0000UL + (ulong)n);

    private static DeviceDefinition Switch48(IReadOnlyList<string> uplinks) => new()
    {
        Name = "access-sw-48",
        Driver = "snmp",
        Kind = DeviceKind.Switch,
        Address = DeviceAddress.TryParse("10.199.255.2", out var address) ? address! : throw new InvalidOperationException(),
        Uplinks = [.. uplinks.Select(u => PortName.TryParse(u, out var port) ? port : throw new InvalidOperationException(u))],
        Location = new SourceLocation("inventory.yaml", 1, 1),
    };
}
