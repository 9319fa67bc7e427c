using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Network;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>The cisco-ios driver against the IOS stand-in (login at <c>Switch&gt;</c>, enable secret <c>en-s3cret</c>), plus IOS's own enable mode.</summary>
public sealed class CiscoIosDriverTests(IosStandIn standIn) : CliDriverContract<IosStandIn>(standIn), IClassFixture<IosStandIn>
{
    protected override string DriverName => CiscoIosDriver.DriverName;

    protected override string UnknownPortAnswer => "% Invalid input detected at '^' marker.";

    protected override string LagName => "Po1";

    protected override string ArpCommand => "show ip arp";

    protected override CliDialect Dialect => CliDialect.CiscoIos;

    [Fact]
    public async Task ReadTables_HostWithADeskPhoneOnItsPort_IsStillOnAnEdgePort()
    {
        var location = HostLocator.Locate(Mac("02:1a:2b:00:00:05"), [await Driver().ReadTablesAsync(Device(), CancellationToken.None)]);

        Assert.Equal((LocateConfidence.High, "Gi1/0/5", 2), (location.Confidence, location.Edge?.Port.Value, location.Edge?.MacsOnPort));
    }

    [Fact]
    public async Task Enable_WithAWrongSecret_FailsSayingEnableFailed_AndChangesNothing()
    {
        Environment.SetEnvironmentVariable("ORCH_TEST_NETCLI_WRONG_ENABLE", "not-the-secret");
        var device = StandIn.Device(DriverName, enableSecretVariable: "ORCH_TEST_NETCLI_WRONG_ENABLE");

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => Driver().ReadTablesAsync(device, CancellationToken.None));

        Assert.Equal($"{device.Name}: enable failed — the device did not accept credentials.enable_password (% Bad secrets); check the enable secret the inventory references", error.Message);
        Assert.DoesNotContain("show interfaces status", StandIn.State()["log"]!.AsArray().Select(c => (string)c!));
    }

    [Fact]
    public async Task Enable_WithoutASecretInTheInventory_SaysWhatToSet()
    {
        var target = SshTarget.FromDevice(Device()) is var t ? t with { Credentials = new SshCredentials { User = t.Credentials.User, PrivateKey = t.Credentials.PrivateKey } } : null;
        using var session = new CliSession(target!, CliDialect.CiscoIos);

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => session.RunAsync("show ip arp", CancellationToken.None));

        Assert.Equal($"{target!.Device}: the login lands at the unprivileged prompt 'Switch>' and the inventory gives no credentials.enable_password (e.g. enable_password: \"${{env:SWITCH_ENABLE}}\"); set it, or log in as a user with privilege 15", error.Message);
    }

    [Fact]
    public async Task Enable_LoginAlreadyPrivileged_NeedsNoSecret()
    {
        StandIn.Edit(s => s["privileged_login"] = true);

        var tables = await Driver().ReadTablesAsync(Device(), CancellationToken.None);

        Assert.Equal(13, tables.Ports.Count);
        Assert.DoesNotContain("enable", StandIn.State()["log"]!.AsArray().Select(c => (string)c!));
    }

    protected override string Port(int n) => $"Gi1/0/{n}";

    protected override CliSwitchDriver Driver() => new CiscoIosDriver(Pool, TimeProvider.System);
}
