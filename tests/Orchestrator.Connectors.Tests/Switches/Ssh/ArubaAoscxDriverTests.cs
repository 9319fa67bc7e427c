using Orchestrator.Connectors.Switches;
using Orchestrator.Connectors.Switches.Ssh;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>The aruba-aoscx driver against the AOS-CX stand-in (login at <c>switch#</c>).</summary>
public sealed class ArubaAoscxDriverTests(AoscxStandIn standIn) : CliDriverContract<AoscxStandIn>(standIn), IClassFixture<AoscxStandIn>
{
    protected override string DriverName => ArubaAoscxDriver.DriverName;

    protected override string UnknownPortAnswer => "Invalid input: 1/1/99";

    protected override string LagName => "lag1";

    protected override string ArpCommand => "show arp";

    protected override CliDialect Dialect => CliDialect.ArubaAoscx;

    [Fact]
    public async Task Quarantine_ToAVlanTheSwitchDoesNotHave_FailsOnReadBack_AndTheRecordedStateRestores()
    {
        var driver = Driver();
        var device = Device();
        var port = await PortAsync(driver, device, 7);
        var captured = await driver.CaptureAsync(device, port, PortChange.Quarantine, Vlan(98), CancellationToken.None);

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => driver.ApplyAsync(device, port, PortChange.Quarantine, Vlan(98), CancellationToken.None));
        await driver.RestoreAsync(device, captured, CancellationToken.None);

        Assert.Equal($"{device.Name} 1/1/7: set up, VLAN 98, description 'orchestrator quarantine' but it reads back up, VLAN 10, description 'orchestrator quarantine'", error.Message);
        Assert.Equal((10, "desk 7"), (VlanOf("1/1/7"), (string?)StandIn.PortState("1/1/7")["description"]));
    }

    [Fact]
    public async Task Login_AsAnOperator_IsRefusedSayingWhichUserToGive()
    {
        StandIn.Edit(s => s["operator_login"] = true);

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => Driver().ReadTablesAsync(Device(), CancellationToken.None));

        Assert.Equal("aoscx-sw: the login lands at the operator prompt 'switch>', which cannot change ports; AOS-CX has no enable secret: give credentials of a user in the administrators group", error.Message);
    }

    protected override string Port(int n) => $"1/1/{n}";

    protected override CliSwitchDriver Driver() => new ArubaAoscxDriver(Pool, TimeProvider.System);
}
