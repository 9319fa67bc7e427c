using System.Diagnostics;
using System.Net;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Ssh;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Lab.Tests;

/// <summary>
/// The nftables and iptables+ipset drivers against the lab router, over its real sshd with a pinned host key:
/// a block stops h1's traffic to the server and cuts its open flow (its conntrack entry is gone), h2 is never
/// affected, a release or the device's own expiry lets h1 through again, and blocking twice lists the address
/// once. Each test removes what the driver made on the router, so the next starts from a plain router.
/// </summary>
[Collection(SharedLab.Name)]
public sealed class FirewallContainmentTests(LabFixture lab)
{
    [LabFact]
    public Task Nftables_Block_StopsH1AndCutsItsFlow_UnblockLetsItBack() => BlockThenUnblock(NftablesDriver.DriverName);

    [LabFact]
    public Task Iptables_Block_StopsH1AndCutsItsFlow_UnblockLetsItBack() => BlockThenUnblock(IptablesIpsetDriver.DriverName);

    [LabFact]
    public Task Nftables_BlockFor3s_ExpiresOnTheDeviceWithNoCall() => BlockExpires(NftablesDriver.DriverName);

    [LabFact]
    public Task Iptables_BlockFor3s_ExpiresOnTheDeviceWithNoCall() => BlockExpires(IptablesIpsetDriver.DriverName);

    [LabFact]
    public Task Nftables_BlockTwice_ListedOnceWithTheNewExpiry_Ipv6Too() => BlockTwice(NftablesDriver.DriverName);

    [LabFact]
    public Task Iptables_BlockTwice_ListedOnceWithTheNewExpiry_Ipv6Too() => BlockTwice(IptablesIpsetDriver.DriverName);

    [LabFact]
    public async Task Nftables_ThousandBlocksInOneBurst_AllListed_InSixCommandsOverOneConnection()
    {
        using var pool = new SshSessionPool();
        var counted = new CountingRunner(Session(pool));
        var driver = new NftablesDriver(_ => counted);
        var device = Router(NftablesDriver.DriverName);
        var addresses = Enumerable.Range(0, 1000).Select(i => IPAddress.Parse($"10.201.{i / 250}.{(i % 250) + 1}")).ToList();
        try
        {
            await driver.BlockAsync(device, [.. addresses.Select(a => new BlockRequest(a, TimeSpan.FromHours(1)))], CancellationToken.None);

            // Three nft transactions of at most 400 addresses, then three conntrack cuts of the same batches.
            Assert.Equal(6, counted.Commands);
            var listed = await driver.ListAsync(device, CancellationToken.None);
            Assert.Equal(addresses.Order(Comparer<IPAddress>.Create(Compare)), listed.Select(b => b.Address).Order(Comparer<IPAddress>.Create(Compare)));
            Assert.True(await lab.PingEventually("h1", lab.Address("srv")), "h1 is not in the burst and should still reach the server");

            await driver.UnblockAsync(device, addresses, CancellationToken.None);
            Assert.Empty(await driver.ListAsync(device, CancellationToken.None));
            Assert.Equal(1, pool.Connects);
        }
        finally
        {
            await RemoveWhatTheDriverMade(NftablesDriver.DriverName);
        }
    }

    private async Task BlockThenUnblock(string driverName)
    {
        using var pool = new SshSessionPool();
        var (driver, device) = Driver(pool, driverName);
        var h1 = IPAddress.Parse(lab.Address("h1"));
        Assert.True(await lab.PingEventually("h1", lab.Address("srv")), "h1 should reach the server through the router before");
        using var flow = StartPing("h1", lab.Address("srv"));
        try
        {
            Assert.True(await Eventually(async () => await FlowsFrom(h1) > 0), "the router should track h1's running ping");

            await driver.BlockAsync(device, [new BlockRequest(h1, TimeSpan.FromHours(1), "C-lab")], CancellationToken.None);

            Assert.Equal(0, await FlowsFrom(h1));
            var listed = Assert.Single(await driver.ListAsync(device, CancellationToken.None));
            Assert.Equal(h1, listed.Address);
            Assert.InRange(listed.Remaining!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("srv")), "blocked h1 must not reach the server");
            Assert.Equal(0, await FlowsFrom(h1));
            Assert.True(await lab.PingEventually("h2", lab.Address("srv")), "h2 must still reach the server while h1 is blocked");
            Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "the block is on the router: h1 still reaches h2 on its own VLAN");

            await driver.UnblockAsync(device, [h1], CancellationToken.None);
            await driver.UnblockAsync(device, [h1], CancellationToken.None);  // again: not blocked, no error

            Assert.Empty(await driver.ListAsync(device, CancellationToken.None));
            Assert.True(await lab.PingEventually("h1", lab.Address("srv")), "released h1 should reach the server again");
            Assert.Equal(1, pool.Connects);
        }
        finally
        {
            StopPing(flow);
            await RemoveWhatTheDriverMade(driverName);
        }
    }

    private async Task BlockExpires(string driverName)
    {
        using var pool = new SshSessionPool();
        var (driver, device) = Driver(pool, driverName);
        var h1 = IPAddress.Parse(lab.Address("h1"));
        Assert.True(await lab.PingEventually("h1", lab.Address("srv")), "h1 should reach the server before");
        try
        {
            var blocked = Stopwatch.StartNew();
            await driver.BlockAsync(device, [new BlockRequest(h1, TimeSpan.FromSeconds(3))], CancellationToken.None);
            Assert.False(await lab.Ping("h1", lab.Address("srv")), "h1 must not reach the server during its 3 s block");
            Assert.True(blocked.Elapsed < TimeSpan.FromSeconds(3), $"the check took {blocked.Elapsed}, past the block's end: it proves nothing");

            await Task.Delay(TimeSpan.FromSeconds(4) - blocked.Elapsed);

            Assert.True(await lab.PingEventually("h1", lab.Address("srv")), "h1 should reach the server once the device expired the block");
            Assert.Empty(await driver.ListAsync(device, CancellationToken.None));
        }
        finally
        {
            await RemoveWhatTheDriverMade(driverName);
        }
    }

    private async Task BlockTwice(string driverName)
    {
        using var pool = new SshSessionPool();
        var (driver, device) = Driver(pool, driverName);
        var h1 = IPAddress.Parse(lab.Address("h1"));
        var v6 = IPAddress.Parse("2001:db8:199::11");
        try
        {
            await driver.BlockAsync(device, [new BlockRequest(h1, TimeSpan.FromMinutes(1)), new BlockRequest(v6, null)], CancellationToken.None);
            await driver.BlockAsync(device, [new BlockRequest(h1, TimeSpan.FromHours(2)), new BlockRequest(v6, null)], CancellationToken.None);

            var listed = await driver.ListAsync(device, CancellationToken.None);
            Assert.Equal(2, listed.Count);
            Assert.InRange(listed.Single(b => b.Address.Equals(h1)).Remaining!.Value, TimeSpan.FromMinutes(119), TimeSpan.FromHours(2));
            Assert.Null(listed.Single(b => b.Address.Equals(v6)).Remaining);
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("srv")), "h1 must not reach the server");
            Assert.True(await lab.PingEventually("h2", lab.Address("srv")), "h2 must still reach the server");
        }
        finally
        {
            await RemoveWhatTheDriverMade(driverName);
        }
    }

    // The driver over one pinned, reused SSH session to the router, as the service builds it, with the lab's user.
    private (IFirewallDriver Driver, DeviceDefinition Device) Driver(SshSessionPool pool, string driverName)
    {
        var runner = Session(pool);
        IFirewallDriver driver = driverName == NftablesDriver.DriverName ? new NftablesDriver(_ => runner) : new IptablesIpsetDriver(_ => runner);
        return (driver, Router(driverName));
    }

    private SshSession Session(SshSessionPool pool) =>
        pool.Get(SshTarget.FromDevice(Router(NftablesDriver.DriverName), name => name == "ORCH_LAB_SSH_USER" ? lab.Info.SshUser : null));

    private DeviceDefinition Router(string driverName) => new()
    {
        Name = "lab-rtr",
        Driver = driverName,
        Kind = DeviceKind.Firewall,
        Address = DeviceAddress.TryParse($"{lab.Info.Router.ManagementAddress}:{lab.Info.Router.SshPort}", out var address) ? address! : throw new InvalidOperationException(),
        Credentials = new Dictionary<string, string> { ["username"] = "${env:ORCH_LAB_SSH_USER}", ["key"] = $"${{file:{lab.Info.SshPrivateKey}}}" },
        Options = new Dictionary<string, string> { [SshTarget.HostKeyOption] = lab.Info.Router.SshHostKeyFingerprint },
        Location = new SourceLocation("inventory.yaml", 1, 1),
    };

    // The router's tracked flows whose original source is the address.
    private async Task<int> FlowsFrom(IPAddress address)
    {
        var flows = await lab.Exec("rtr", "conntrack", "-L", "-s", address.ToString());
        Assert.True(flows.Succeeded, flows.ToString());
        return flows.StdOut.Split('\n').Count(l => l.Contains($"src={address} ", StringComparison.Ordinal));
    }

    // Puts the router back as lab.sh made it: no table, set, chain or rule of either driver.
    private async Task RemoveWhatTheDriverMade(string driverName)
    {
        var removed = driverName == NftablesDriver.DriverName
            ? await lab.Exec("rtr", "sh", "-c", "nft list table inet orchestrator >/dev/null 2>&1 || exit 0; nft delete table inet orchestrator")
            : await lab.Exec("rtr", "sh", "-c", """
                off() { while "$1" -D "$2" -m set --match-set "$3" "$4" -j DROP 2>/dev/null; do :; done; }
                off iptables FORWARD orchestrator-blocked src; off iptables FORWARD orchestrator-blocked dst; off iptables INPUT orchestrator-blocked src
                off ip6tables FORWARD orchestrator-blocked6 src; off ip6tables FORWARD orchestrator-blocked6 dst; off ip6tables INPUT orchestrator-blocked6 src
                ipset destroy orchestrator-blocked 2>/dev/null; ipset destroy orchestrator-blocked6 2>/dev/null
                ! ipset list -n | grep -q orchestrator
                """);
        Assert.True(removed.Succeeded, $"cleaning the router after {driverName}: {removed}");
    }

    private Process StartPing(string from, string to)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", lab.Namespace(from), "ping", "-i", "0.2", "-n", to })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ping");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void StopPing(Process ping)
    {
        if (!ping.HasExited)
        {
            ping.Kill(entireProcessTree: true);
            ping.WaitForExit();
        }
    }

    private static async Task<bool> Eventually(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 20; i++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static int Compare(IPAddress? a, IPAddress? b) =>
        a!.GetAddressBytes().AsSpan().SequenceCompareTo(b!.GetAddressBytes());

    /// <summary>Counts the commands a driver sends, passing them on to the real session.</summary>
    private sealed class CountingRunner(ISshCommandRunner inner) : ISshCommandRunner
    {
        public int Commands { get; private set; }

        public Task<SshCommandResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            Commands++;
            return inner.RunAsync(arguments, cancellationToken);
        }
    }
}
