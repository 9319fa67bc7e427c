using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Ssh;
using Orchestrator.Connectors.Switches.Ssh;
using static Orchestrator.Connectors.Tests.Firewalls.Ssh.ScriptedFirewall;

namespace Orchestrator.Connectors.Tests.Firewalls.Ssh;

/// <summary>
/// The iptables+ipset driver's commands against a scripted device: the restore lines of a batch, what is
/// refused before anything is sent (ipset restore applies lines up to the first bad one), and parsing of
/// <c>ipset save</c> as ipset 7.17 prints it.
/// </summary>
public sealed class IptablesIpsetDriverTests
{
    // ipset save orchestrator-blocked, as ipset 7.17 printed it (kernel 6.18).
    private const string Saved = """
        create orchestrator-blocked hash:ip family inet hashsize 1024 maxelem 65536 timeout 0 bucketsize 12 initval 0xd7d6d39e
        add orchestrator-blocked 10.0.0.3 timeout 2147482
        add orchestrator-blocked 10.0.0.2 timeout 0
        add orchestrator-blocked 10.0.0.1 timeout 59

        """;

    private const string Saved6 = """
        create orchestrator-blocked6 hash:ip family inet6 hashsize 1024 maxelem 65536 timeout 0 bucketsize 12 initval 0xfd82f124
        add orchestrator-blocked6 2001:db8::1 timeout 29

        """;

    [Fact]
    public async Task Block_MixedBatch_OneRestoreAfterMakingSetsAndRules_ThenCutsTheirConnections()
    {
        var firewall = new ScriptedFirewall();

        await Driver(firewall).BlockAsync(
            Device(IptablesIpsetDriver.DriverName),
            [new(Ip("10.0.0.1"), TimeSpan.FromHours(1)), new(Ip("2001:db8::1"), TimeSpan.FromMinutes(30)), new(Ip("10.0.0.2"), null), new(Ip("10.0.0.1"), TimeSpan.FromHours(2))],
            CancellationToken.None);

        Assert.Equal(
            [
                [
                    "sh", "-c", IptablesIpsetDriver.EnsureScript + IptablesIpsetDriver.RestoreScript, "sh", "orchestrator-blocked", "orchestrator-blocked6",
                    "add orchestrator-blocked 10.0.0.1 timeout 7200", "add orchestrator-blocked6 2001:db8::1 timeout 1800", "add orchestrator-blocked 10.0.0.2 timeout 0",
                ],
                ["sh", "-c", SshFirewallCommands.CutConnectionsScript, "sh", "10.0.0.1", "2001:db8::1", "10.0.0.2"],
            ],
            firewall.Commands);
    }

    [Fact]
    public async Task Block_CreateOff_OnlyRestores_AndTheSameAddressAgainRefreshesItsTimeout()
    {
        var firewall = new ScriptedFirewall();
        var device = Device(IptablesIpsetDriver.DriverName, ("create", "false"), ("cut_connections", "false"), ("set", "quarantine"));
        var driver = Driver(firewall);

        await driver.BlockAsync(device, [new(Ip("10.0.0.1"), TimeSpan.FromHours(1))], CancellationToken.None);
        await driver.BlockAsync(device, [new(Ip("10.0.0.1"), TimeSpan.FromSeconds(3))], CancellationToken.None);

        // restore -exist: an add of an entry that is there replaces its timeout instead of failing or adding a second.
        Assert.Equal(
            [
                ["sh", "-c", IptablesIpsetDriver.RestoreScript, "sh", "quarantine", "quarantine6", "add quarantine 10.0.0.1 timeout 3600"],
                ["sh", "-c", IptablesIpsetDriver.RestoreScript, "sh", "quarantine", "quarantine6", "add quarantine 10.0.0.1 timeout 3"],
            ],
            firewall.Commands);
    }

    [Fact]
    public async Task Block_LongerThanIpsetAllows_KeptWithoutTimeout_ForTheLedgerToEnd_NegativeRefusedBeforeAnyLine()
    {
        var firewall = new ScriptedFirewall();
        var device = Device(IptablesIpsetDriver.DriverName, ("create", "false"), ("cut_connections", "false"));

        await Driver(firewall).BlockAsync(device, [new(Ip("10.0.0.1"), TimeSpan.FromSeconds(2_147_483)), new(Ip("10.0.0.2"), TimeSpan.FromDays(30))], CancellationToken.None);
        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).BlockAsync(device, [new(Ip("10.0.0.3"), TimeSpan.FromHours(1)), new(Ip("10.0.0.4"), TimeSpan.FromSeconds(-1))], CancellationToken.None));

        Assert.Equal(
            [["sh", "-c", IptablesIpsetDriver.RestoreScript, "sh", "orchestrator-blocked", "orchestrator-blocked6", "add orchestrator-blocked 10.0.0.1 timeout 2147483", "add orchestrator-blocked 10.0.0.2 timeout 0"]],
            firewall.Commands);
        Assert.Contains("fw1: the block of 10.0.0.4 has duration -00:00:01; give a positive duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_DeviceRefuses_ThrowsNamingTheDeviceAndWhatIpsetSaid()
    {
        var firewall = new ScriptedFirewall { Answer = _ => new SshCommandResult(1, "", "ipset v7.17: Error in line 1: Kernel error received: Operation not permitted\n") };

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).BlockAsync(Device(IptablesIpsetDriver.DriverName), [new(Ip("10.0.0.1"), null)], CancellationToken.None));

        Assert.StartsWith("fw1: 'sh -c set -e", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("failed (exit 1): ipset v7.17: Error in line 1: Kernel error received: Operation not permitted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unblock_DeletesWithRestoreExist_SoAMissingEntryIsNoError()
    {
        var firewall = new ScriptedFirewall();

        await Driver(firewall).UnblockAsync(Device(IptablesIpsetDriver.DriverName, ("create", "false")), [Ip("10.0.0.1"), Ip("2001:db8::1")], CancellationToken.None);

        Assert.Equal(
            [["sh", "-c", IptablesIpsetDriver.RestoreScript, "sh", "orchestrator-blocked", "orchestrator-blocked6", "del orchestrator-blocked 10.0.0.1", "del orchestrator-blocked6 2001:db8::1"]],
            firewall.Commands);
    }

    [Fact]
    public async Task List_BothSets_EntriesWithTheSecondsLeft_NullForTimeoutZero()
    {
        var firewall = new ScriptedFirewall { Answer = c => new SshCommandResult(0, c[^1] == "orchestrator-blocked" ? Saved : Saved6, "") };

        var blocks = await Driver(firewall).ListAsync(Device(IptablesIpsetDriver.DriverName), CancellationToken.None);

        Assert.Equal(["ipset save orchestrator-blocked", "ipset save orchestrator-blocked6"], firewall.Lines);
        Assert.Equal(
            [
                new FirewallBlock(Ip("10.0.0.3"), TimeSpan.FromSeconds(2147482)), new FirewallBlock(Ip("10.0.0.2"), null),
                new FirewallBlock(Ip("10.0.0.1"), TimeSpan.FromSeconds(59)), new FirewallBlock(Ip("2001:db8::1"), TimeSpan.FromSeconds(29)),
            ],
            blocks);
    }

    [Fact]
    public async Task List_SetNotMadeYet_IsEmpty()
    {
        var firewall = new ScriptedFirewall { Answer = _ => new SshCommandResult(1, "", "ipset v7.17: The set with the given name does not exist\n") };

        Assert.Empty(await Driver(firewall).ListAsync(Device(IptablesIpsetDriver.DriverName), CancellationToken.None));
    }

    [Fact]
    public void Entries_SetWithoutTimeouts_AndOtherSetsLines_AreReadOrSkipped()
    {
        const string save = "create x hash:ip family inet hashsize 1024 maxelem 65536\nadd x 192.0.2.7\nadd other 192.0.2.8 timeout 5\n";

        Assert.Equal([new FirewallBlock(Ip("192.0.2.7"), null)], IptablesIpsetDriver.Entries(save, "x"));
    }

    [Theory]
    [InlineData("set", "blocked;reboot")]
    [InlineData("set", "-exist")]
    [InlineData("set6", "a-name-of-thirty-two-characters0")]
    [InlineData("cut_connections", "off")]
    public async Task Options_NotAcceptable_AreRefusedNamingDeviceAndOption_BeforeAnyCommand(string option, string value)
    {
        var firewall = new ScriptedFirewall();

        var error = await Assert.ThrowsAsync<FirewallException>(() => Driver(firewall).UnblockAsync(Device(IptablesIpsetDriver.DriverName, (option, value)), [Ip("10.0.0.1")], CancellationToken.None));

        Assert.Contains($"inventory.yaml:7:5: device 'fw1' options.{option} '{value}'", error.Message, StringComparison.Ordinal);
        Assert.Empty(firewall.Commands);
    }

    private static IptablesIpsetDriver Driver(ScriptedFirewall firewall) => new(_ => firewall);
}
