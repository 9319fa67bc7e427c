using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Connectors.Switches;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>
/// What every network-OS driver must do, run against its OS's stand-in over real SSH: locate a host on its edge port
/// (never a trunk, LAG member or neighbour port), read ARP, shut or re-VLAN a port with its old state recorded and
/// read back, put it back on release, refuse trunks and LAG members at apply time, surface the device's own error,
/// reuse one connection, reconnect after a drop, time out a silent device, refuse unknown host keys, and keep
/// anything but validated names off the device's command line.
/// </summary>
public abstract class CliDriverContract<TStandIn> : IDisposable
    where TStandIn : CliStandIn
{
    private readonly string directory = Directory.CreateTempSubdirectory("orch-netcli-ledger-").FullName;

    protected CliDriverContract(TStandIn standIn)
    {
        StandIn = standIn ?? throw new ArgumentNullException(nameof(standIn));
        standIn.Reset();
    }

    protected TStandIn StandIn { get; }

    protected SshSessionPool Pool { get; } = new();

    protected abstract string DriverName { get; }

    /// <summary>The OS's name for front port <paramref name="n"/> of the sample switch.</summary>
    protected abstract string Port(int n);

    /// <summary>What the device answers when asked about a port it does not have.</summary>
    protected abstract string UnknownPortAnswer { get; }

    protected abstract string ArpCommand { get; }

    /// <summary>The sample switch's link aggregation of ports 23 and 24.</summary>
    protected abstract string LagName { get; }

    public void Dispose()
    {
        Pool.Dispose();
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ReadTables_HostOnAnAccessPort_IsLocatedOnThatEdgePort()
    {
        var location = HostLocator.Locate(Mac("02:1a:2b:00:00:07"), [await Driver().ReadTablesAsync(Device(), CancellationToken.None)]);

        Assert.Equal((LocateConfidence.High, Port(7)), (location.Confidence, location.Edge?.Port.Value));
    }

    [Fact]
    public async Task ReadTables_TrunkLagAndNeighbourPorts_AreNeverEdges()
    {
        var tables = await Driver().ReadTablesAsync(Device(), CancellationToken.None);

        var trunk = HostLocator.Locate(Mac("02:1a:2b:00:00:48"), [tables]);
        var lag = HostLocator.Locate(Mac("02:1a:2b:00:00:23"), [tables]);
        var neighbour = HostLocator.Locate(Mac("02:1a:2b:00:00:47"), [tables]);

        Assert.Equal((LocateConfidence.OnlyUplinks, "a trunk"), (trunk.Confidence, trunk.Seen.Single().Why));
        Assert.Equal(LocateConfidence.OnlyUplinks, lag.Confidence);
        Assert.Equal((LocateConfidence.OnlyUplinks, "LLDP/CDP neighbour dist-sw2"), (neighbour.Confidence, neighbour.Seen.Single().Why));
        Assert.All(tables.Ports.Where(p => p.Name.Value == Port(23) || p.Name.Value == Port(24) || p.Name.Value == LagName), p => Assert.True(p.Aggregated, p.Name.Value));
        Assert.Equal(3, tables.Ports.Count(p => p.Aggregated));
        Assert.Equal((false, false, null), (tables.Ports.Single(p => p.Name.Value == Port(7)) is var edge ? (edge.Trunk, edge.Aggregated, edge.Neighbor) : default));
    }

    [Fact]
    public async Task ReadArp_GivesTheMacThatAnswersForAnIp()
    {
        var arp = await Driver().ReadArpAsync(Device(), CancellationToken.None);

        Assert.Equal(Mac("02:1a:2b:00:00:07"), HostLocator.MacOf(IPAddress.Parse("10.0.10.7"), arp));
        Assert.All(arp, a => Assert.Equal(Device().Name, a.Router));
    }

    [Fact]
    public async Task Shutdown_RecordsTheOldState_ShutsAndMarksThePort_AndRestorePutsItBack()
    {
        var driver = Driver();
        var device = Device();
        var port = await PortAsync(driver, device, 7);

        var captured = await driver.CaptureAsync(device, port, PortChange.Shutdown, null, CancellationToken.None);
        await driver.ApplyAsync(device, port, PortChange.Shutdown, null, CancellationToken.None);

        Assert.Contains("\"adminUp\":true", captured, StringComparison.Ordinal);
        Assert.Contains("\"description\":\"desk 7\"", captured, StringComparison.Ordinal);
        Assert.Equal((false, "orchestrator quarantine"), AdminAndDescription(StandIn.PortState(Port(7))));
        Assert.Equal(LocateConfidence.NotFound, HostLocator.Locate(Mac("02:1a:2b:00:00:07"), [await driver.ReadTablesAsync(device, CancellationToken.None)]).Confidence);

        await driver.RestoreAsync(device, captured, CancellationToken.None);

        Assert.Equal((true, "desk 7"), AdminAndDescription(StandIn.PortState(Port(7))));
        Assert.Equal(10, (int)StandIn.PortState(Port(7))["vlan"]!);
    }

    [Fact]
    public async Task Quarantine_MovesThePortToTheVlan_AndRestorePutsBackVlanAndDescription()
    {
        var driver = Driver();
        var device = Device();
        var port = await PortAsync(driver, device, 8);
        var quarantine = Vlan(99);

        var captured = await driver.CaptureAsync(device, port, PortChange.Quarantine, quarantine, CancellationToken.None);
        await driver.ApplyAsync(device, port, PortChange.Quarantine, quarantine, CancellationToken.None);

        Assert.Equal((99, true, "orchestrator quarantine"), (VlanOf(Port(8)), (bool)StandIn.PortState(Port(8))["admin_up"]!, (string?)StandIn.PortState(Port(8))["description"]));
        var moved = HostLocator.Locate(Mac("02:1a:2b:00:00:08"), [await driver.ReadTablesAsync(device, CancellationToken.None)]);
        Assert.Equal(99, moved.Edge?.Vlan?.Value);

        await driver.RestoreAsync(device, captured, CancellationToken.None);

        Assert.Equal((10, (string?)null), (VlanOf(Port(8)), (string?)StandIn.PortState(Port(8))["description"]));
    }

    [Fact]
    public async Task Apply_OnATrunkOrALagMember_IsRefusedBeforeAnyChange()
    {
        var driver = Driver();
        var device = Device();
        var tables = await driver.ReadTablesAsync(device, CancellationToken.None);
        var trunk = tables.Ports.Single(p => p.Name.Value == Port(48));
        var member = tables.Ports.Single(p => p.Name.Value == Port(23));

        var trunkError = await Assert.ThrowsAsync<SshSwitchException>(() => driver.ApplyAsync(device, trunk, PortChange.Shutdown, null, CancellationToken.None));
        var memberError = await Assert.ThrowsAsync<SshSwitchException>(() => driver.ApplyAsync(device, member, PortChange.Shutdown, null, CancellationToken.None));

        Assert.Equal($"{device.Name} {Port(48)}: a trunk; containment never changes it", trunkError.Message);
        Assert.Equal($"{device.Name} {Port(23)}: a link-aggregation (LAG / port-channel) member; containment never changes it", memberError.Message);
        Assert.True((bool)StandIn.PortState(Port(48))["admin_up"]! && (bool)StandIn.PortState(Port(23))["admin_up"]!);
    }

    [Fact]
    public async Task Capture_OfAPortTheDeviceDoesNotHave_FailsWithTheDevicesOwnMessage()
    {
        var port = new SwitchPort(99, 99, Name(Port(99)));

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => Driver().CaptureAsync(Device(), port, PortChange.Shutdown, null, CancellationToken.None));

        Assert.StartsWith($"{Device().Name}: the device refused '", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(UnknownPortAnswer, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_ReadsChangesAndRestores_OverOneConnection()
    {
        var driver = Driver();
        var device = Device();
        var port = await PortAsync(driver, device, 6);
        await driver.ReadArpAsync(device, CancellationToken.None);
        var captured = await driver.CaptureAsync(device, port, PortChange.Shutdown, null, CancellationToken.None);
        await driver.ApplyAsync(device, port, PortChange.Shutdown, null, CancellationToken.None);
        await driver.RestoreAsync(device, captured, CancellationToken.None);

        Assert.Equal((1, 1), (Pool.Connects, (int)StandIn.State()["logins"]!));
    }

    [Fact]
    public async Task Operations_InParallelOnOneDevice_DoNotInterleaveTheirCommands()
    {
        var driver = Driver();
        var device = Device();
        var port = await PortAsync(driver, device, 7);

        var reads = Enumerable.Range(0, 3).Select(_ => driver.ReadTablesAsync(device, CancellationToken.None)).ToList();
        await driver.ApplyAsync(device, port, PortChange.Shutdown, null, CancellationToken.None);
        var tables = await Task.WhenAll(reads);

        Assert.All(tables, t => Assert.Contains(t.Ports, p => p.Name.Value == Port(7)));
        Assert.False((bool)StandIn.PortState(Port(7))["admin_up"]!);
        Assert.Equal(1, Pool.Connects);
    }

    [Fact]
    public async Task Session_DroppedByTheDevice_ReconnectsOnTheNextCommand()
    {
        var driver = Driver();
        await driver.ReadTablesAsync(Device(), CancellationToken.None);

        StandIn.DropSession();
        var tables = await driver.ReadTablesAsync(Device(), CancellationToken.None);

        Assert.Contains(tables.Ports, p => p.Name.Value == Port(7));
        Assert.Equal((2, 2), (Pool.Connects, (int)StandIn.State()["logins"]!));
    }

    [Fact]
    public async Task Command_TheDeviceNeverAnswers_TimesOutSayingWhich_AndTheNextOneReconnects()
    {
        StandIn.Edit(s => s["hang"] = new JsonArray(ArpCommand));
        // Long enough that the login and paging commands before the hung one never time out on a loaded CI machine.
        var device = Device(new() { [SshTarget.CommandTimeoutOption] = "3s" });
        var driver = Driver();

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => driver.ReadArpAsync(device, CancellationToken.None));
        StandIn.Edit(s => s["hang"] = new JsonArray());
        var arp = await driver.ReadArpAsync(device, CancellationToken.None);

        Assert.StartsWith($"{device.Name}: no {DriverName} prompt within 3s after '{ArpCommand}'", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(arp);
        Assert.Equal(2, Pool.Connects);
    }

    [Fact]
    public async Task Connect_WithoutAPinnedHostKey_IsRefusedNamingTheKeyPresented()
    {
        var device = Device(new() { [SshTarget.HostKeyOption] = null });

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => Driver().ReadTablesAsync(device, CancellationToken.None));

        Assert.Equal($"{device.Name} ({device.Address}): no host key is pinned; the device presented {StandIn.HostKeyFingerprint} — if that is its key, set options.host_key_sha256: \"{StandIn.HostKeyFingerprint}\" in the inventory", error.Message);
        Assert.Equal(0, (int)StandIn.State()["logins"]!);
    }

    [Fact]
    public async Task Connect_WithAnotherPinnedHostKey_IsRefusedAsAMismatch()
    {
        var device = Device(new() { [SshTarget.HostKeyOption] = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => Driver().ReadTablesAsync(device, CancellationToken.None));

        Assert.StartsWith($"{device.Name} ({device.Address}): host key mismatch — the device presented {StandIn.HostKeyFingerprint}, the inventory pins SHA256:AAAA", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (int)StandIn.State()["logins"]!);
    }

    [Fact]
    public async Task PortNames_WithSpacesSeparatorsOrNewlines_NeverReachTheDevice()
    {
        var sneaky = new[] { $"{Port(7)} shutdown", $"{Port(7)};reload", $"{Port(7)}\nreload", $"{Port(7)}\rreload", $"{Port(7)}|reload", $"{Port(7)}?", $"{Port(7)}\"" };
        var session = Pool.GetCli(SshTarget.FromDevice(Device()), Dialect);

        Assert.All(sneaky, name => Assert.False(PortName.TryParse(name, out _), name));
        await Assert.ThrowsAsync<ArgumentException>(() => session.RunAsync($"show running-config interface {Port(7)}\nreload", CancellationToken.None));
        Assert.DoesNotContain(StandIn.State()["log"]!.AsArray(), c => ((string)c!).Contains("reload", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Step_QuarantineByIp_ThenRelease_RecordsVerifiesAndRestores()
    {
        using var ledger = new SqliteContainmentLedger(Path.Combine(directory, "events.db"), SqliteSynchronous.Full);
        var device = Device(uplinks: [Name(Port(48))], protectedPorts: [Name(Port(1))]);
        var inventory = new Inventory { Devices = new Dictionary<string, DeviceDefinition> { [device.Name] = device } };
        var drivers = new Dictionary<string, ISwitchDriver>(StringComparer.Ordinal) { [DriverName] = Driver() };
        var quarantine = new SwitchContainmentStep(PortChange.Quarantine, () => inventory, drivers, ledger, TimeProvider.System);
        var release = new SwitchReleaseStep(() => inventory, drivers, ledger, TimeProvider.System);

        var result = await quarantine.ExecuteAsync(Context(new() { ["target"] = "10.0.10.7" }, "run-q/quarantine"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((device.Name, Port(7), 99, "high"), (result.Outputs["device"], result.Outputs["port"], result.Outputs["vlan"], result.Outputs["confidence"]));
        var record = await ledger.GetAsync((string)result.Outputs["containment_id"]!, CancellationToken.None);
        Assert.Equal((ContainmentStatus.Active, "02:1a:2b:00:00:07", "10.0.10.7"), (record!.Status, record.Mac, record.Ip));
        Assert.Contains("\"vlan\":10", record.ReplacedState, StringComparison.Ordinal);
        Assert.Equal(99, VlanOf(Port(7)));

        var released = await release.ExecuteAsync(Context(new() { ["containment"] = record.Id }, "run-q/release"), CancellationToken.None);

        Assert.True(released.Succeeded, released.Error);
        Assert.Equal((10, true, "desk 7"), (VlanOf(Port(7)), (bool)StandIn.PortState(Port(7))["admin_up"]!, (string?)StandIn.PortState(Port(7))["description"]));
        Assert.Equal(ContainmentStatus.Released, (await ledger.GetAsync(record.Id, CancellationToken.None))!.Status);
        Assert.Equal(1, Pool.Connects);
    }

    [Fact]
    public async Task Step_OnAProtectedPort_IsRefusedAndNothingChanges()
    {
        using var ledger = new SqliteContainmentLedger(Path.Combine(directory, "events.db"), SqliteSynchronous.Full);
        var device = Device(protectedPorts: [Name(Port(1))]);
        var inventory = new Inventory { Devices = new Dictionary<string, DeviceDefinition> { [device.Name] = device } };
        var shutdown = new SwitchContainmentStep(PortChange.Shutdown, () => inventory, new Dictionary<string, ISwitchDriver> { [DriverName] = Driver() }, ledger, TimeProvider.System);

        var result = await shutdown.ExecuteAsync(Context(new() { ["target"] = "02:1a:2b:00:00:01" }, "run-p/shutdown"), CancellationToken.None);

        Assert.Equal($"not contained: {device.Name} {Port(1)} is a protected port of the inventory", result.Error);
        Assert.True((bool)StandIn.PortState(Port(1))["admin_up"]!);
        Assert.Empty(await ledger.ListAsync(activeOnly: false, 10, CancellationToken.None));
    }

    protected abstract CliSwitchDriver Driver();

    protected abstract CliDialect Dialect { get; }

    protected DeviceDefinition Device(Dictionary<string, string?>? options = null, IReadOnlyList<PortName>? uplinks = null, IReadOnlyList<PortName>? protectedPorts = null) =>
        StandIn.Device(DriverName, uplinks, protectedPorts, options);

    protected static PortName Name(string text) => PortName.TryParse(text, out var port) ? port : throw new ArgumentException(text);

    protected static VlanId Vlan(int id) => VlanId.TryParse(id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var vlan) ? vlan : throw new ArgumentException("vlan");

    protected static MacAddress Mac(string text) => MacAddress.Parse(text);

    protected int VlanOf(string port) => (int)StandIn.PortState(port)["vlan"]!;

    protected async Task<SwitchPort> PortAsync(ISwitchDriver driver, DeviceDefinition device, int n)
    {
        ArgumentNullException.ThrowIfNull(driver);
        return (await driver.ReadTablesAsync(device, CancellationToken.None)).Ports.Single(p => p.Name.Value == Port(n));
    }

    private static (bool, string?) AdminAndDescription(JsonNode port) => ((bool)port["admin_up"]!, (string?)port["description"]);

    private static StepContext Context(Dictionary<string, object?> parameters, string key) =>
        new("run-1", "contain-host", "contain", "switch.quarantine", parameters, key, 1, false, null, "inc-1");
}
