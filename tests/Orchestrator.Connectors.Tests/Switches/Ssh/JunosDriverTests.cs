using Orchestrator.Connectors.Switches;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Network;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>The junos driver against the Junos stand-in (<c>user@ex&gt; </c>, <c>configure private</c>), plus commits refused while another user holds the database.</summary>
public sealed class JunosDriverTests(JunosStandIn standIn) : CliDriverContract<JunosStandIn>(standIn), IClassFixture<JunosStandIn>
{
    protected override string DriverName => JunosDriver.DriverName;

    protected override string UnknownPortAnswer => "error: device ge-0/0/99 not found";

    protected override string LagName => "ae0";

    protected override string ArpCommand => "show arp no-resolve";

    protected override CliDialect Dialect => CliDialect.Junos;

    [Fact]
    public async Task Commit_WhileTheDatabaseIsLockedTwice_IsRetriedAndSucceeds()
    {
        StandIn.Edit(s => s["locked_commits"] = 2);
        var device = Device(new() { [JunosDriver.CommitRetriesOption] = "3", [JunosDriver.CommitRetryDelayOption] = "50ms" });
        var driver = Driver();
        var port = await PortAsync(driver, device, 7);

        await driver.ApplyAsync(device, port, PortChange.Shutdown, null, CancellationToken.None);

        Assert.Equal((3, false), ((int)StandIn.State()["commit_attempts"]!, (bool)StandIn.PortState("ge-0/0/7")["admin_up"]!));
    }

    [Fact]
    public async Task Commit_WhileTheDatabaseStaysLocked_FailsNamingTheHolder_AndLeavesThePortAndTheSessionClean()
    {
        StandIn.Edit(s => s["locked_commits"] = 10);
        var device = Device(new() { [JunosDriver.CommitRetriesOption] = "2", [JunosDriver.CommitRetryDelayOption] = "50ms" });
        var driver = Driver();
        var port = await PortAsync(driver, device, 7);

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => driver.ApplyAsync(device, port, PortChange.Shutdown, null, CancellationToken.None));
        var tables = await driver.ReadTablesAsync(device, CancellationToken.None);

        Assert.Equal($"{device.Name}: 'commit' refused 3 times: the configuration database is locked by admin terminal p1 (pid 4321) on since 2026-11-24 03:58:02 UTC, idle 00:12:40; ask them to commit or leave configuration mode (or 'request system logout pid …'), then retry", error.Message);
        Assert.Equal((3, true, "desk 7"), ((int)StandIn.State()["commit_attempts"]!, (bool)StandIn.PortState("ge-0/0/7")["admin_up"]!, (string?)StandIn.PortState("ge-0/0/7")["description"]));
        Assert.Contains("rollback 0", StandIn.State()["log"]!.AsArray().Select(c => (string)c!));
        Assert.Contains(tables.Ports, p => p.Name.Value == "ge-0/0/7");
    }

    [Fact]
    public async Task Quarantine_ToAVlanTheSwitchDoesNotHave_IsRefusedBeforeConfigureMode()
    {
        var driver = Driver();
        var device = Device();
        var port = await PortAsync(driver, device, 7);

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => driver.ApplyAsync(device, port, PortChange.Quarantine, Vlan(98), CancellationToken.None));

        Assert.Equal($"{device.Name}: VLAN 98 is not configured on the switch ('show vlans'); create it or choose another quarantine_vlan", error.Message);
        Assert.DoesNotContain("configure private", StandIn.State()["log"]!.AsArray().Select(c => (string)c!));
    }

    protected override string Port(int n) => $"ge-0/0/{n}";

    protected override CliSwitchDriver Driver() => new JunosDriver(Pool, TimeProvider.System);
}
