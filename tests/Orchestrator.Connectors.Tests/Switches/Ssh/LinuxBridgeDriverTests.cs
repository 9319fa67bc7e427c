using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>
/// The linux-bridge driver against iproute2 output: the per-VLAN-bridge samples were captured from the
/// lab switch (iproute2 6.1, kernel 6.18); the vlan_filtering samples follow the same iproute2 JSON format.
/// </summary>
public sealed class LinuxBridgeDriverTests
{
    // ip -j -d link show (trimmed to the fields iproute2 prints that matter, values as captured)
    private const string LabLinks = """
        [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"operstate":"UNKNOWN","link_type":"loopback"},
         {"ifindex":2,"link_index":24,"ifname":"mgmt0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"operstate":"UP","linkinfo":{"info_kind":"veth"}},
         {"ifindex":3,"ifname":"br10","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"operstate":"UP","linkinfo":{"info_kind":"bridge"}},
         {"ifindex":4,"ifname":"br99","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"operstate":"UNKNOWN","linkinfo":{"info_kind":"bridge"}},
         {"ifindex":5,"link_index":2,"ifname":"p1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"master":"br10","operstate":"UP","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}},
         {"ifindex":6,"link_index":2,"ifname":"p2","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"master":"br10","operstate":"UP","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}},
         {"ifindex":8,"link_index":2,"ifname":"p4","flags":["BROADCAST","MULTICAST"],"master":"br10","operstate":"DOWN","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}},
         {"ifindex":9,"link_index":2,"ifname":"p5","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"master":"br99","operstate":"UP","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}},
         {"ifindex":12,"ifname":"bond0","flags":["BROADCAST","MULTICAST","MASTER","UP"],"master":"br10","operstate":"UP","linkinfo":{"info_kind":"bond"}},
         {"ifindex":13,"ifname":"eth9.99","flags":["BROADCAST","MULTICAST","UP"],"master":"br99","operstate":"UP","linkinfo":{"info_kind":"vlan"}}]
        """;

    // bridge -j fdb show, as captured (h1 behind p1, h2 behind p2, the rem server behind p5)
    private const string LabFdb = """
        [{"mac":"33:33:00:00:00:01","ifname":"mgmt0","flags":["self"],"state":"permanent"},
         {"mac":"01:00:5e:00:00:01","ifname":"br10","flags":["self"],"state":"permanent"},
         {"mac":"82:67:06:54:2c:af","ifname":"p1","flags":[],"master":"br10","state":""},
         {"mac":"aa:5e:95:f5:d3:98","ifname":"p1","flags":[],"master":"br10","state":"permanent"},
         {"mac":"33:33:00:00:00:01","ifname":"p1","flags":["self"],"state":"permanent"},
         {"mac":"ae:f7:e6:36:16:d4","ifname":"p2","flags":[],"master":"br10","state":""},
         {"mac":"d2:05:40:91:be:f7","ifname":"p2","flags":[],"master":"br10","state":"permanent"},
         {"mac":"4a:b0:fe:8c:26:10","ifname":"p5","flags":[],"master":"br99","state":""},
         {"mac":"86:76:96:5c:e3:3b","ifname":"p5","flags":[],"master":"br99","state":"permanent"}]
        """;

    private const string FilteringLinks = """
        [{"ifindex":3,"ifname":"br0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"linkinfo":{"info_kind":"bridge"}},
         {"ifindex":4,"ifname":"swp1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"master":"br0","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}},
         {"ifindex":9,"ifname":"swp6","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"master":"br0","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}}]
        """;

    private const string FilteringFdb = """
        [{"mac":"52:54:00:00:00:01","ifname":"swp1","vlan":10,"flags":[],"master":"br0","state":""},
         {"mac":"52:54:00:00:00:02","ifname":"swp6","vlan":99,"flags":[],"master":"br0","state":""},
         {"mac":"5a:00:00:00:00:04","ifname":"swp1","vlan":1,"flags":[],"master":"br0","state":"permanent"},
         {"mac":"5a:00:00:00:00:04","ifname":"swp1","flags":["self"],"state":"permanent"}]
        """;

    private const string FilteringVlans = """
        [{"ifname":"br0","vlans":[{"vlan":1,"flags":["PVID","Egress Untagged"]}]},
         {"ifname":"swp1","vlans":[{"vlan":10,"flags":["PVID","Egress Untagged"]}]},
         {"ifname":"swp6","vlans":[{"vlan":10},{"vlan":99},{"vlan":200,"vlanEnd":210}]}]
        """;

    [Fact]
    public void Links_LabSample_ReadsIndexNameMasterAdminStateAndKind()
    {
        var links = LinuxBridgeJson.Links(LabLinks);

        Assert.Equal(10, links.Count);
        Assert.Equal(new LinuxLink(5, "p1", "br10", AdminUp: true, "veth"), links.Single(l => l.Name == "p1"));
        Assert.False(links.Single(l => l.Name == "p4").AdminUp);
        Assert.Null(links.Single(l => l.Name == "br10").Master);
    }

    [Fact]
    public void Fdb_LabSample_MarksPermanentAndSelfEntriesLocal()
    {
        var fdb = LinuxBridgeJson.Fdb(LabFdb);

        Assert.Equal(["82:67:06:54:2c:af", "ae:f7:e6:36:16:d4", "4a:b0:fe:8c:26:10"], fdb.Where(e => !e.Local).Select(e => e.Mac));
        Assert.All(fdb, e => Assert.Null(e.Vlan));
    }

    [Fact]
    public void BuildTables_BridgePerVlan_PortsAreBridgeMembersNumberedByIfIndex_VlanFromTheBridge()
    {
        var tables = Tables(LabLinks, LabFdb, null, BridgePerVlan());

        Assert.Equal(["p1", "p2", "p4", "p5", "bond0", "eth9.99"], tables.Ports.Select(p => p.Name.Value));
        Assert.All(tables.Ports, p => Assert.Equal(p.IfIndex, p.BridgePort));
        Assert.Equal(3, tables.Fdb.Count);
        Assert.Equal(new FdbEntry(MacAddress.Parse("82:67:06:54:2c:af"), 5, Vlan(10)), tables.Fdb[0]);
        Assert.Equal(Vlan(99), tables.Fdb.Single(e => e.BridgePort == 9).Vlan);
        Assert.True(tables.Ports.Single(p => p.Name.Value == "bond0").Aggregated);
        Assert.True(tables.Ports.Single(p => p.Name.Value == "eth9.99").Trunk);
    }

    [Fact]
    public void BuildTables_LabSample_LocatesH1OnP1WithHighConfidence()
    {
        var tables = Tables(LabLinks, LabFdb, null, BridgePerVlan());

        var h1 = HostLocator.Locate(MacAddress.Parse("82:67:06:54:2c:af"), [tables]);

        Assert.Equal(LocateConfidence.High, h1.Confidence);
        Assert.Equal(("lab-sw", "p1", 5, 10), (h1.Edge!.Device, h1.Edge.Port.Value, h1.Edge.IfIndex, h1.Edge.Vlan?.Value));
    }

    [Fact]
    public void BuildTables_VlanFiltering_VlanFromTheFdb_TaggedPortIsATrunk()
    {
        var vlans = LinuxBridgeJson.Vlans(FilteringVlans);
        var tables = Tables(FilteringLinks, FilteringFdb, vlans, Device());

        Assert.Equal([(4, false), (9, true)], tables.Ports.Select(p => (p.IfIndex, p.Trunk)));
        Assert.Equal([(4, 10), (9, 99)], tables.Fdb.Select(e => (e.BridgePort, e.Vlan!.Value.Value)));
        Assert.Equal(new LinuxPortVlan(200, 210, Pvid: false, Untagged: false), vlans["swp6"][2]);
        Assert.Equal(LocateConfidence.OnlyUplinks, HostLocator.Locate(MacAddress.Parse("52:54:00:00:00:02"), [tables]).Confidence);
    }

    [Fact]
    public void Links_NotJson_SaysWhichCommandPrintedIt()
    {
        var error = Assert.Throws<FormatException>(() => LinuxBridgeJson.Links("Device \"p9\" does not exist."));

        Assert.Contains("ip -j link show", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("br10=10,br99=99")]
    [InlineData(" br10:10 , br99:99 ")]
    public void ParseVlanBridges_BothSeparators_MapBridgeToVlan(string text)
    {
        var map = LinuxBridgeDriver.ParseVlanBridges("lab-sw", text);

        Assert.Equal([("br10", 10), ("br99", 99)], map.Select(m => (m.Key, m.Value.Value)).OrderBy(m => m.Key));
    }

    [Theory]
    [InlineData("br10=10;rm -rf /=99")]
    [InlineData("br10=5000")]
    [InlineData("br10")]
    public void ParseVlanBridges_NotBridgeEqualsVlan_IsRefusedNamingTheEntry(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => LinuxBridgeDriver.ParseVlanBridges("lab-sw", text));

        Assert.Contains("lab-sw: options.vlan_bridges entry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadArp_IpNeigh_KeepsAnsweredIpv4Neighbours_LeavesOutFailedAndIncomplete()
    {
        var runner = new ScriptedRunner();
        runner.On("ip -j -4 neigh show", """
            [{"dst":"10.199.10.11","dev":"br10","lladdr":"02:aa:bb:cc:dd:01","state":["REACHABLE"]},
             {"dst":"10.199.10.12","dev":"br10","lladdr":"02:aa:bb:cc:dd:02","state":["STALE"]},
             {"dst":"10.199.10.13","dev":"br10","lladdr":"02:aa:bb:cc:dd:03","state":["FAILED"]},
             {"dst":"10.199.10.14","dev":"br10","state":["INCOMPLETE"]},
             {"dst":"10.199.10.15","dev":"br10","lladdr":"not-a-mac","state":["REACHABLE"]}]
            """);
        var driver = new LinuxBridgeDriver(runner, Device(), TimeProvider.System);

        var arp = await driver.ReadArpAsync(CancellationToken.None);

        Assert.Equal(
            [("10.199.10.11", "02:aa:bb:cc:dd:01", "lab-sw"), ("10.199.10.12", "02:aa:bb:cc:dd:02", "lab-sw")],
            arp.Select(a => (a.Ip.ToString(), a.Mac.ToString(), a.Router)));
        Assert.Empty(runner.Changes);
    }

    [Fact]
    public async Task MoveVlan_VlanFiltering_AddsTheNewPvidBeforeDeletingTheOld_AndRestoreReverses()
    {
        var runner = new ScriptedRunner();
        runner.On("ip -j -d link show dev swp1", """[{"ifindex":4,"ifname":"swp1","flags":["UP"],"master":"br0","linkinfo":{"info_kind":"veth"}}]""");
        runner.On("bridge -j vlan show dev swp1", """[{"ifname":"swp1","vlans":[{"vlan":10,"flags":["PVID","Egress Untagged"]}]}]""");
        runner.On("bridge vlan add dev swp1 vid 99 pvid untagged", "", then: r => r.On("bridge -j vlan show dev swp1", """[{"ifname":"swp1","vlans":[{"vlan":99,"flags":["PVID","Egress Untagged"]}]}]"""));
        runner.On("bridge vlan del dev swp1 vid 10", "");
        runner.On("bridge vlan add dev swp1 vid 10 pvid untagged", "", then: r => r.On("bridge -j vlan show dev swp1", """[{"ifname":"swp1","vlans":[{"vlan":10,"flags":["PVID","Egress Untagged"]}]}]"""));
        runner.On("bridge vlan del dev swp1 vid 99", "");
        var driver = new LinuxBridgeDriver(runner, Device(), TimeProvider.System);

        var before = await driver.MoveVlanAsync(Port("swp1"), Vlan(99), CancellationToken.None);
        await driver.RestoreAsync(before, CancellationToken.None);

        Assert.Equal(Vlan(10), before.Pvid);
        Assert.Equal(
            ["bridge vlan add dev swp1 vid 99 pvid untagged", "bridge vlan del dev swp1 vid 10", "bridge vlan add dev swp1 vid 10 pvid untagged", "bridge vlan del dev swp1 vid 99"],
            runner.Changes);
    }

    [Theory]
    [InlineData("swp6", "a trunk")]
    [InlineData("uplink1", "a configured uplink")]
    [InlineData("server1", "a protected port")]
    public async Task Shutdown_TrunkUplinkOrProtectedPort_IsRefusedAndNothingChanges(string port, string why)
    {
        var runner = new ScriptedRunner();
        runner.On("ip -j -d link show dev swp6", """[{"ifindex":9,"ifname":"swp6","flags":["UP"],"master":"br0"}]""");
        runner.On("bridge -j vlan show dev swp6", FilteringVlans);
        var device = Device(uplinks: ["uplink1"], protectedPorts: ["server1"]);
        var driver = new LinuxBridgeDriver(runner, device, TimeProvider.System);

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => driver.ShutdownAsync(Port(port), CancellationToken.None));

        Assert.Contains($"{port}: {why}", error.Message, StringComparison.Ordinal);
        Assert.Empty(runner.Changes);
    }

    private static SwitchTables Tables(string links, string fdb, IReadOnlyDictionary<string, IReadOnlyList<LinuxPortVlan>>? vlans, DeviceDefinition device) =>
        LinuxBridgeDriver.BuildTables(
            device,
            device.Options.TryGetValue(LinuxBridgeDriver.VlanBridgesOption, out var map) ? LinuxBridgeDriver.ParseVlanBridges(device.Name, map) : null,
            Port("br0"), LinuxBridgeJson.Links(links), LinuxBridgeJson.Fdb(fdb), vlans, DateTimeOffset.UnixEpoch);

    private static DeviceDefinition BridgePerVlan() => Device(options: new Dictionary<string, string> { ["vlan_bridges"] = "br10=10,br99=99" });

    private static DeviceDefinition Device(string[]? uplinks = null, string[]? protectedPorts = null, Dictionary<string, string>? options = null) => new()
    {
        Name = "lab-sw",
        Driver = LinuxBridgeDriver.DriverName,
        Kind = DeviceKind.Switch,
        Address = DeviceAddress.TryParse("192.0.2.1", out var address) ? address! : throw new InvalidOperationException(),
        Uplinks = [.. (uplinks ?? []).Select(Port)],
        ProtectedPorts = [.. (protectedPorts ?? []).Select(Port)],
        Options = options ?? new Dictionary<string, string>(),
        Location = new SourceLocation("inventory.yaml", 1, 1),
    };

    private static PortName Port(string name) => PortName.TryParse(name, out var port) ? port : throw new ArgumentException(name);

    private static VlanId Vlan(int id) => VlanId.TryParse(id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var vlan) ? vlan : throw new ArgumentException(null, nameof(id));

    /// <summary>Answers each command line with a canned output; records the commands that change something.</summary>
    private sealed class ScriptedRunner : ISshCommandRunner
    {
        private readonly Dictionary<string, (string Output, Action<ScriptedRunner>? Then)> answers = new(StringComparer.Ordinal);

        public List<string> Changes { get; } = [];

        public void On(string line, string output, Action<ScriptedRunner>? then = null) => answers[line] = (output, then);

        public Task<SshCommandResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            var line = string.Join(' ', arguments);
            if (!arguments.Contains("-j"))
            {
                Changes.Add(line);
            }

            if (!answers.TryGetValue(line, out var answer))
            {
                return Task.FromResult(new SshCommandResult(1, "", $"unexpected command: {line}"));
            }

            answer.Then?.Invoke(this);
            return Task.FromResult(new SshCommandResult(0, answer.Output, ""));
        }
    }
}
