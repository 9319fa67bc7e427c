using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Ssh;
using Orchestrator.Connectors.Switches.Ssh;
using static Orchestrator.Connectors.Tests.Firewalls.Ssh.ScriptedFirewall;

namespace Orchestrator.Connectors.Tests.Firewalls.Ssh;

/// <summary>
/// The nftables driver's commands against a scripted device: the exact nft transaction of a batch (the
/// statements were run on nft 1.0.6, kernel 6.18, in the lab router), list parsing of <c>nft -j</c> output
/// as that nft prints it, and the options it refuses before sending anything.
/// </summary>
public sealed class NftablesDriverTests
{
    // What options.create adds in front of the first transaction of a call, for the default options.
    private const string Ensure =
        "add table inet orchestrator ; " +
        "add set inet orchestrator blocked { type ipv4_addr ; flags timeout ; } ; " +
        "add set inet orchestrator blocked6 { type ipv6_addr ; flags timeout ; } ; " +
        "add chain inet orchestrator blocked-forward { type filter hook forward priority -10 ; policy accept ; } ; " +
        "flush chain inet orchestrator blocked-forward ; " +
        "add rule inet orchestrator blocked-forward ip saddr @blocked drop ; add rule inet orchestrator blocked-forward ip daddr @blocked drop ; " +
        "add rule inet orchestrator blocked-forward ip6 saddr @blocked6 drop ; add rule inet orchestrator blocked-forward ip6 daddr @blocked6 drop ; " +
        "add chain inet orchestrator blocked-input { type filter hook input priority -10 ; policy accept ; } ; " +
        "flush chain inet orchestrator blocked-input ; " +
        "add rule inet orchestrator blocked-input ip saddr @blocked drop ; add rule inet orchestrator blocked-input ip6 saddr @blocked6 drop ; ";

    // nft -j list set inet orchestrator blocked, as nft 1.0.6 printed it in the lab router.
    private const string ListedSet = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"set": {"family": "inet", "name": "blocked", "table": "orchestrator", "type": "ipv4_addr", "handle": 1, "flags": ["timeout"], "elem": [{"elem": {"val": "10.0.0.1", "timeout": 3600, "expires": 3599}}, "10.0.0.2"]}}]}
        """;

    private const string ListedSet6 = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"set": {"family": "inet", "name": "blocked6", "table": "orchestrator", "type": "ipv6_addr", "handle": 2, "flags": ["timeout"], "elem": [{"elem": {"val": "2001:db8::1", "timeout": 30, "expires": 29}}]}}]}
        """;

    [Fact]
    public async Task Block_MixedBatch_OneTransactionAddsDeletesAndReAddsEachSet_ThenCutsTheirConnections()
    {
        var device = Device(NftablesDriver.DriverName);
        var firewall = new ScriptedFirewall();

        await Driver(firewall).BlockAsync(
            device,
            [new(Ip("10.0.0.1"), TimeSpan.FromHours(1)), new(Ip("2001:db8::1"), TimeSpan.FromMinutes(30)), new(Ip("10.0.0.2"), null, "C-42")],
            CancellationToken.None);

        Assert.Equal(
            [
                "nft -- " + Ensure +
                "add element inet orchestrator blocked { 10.0.0.1 , 10.0.0.2 } ; delete element inet orchestrator blocked { 10.0.0.1 , 10.0.0.2 } ; " +
                "add element inet orchestrator blocked { 10.0.0.1 timeout 3600s , 10.0.0.2 } ; " +
                "add element inet orchestrator blocked6 { 2001:db8::1 } ; delete element inet orchestrator blocked6 { 2001:db8::1 } ; " +
                "add element inet orchestrator blocked6 { 2001:db8::1 timeout 1800s } ;",
                $"sh -c {SshFirewallCommands.CutConnectionsScript} sh 10.0.0.1 2001:db8::1 10.0.0.2",
            ],
            firewall.Lines);
    }

    [Fact]
    public async Task Block_SameAddressTwiceInABatch_SendsOneElementWithTheLastDuration()
    {
        var firewall = new ScriptedFirewall();

        await Driver(firewall).BlockAsync(
            Device(NftablesDriver.DriverName, ("create", "false"), ("cut_connections", "false")),
            [new(Ip("10.0.0.1"), TimeSpan.FromHours(1)), new(Ip("::ffff:10.0.0.1"), TimeSpan.FromMinutes(2))],
            CancellationToken.None);

        Assert.Equal(
            ["nft -- add element inet orchestrator blocked { 10.0.0.1 } ; delete element inet orchestrator blocked { 10.0.0.1 } ; add element inet orchestrator blocked { 10.0.0.1 timeout 120s } ;"],
            firewall.Lines);
    }

    [Fact]
    public async Task Block_TwiceTheSameAddress_SendsTheSameRefreshEachTime()
    {
        var firewall = new ScriptedFirewall();
        var device = Device(NftablesDriver.DriverName, ("create", "false"), ("cut_connections", "false"));
        var driver = Driver(firewall);

        await driver.BlockAsync(device, [new(Ip("10.0.0.1"), TimeSpan.FromHours(1))], CancellationToken.None);
        await driver.BlockAsync(device, [new(Ip("10.0.0.1"), TimeSpan.FromHours(2))], CancellationToken.None);

        // delete between the adds: the element is replaced (its timeout restarts) on any kernel, never added twice.
        Assert.Equal(
            [
                "nft -- add element inet orchestrator blocked { 10.0.0.1 } ; delete element inet orchestrator blocked { 10.0.0.1 } ; add element inet orchestrator blocked { 10.0.0.1 timeout 3600s } ;",
                "nft -- add element inet orchestrator blocked { 10.0.0.1 } ; delete element inet orchestrator blocked { 10.0.0.1 } ; add element inet orchestrator blocked { 10.0.0.1 timeout 7200s } ;",
            ],
            firewall.Lines);
    }

    [Fact]
    public async Task Block_AfterTheFirst_SendsOnlyElements_UntilNftSaysTheTableIsGone_ThenSendsTheChangeAgainWithIt()
    {
        var firewall = new ScriptedFirewall();
        var device = Device(NftablesDriver.DriverName, ("cut_connections", "false"));
        var driver = Driver(firewall);
        const string Change = "add element inet orchestrator blocked { 10.0.0.1 } ; delete element inet orchestrator blocked { 10.0.0.1 } ; add element inet orchestrator blocked { 10.0.0.1 } ;";

        await driver.BlockAsync(device, [new(Ip("10.0.0.1"), null)], CancellationToken.None);
        await driver.BlockAsync(device, [new(Ip("10.0.0.1"), null)], CancellationToken.None);
        firewall.Answer = c => c.Contains("table") ? new SshCommandResult(0, "", "") : new SshCommandResult(1, "", "Error: No such file or directory\n");
        await driver.BlockAsync(device, [new(Ip("10.0.0.1"), null)], CancellationToken.None);

        Assert.Equal(["nft -- " + Ensure + Change, "nft -- " + Change, "nft -- " + Change, "nft -- " + Ensure + Change], firewall.Lines);
    }

    [Fact]
    public async Task Block_ThousandAddresses_ThreeTransactionsOfAtMost400_TheFirstCreatingTheTable()
    {
        var firewall = new ScriptedFirewall();
        var blocks = Enumerable.Range(0, 1000).Select(i => new BlockRequest(Ip($"10.1.{i / 250}.{i % 250}"), TimeSpan.FromHours(1))).ToList();

        await Driver(firewall).BlockAsync(Device(NftablesDriver.DriverName, ("cut_connections", "false")), blocks, CancellationToken.None);

        var lines = firewall.Lines.ToList();
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("nft -- " + Ensure + "add element", lines[0], StringComparison.Ordinal);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("nft -- add element inet orchestrator blocked {", l, StringComparison.Ordinal));
        Assert.Equal([400, 400, 200], lines.Select(l => l.Split(" timeout 3600s").Length - 1));
        Assert.All(lines, l => Assert.True(l.Length < 64 * 1024, $"one command line is {l.Length} characters"));
    }

    [Fact]
    public async Task Block_SubSecondDurationRoundsUpToOneSecond_OneBeyondNftsLimitHasNoTimeoutForTheLedgerToEnd()
    {
        var firewall = new ScriptedFirewall();

        await Driver(firewall).BlockAsync(
            Device(NftablesDriver.DriverName, ("create", "false"), ("cut_connections", "false")),
            [new(Ip("10.0.0.1"), TimeSpan.FromMilliseconds(200)), new(Ip("10.0.0.2"), TimeSpan.FromDays(5000))],
            CancellationToken.None);

        Assert.EndsWith("add element inet orchestrator blocked { 10.0.0.1 timeout 1s , 10.0.0.2 } ;", firewall.Lines.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_DeviceRefuses_ThrowsNamingTheDeviceAndWhatNftSaid()
    {
        var firewall = new ScriptedFirewall { Answer = _ => new SshCommandResult(1, "", "Error: Could not process rule: File exists\n") };

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).BlockAsync(Device(NftablesDriver.DriverName), [new(Ip("10.0.0.1"), null)], CancellationToken.None));

        Assert.StartsWith("fw1: 'nft -- add table inet orchestrator", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("failed (exit 1): Error: Could not process rule: File exists", error.Message, StringComparison.Ordinal);
        Assert.Single(firewall.Commands);
    }

    [Fact]
    public async Task Block_ConntrackFails_ThrowsSayingTheBlockStandsAndHowToTurnTheCutOff()
    {
        var firewall = new ScriptedFirewall { Answer = c => c[0] == "sh" ? new SshCommandResult(1, "", "sh: 1: conntrack: not found") : new SshCommandResult(0, "", "") };

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).BlockAsync(Device(NftablesDriver.DriverName), [new(Ip("10.0.0.1"), null)], CancellationToken.None));

        Assert.Contains("conntrack: not found — the addresses are blocked, but their open connections were not cut", error.Message, StringComparison.Ordinal);
        Assert.Contains("options.cut_connections: false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_DeviceUnreachable_IsAFirewallErrorWithWhatSshSaid()
    {
        var firewall = new ScriptedFirewall { Answer = _ => throw new SshSwitchException("fw1 (192.0.2.1): cannot connect as root: Connection refused") };

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).BlockAsync(Device(NftablesDriver.DriverName), [new(Ip("10.0.0.1"), null)], CancellationToken.None));

        Assert.Equal("fw1 (192.0.2.1): cannot connect as root: Connection refused", error.Message);
    }

    [Fact]
    public async Task List_DeviceWithoutCredentials_IsAFirewallErrorNamingWhatIsMissing()
    {
        using var pool = new SshSessionPool();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new NftablesDriver(pool).ListAsync(Device(NftablesDriver.DriverName), CancellationToken.None));

        Assert.Contains("device 'fw1' has no credentials.username", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unblock_AddsThenDeletesInOneTransaction_SoAMissingElementIsNoError()
    {
        var firewall = new ScriptedFirewall();

        await Driver(firewall).UnblockAsync(Device(NftablesDriver.DriverName, ("create", "false")), [Ip("10.0.0.1"), Ip("2001:db8::1%3"), Ip("10.0.0.1")], CancellationToken.None);

        Assert.Equal(
            [
                "nft -- add element inet orchestrator blocked { 10.0.0.1 } ; delete element inet orchestrator blocked { 10.0.0.1 } ; " +
                "add element inet orchestrator blocked6 { 2001:db8::1 } ; delete element inet orchestrator blocked6 { 2001:db8::1 } ;",
            ],
            firewall.Lines);
    }

    [Fact]
    public async Task List_BothSets_AddressesWithTheSecondsLeft_NullForNoTimeout()
    {
        var firewall = new ScriptedFirewall { Answer = c => new SshCommandResult(0, c[^1] == "blocked" ? ListedSet : ListedSet6, "") };

        var blocks = await Driver(firewall).ListAsync(Device(NftablesDriver.DriverName), CancellationToken.None);

        Assert.Equal(["nft -j list set inet orchestrator blocked", "nft -j list set inet orchestrator blocked6"], firewall.Lines);
        Assert.Equal(
            [new FirewallBlock(Ip("10.0.0.1"), TimeSpan.FromSeconds(3599)), new FirewallBlock(Ip("10.0.0.2"), null), new FirewallBlock(Ip("2001:db8::1"), TimeSpan.FromSeconds(29))],
            blocks);
    }

    [Fact]
    public async Task List_NoTableYet_IsEmpty_OtherErrorsThrow()
    {
        var missing = new ScriptedFirewall { Answer = _ => new SshCommandResult(1, "", "Error: No such file or directory\nlist set inet orchestrator blocked\n") };
        var broken = new ScriptedFirewall { Answer = _ => new SshCommandResult(1, "", "Error: Could not receive sets from kernel: Operation not permitted") };

        Assert.Empty(await Driver(missing).ListAsync(Device(NftablesDriver.DriverName), CancellationToken.None));
        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver(broken).ListAsync(Device(NftablesDriver.DriverName), CancellationToken.None));
        Assert.Contains("fw1: 'nft -j list set inet orchestrator blocked' failed (exit 1): Error: Could not receive sets from kernel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FamilyIp_HasOnlyTheIpv4SetAndRules_AndRefusesAnIpv6Block()
    {
        var firewall = new ScriptedFirewall();
        var device = Device(NftablesDriver.DriverName, ("family", "ip"), ("table", "filter"), ("set", "quarantine"), ("cut_connections", "false"));

        await Driver(firewall).BlockAsync(device, [new(Ip("10.0.0.1"), null)], CancellationToken.None);
        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).BlockAsync(device, [new(Ip("10.0.0.2"), null), new(Ip("2001:db8::2"), null)], CancellationToken.None));

        var line = Assert.Single(firewall.Lines);
        Assert.Contains("add set ip filter quarantine { type ipv4_addr ; flags timeout ; } ; add chain ip filter quarantine-forward", line, StringComparison.Ordinal);
        Assert.DoesNotContain("ip6", line, StringComparison.Ordinal);
        Assert.EndsWith("add element ip filter quarantine { 10.0.0.1 } ;", line, StringComparison.Ordinal);
        Assert.Contains("fw1: cannot block 2001:db8::2 — options.family is ip, which has no set for IPv6", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("table", "orchestrator; flush ruleset")]
    [InlineData("table", "1table")]
    [InlineData("set", "$(reboot)")]
    [InlineData("set6", "blocked 6")]
    [InlineData("set", "a-name-of-more-than-thirty-two-chars")]
    [InlineData("family", "bridge")]
    [InlineData("create", "yes")]
    [InlineData("cut_connections", "1")]
    public async Task Options_NotAcceptable_AreRefusedNamingDeviceAndOption_BeforeAnyCommand(string option, string value)
    {
        var firewall = new ScriptedFirewall();
        var device = Device(NftablesDriver.DriverName, (option, value));

        var block = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).BlockAsync(device, [new(Ip("10.0.0.1"), null)], CancellationToken.None));
        var list = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).ListAsync(device, CancellationToken.None));

        Assert.Contains($"inventory.yaml:7:5: device 'fw1' options.{option} '{value}'", block.Message, StringComparison.Ordinal);
        Assert.Equal(block.Message, list.Message);
        Assert.Empty(firewall.Commands);
    }

    [Fact]
    public async Task Block_NegativeDuration_IsRefusedBeforeAnyCommand()
    {
        var firewall = new ScriptedFirewall();

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).BlockAsync(Device(NftablesDriver.DriverName), [new(Ip("10.0.0.1"), TimeSpan.FromSeconds(-5))], CancellationToken.None));

        Assert.Contains("fw1: the block of 10.0.0.1 has duration -00:00:05; give a positive duration", error.Message, StringComparison.Ordinal);
        Assert.Empty(firewall.Commands);
    }

    [Fact]
    public async Task Block_EmptyBatch_SendsNothing()
    {
        var firewall = new ScriptedFirewall();

        await Driver(firewall).BlockAsync(Device(NftablesDriver.DriverName), [], CancellationToken.None);
        await Driver(firewall).UnblockAsync(Device(NftablesDriver.DriverName), [], CancellationToken.None);

        Assert.Empty(firewall.Commands);
    }

    private static NftablesDriver Driver(ScriptedFirewall firewall) => new(_ => firewall);
}
