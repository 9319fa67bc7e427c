using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Connectors.Tests.Switches.Ssh;

namespace Orchestrator.Connectors.Tests.Firewalls;

/// <summary>
/// The cisco-asa driver against the ASA stand-in over real SSH (login at <c>asa&gt;</c>, enable secret <c>en-s3cret</c>):
/// each address shunned once however often it is blocked, removed with <c>no shun</c>, <c>show shun</c> read back,
/// the device's refusals and a wrong enable secret reported, the host key pinned.
/// </summary>
public sealed class CiscoAsaDriverTests : IClassFixture<AsaStandIn>, IDisposable
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly AsaStandIn _standIn;
    private readonly SshSessionPool _pool = new();

    public CiscoAsaDriverTests(AsaStandIn standIn)
    {
        _standIn = standIn ?? throw new ArgumentNullException(nameof(standIn));
        standIn.Reset();
    }

    public void Dispose() => _pool.Dispose();

    [Fact]
    public async Task Block_ABatch_ShunsEachAddressOnce_AfterOneShowShun_OverOneConnection()
    {
        await Driver().BlockAsync(_standIn.Device(CiscoAsaDriver.DriverName), Blocks("10.1.2.3", "198.51.100.7", "10.1.2.3", "172.16.5.5"), CancellationToken.None);

        Assert.Equal(["10.1.2.3", "198.51.100.7", "172.16.5.5"], Shunned());
        Assert.Equal(["enable", "terminal pager 0", "show shun", "shun 10.1.2.3", "shun 198.51.100.7", "shun 172.16.5.5"], Log());
        Assert.Equal(1, _pool.Connects);
    }

    [Fact]
    public async Task Block_AddressesAlreadyShunned_SendsNoShunCommandAgain()
    {
        var device = _standIn.Device(CiscoAsaDriver.DriverName);
        await Driver().BlockAsync(device, Blocks("10.1.2.3", "198.51.100.7"), CancellationToken.None);

        await Driver().BlockAsync(device, Blocks("198.51.100.7", "10.1.2.3", "203.0.113.5"), CancellationToken.None);

        Assert.Equal(["10.1.2.3", "198.51.100.7", "203.0.113.5"], Shunned());
        Assert.Equal(1, Log().Count(c => c == "shun 10.1.2.3"));
        Assert.Equal(1, Log().Count(c => c == "shun 198.51.100.7"));
        Assert.Equal(2, Log().Count(c => c == "show shun"));
    }

    [Fact]
    public async Task Block_AnAddressShunnedByHandWithConnectionDetails_IsLeftAsItIs()
    {
        AddShun("outside", "198.51.100.7", "10.1.2.9", 4444, 22, 6);

        await Driver().BlockAsync(_standIn.Device(CiscoAsaDriver.DriverName), Blocks("198.51.100.7"), CancellationToken.None);

        Assert.DoesNotContain(Log(), c => c.StartsWith("shun ", StringComparison.Ordinal));
        Assert.Equal(4444, (int)_standIn.State()["shuns"]![0]!["source_port"]!);
    }

    [Fact]
    public async Task Unblock_AShunnedAddress_RemovesItsShun()
    {
        var device = _standIn.Device(CiscoAsaDriver.DriverName);
        await Driver().BlockAsync(device, Blocks("10.1.2.3", "198.51.100.7"), CancellationToken.None);

        await Driver().UnblockAsync(device, [IPAddress.Parse("10.1.2.3")], CancellationToken.None);

        Assert.Equal(["198.51.100.7"], Shunned());
        Assert.Contains("no shun 10.1.2.3", Log());
    }

    [Fact]
    public async Task Unblock_AnAddressThatIsNotShunned_IsNoErrorAndSendsNoCommand()
    {
        AddShun("outside", "198.51.100.7", "0.0.0.0", 0, 0, 0);

        await Driver().UnblockAsync(_standIn.Device(CiscoAsaDriver.DriverName), [IPAddress.Parse("10.9.9.9")], CancellationToken.None);

        Assert.DoesNotContain(Log(), c => c.StartsWith("no shun", StringComparison.Ordinal));
        Assert.Equal(["198.51.100.7"], Shunned());
    }

    [Fact]
    public async Task List_SeveralShunsWithPortsAndProtocols_GivesEachSourceOnceWithoutExpiry()
    {
        AddShun("outside", "198.51.100.7", "10.1.2.9", 4444, 22, 6);
        AddShun("dmz", "172.16.5.5", "0.0.0.0", 0, 0, 17);
        AddShun("inside", "10.1.2.3", "0.0.0.0", 0, 0, 0);

        var blocks = await Driver().ListAsync(_standIn.Device(CiscoAsaDriver.DriverName), CancellationToken.None);

        Assert.Equal([("198.51.100.7", (TimeSpan?)null), ("172.16.5.5", null), ("10.1.2.3", null)], blocks.Select(b => (b.Address.ToString(), b.Remaining)));
        Assert.False(Driver().NativeExpiry);
    }

    [Fact]
    public void ParseShowShun_AsaAndPixLayouts_OneAddressPerSource()
    {
        const string output = """
            shun (outside) 10.1.1.27 10.2.2.89 555 666 6
            shun (inside1) 10.1.1.27 10.2.2.89 555 666 6
            shun (dmz) 172.16.5.5 0.0.0.0 0 0 17
            Shun 192.168.1.10 0.0.0.0 0 0
            shun 7 is not a shun line
            ERROR: % Invalid input detected at '^' marker.
            """;

        Assert.Equal(["10.1.1.27", "172.16.5.5", "192.168.1.10"], CiscoAsaDriver.ParseShowShun(output).Select(a => a.ToString()));
    }

    [Fact]
    public async Task Block_AnIpv6Address_IsRefusedBeforeAnyConnection()
    {
        var device = _standIn.Device(CiscoAsaDriver.DriverName);

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver().BlockAsync(device, Blocks("10.1.2.3", "2001:db8::7"), CancellationToken.None));

        Assert.Equal($"{device.Name}: 2001:db8::7 is not an IPv4 address; the cisco-asa driver shuns IPv4 addresses only (the ASA documents shun for IPv4 sources) — block it on another firewall of the inventory", error.Message);
        Assert.Equal(0, (int)_standIn.State()["logins"]!);
    }

    [Fact]
    public async Task Block_TheDeviceRefusesShun_FailsWithTheDevicesOwnMessage()
    {
        _standIn.Edit(s => s["context"] = "system");
        var device = _standIn.Device(CiscoAsaDriver.DriverName);

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver().BlockAsync(device, Blocks("10.1.2.3"), CancellationToken.None));

        Assert.Equal($"{device.Name}: the device refused 'shun 10.1.2.3': ERROR: % Invalid input detected at '^' marker.", error.Message);
        Assert.Empty(Shunned());
    }

    [Fact]
    public async Task Enable_WithAWrongSecret_FailsSayingEnableFailed_AndSendsNoShowShun()
    {
        Environment.SetEnvironmentVariable("ORCH_TEST_ASA_WRONG_ENABLE", "not-the-secret");
        var device = _standIn.Device(CiscoAsaDriver.DriverName, enableSecretVariable: "ORCH_TEST_ASA_WRONG_ENABLE");

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver().ListAsync(device, CancellationToken.None));

        Assert.Equal($"{device.Name}: enable failed — the device did not accept credentials.enable_password (Invalid password); check the enable secret the inventory references", error.Message);
        Assert.Equal(["enable"], Log());
    }

    [Fact]
    public async Task Connect_WithoutAPinnedHostKey_IsRefusedBeforeLogin()
    {
        var device = _standIn.Device(CiscoAsaDriver.DriverName, options: new() { [SshTarget.HostKeyOption] = null });

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver().BlockAsync(device, Blocks("10.1.2.3"), CancellationToken.None));

        Assert.StartsWith($"{device.Name} ({device.Address}): no host key is pinned; the device presented {_standIn.HostKeyFingerprint}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (int)_standIn.State()["logins"]!);
    }

    [Fact]
    public async Task Batcher_BlockThenUnblock_ThroughTheRegisteredDriver_IsVerifiedOnTheDevice()
    {
        var drivers = FirewallDrivers.Create(_pool, TimeProvider.System);
        await using var batcher = new FirewallBatcher(drivers);
        var device = _standIn.Device(CiscoAsaDriver.DriverName);
        var address = IPAddress.Parse("203.0.113.9");

        await batcher.BlockAsync(device, new BlockRequest(address, Hour, "ctn-1"), CancellationToken.None);
        var shunnedWhileBlocked = Shunned();
        await batcher.UnblockAsync(device, address, CancellationToken.None);

        Assert.IsType<CiscoAsaDriver>(drivers[CiscoAsaDriver.DriverName]);
        Assert.Equal(["203.0.113.9"], shunnedWhileBlocked);
        Assert.Empty(Shunned());
    }

    private CiscoAsaDriver Driver() => new(_pool);

    private static List<BlockRequest> Blocks(params string[] addresses) => [.. addresses.Select(a => new BlockRequest(IPAddress.Parse(a), Hour))];

    private List<string> Shunned() => [.. _standIn.State()["shuns"]!.AsArray().Select(s => (string)s!["source"]!)];

    private List<string> Log() => [.. _standIn.State()["log"]!.AsArray().Select(c => (string)c!)];

    private void AddShun(string iface, string source, string dest, int sourcePort, int destPort, int protocol) =>
        _standIn.Edit(s => s["shuns"]!.AsArray().Add(new JsonObject
        {
            ["interface"] = iface, ["source"] = source, ["dest"] = dest, ["source_port"] = sourcePort, ["dest_port"] = destPort, ["protocol"] = protocol,
        }));
}
