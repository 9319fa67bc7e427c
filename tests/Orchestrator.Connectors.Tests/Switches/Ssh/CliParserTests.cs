using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>
/// The parsers on layouts the stand-ins do not print: older IOS and NX-OS MAC tables, the other spellings of Cisco
/// interface names, the Junos lock message of the CLI guide, and what may be typed back into a CLI.
/// </summary>
public sealed class CliParserTests
{
    // Catalyst 2950 / older IOS: "show mac-address-table" (Catalyst 2950 command reference layout).
    private const string OldIosMacTable = """
        Destination Address  Address Type  VLAN  Destination Port
        -------------------  ------------  ----  --------------------
        000a.000b.000c          Dynamic       1     FastEthernet0/1
        0001.0203.0405          Static        1     FastEthernet0/2
        0050.7966.6807          Dynamic      10     FastEthernet0/7
        """;

    // NX-OS-like: leading flag column, age and secure/notify columns before the port (NX-API CLI reference layout).
    private const string NexusMacTable = """
        Legend:
                * - primary entry, G - Gateway MAC, (R) - Routed MAC, O - Overlay MAC
                age - seconds since last seen,+ - primary entry using vPC Peer-Link
           VLAN     MAC Address      Type      age     Secure NTFY Ports
        ---------+-----------------+--------+---------+------+----+------------------
        *   10     0050.7966.6807   dynamic  0         F      F    Eth1/7
        *  200     0050.7966.6899   dynamic  120       F      F    Po10
        G    -     0022.bdf8.19ff   static   -         F      F    sup-eth1(R)
        """;

    [Fact]
    public void ParseMacTable_OlderIosLayout_ReadsDynamicEntriesWithTheirVlanAndPort()
    {
        var entries = CiscoIosDriver.ParseMacTable(OldIosMacTable);

        Assert.Equal(
            [(MacAddress.Parse("00:0a:00:0b:00:0c"), "FastEthernet0/1", 1), (MacAddress.Parse("00:50:79:66:68:07"), "FastEthernet0/7", 10)],
            entries.Select(e => (e.Mac, e.Port, e.Vlan!.Value.Value)));
    }

    [Fact]
    public void ParseMacTable_NexusLayout_ReadsDynamicEntriesAndSkipsGatewayMacs()
    {
        var entries = CiscoIosDriver.ParseMacTable(NexusMacTable);

        Assert.Equal(
            [(MacAddress.Parse("00:50:79:66:68:07"), "Eth1/7", 10), (MacAddress.Parse("00:50:79:66:68:99"), "Po10", 200)],
            entries.Select(e => (e.Mac, e.Port, e.Vlan!.Value.Value)));
    }

    [Theory]
    [InlineData("Gi1/0/48", "GigabitEthernet1/0/48")]
    [InlineData("Gig 1/0/48", "Gi1/0/48")]
    [InlineData("Te1/1/1", "TenGigabitEthernet1/1/1")]
    [InlineData("Tw1/0/3", "TwoGigabitEthernet1/0/3")]
    [InlineData("Twe1/0/25", "TwentyFiveGigE1/0/25")]
    [InlineData("Po1", "Port-channel1")]
    [InlineData("Fa0/7", "FastEthernet0/7")]
    public void PortKey_EverySpellingOfACiscoPort_IsOneKey(string shortName, string longName)
    {
        Assert.Equal(CiscoIosDriver.PortKey(shortName), CiscoIosDriver.PortKey(longName));
    }

    [Fact]
    public void PortKey_TwoAndTwentyFiveGigabitPorts_StayApart()
    {
        Assert.NotEqual(CiscoIosDriver.PortKey("Tw1/0/1"), CiscoIosDriver.PortKey("Twe1/0/1"));
    }

    [Fact]
    public void LockHolder_UsersCurrentlyEditingMessage_NamesTheUser()
    {
        const string Output = """
            error: configuration database locked
            Users currently editing the configuration:
              root terminal p3 (pid 1088) on since 2000-10-30 19:47:58 EDT, idle 00:00:44
                  exclusive [edit interfaces so-3/0/0 unit 0 family inet]
            """;

        Assert.Equal("root terminal p3 (pid 1088) on since 2000-10-30 19:47:58 EDT, idle 00:00:44", JunosDriver.LockHolder(Output));
        Assert.Null(JunosDriver.LockHolder("commit complete"));
    }

    [Fact]
    public void ErrorIn_IosNoticeThatItCreatedTheVlan_IsNotAFailure()
    {
        Assert.Null(CliDialect.CiscoIos.ErrorIn("% Access VLAN does not exist. Creating vlan 99"));
        Assert.Equal("% Invalid input detected at '^' marker.", CliDialect.CiscoIos.ErrorIn("        ^\n% Invalid input detected at '^' marker.\n"));
        Assert.Equal("syntax error.", CliDialect.Junos.ErrorIn("                   ^\nsyntax error.\n\n[edit]"));
        Assert.Null(CliDialect.Junos.ErrorIn("warning: uncommitted changes will be discarded on exit\nEntering configuration mode"));
    }

    [Theory]
    [InlineData("desk 7", true)]
    [InlineData("Printer, room 2.14 (HP)", true)]
    [InlineData("what?", false)]
    [InlineData("say \"hi\"", false)]
    [InlineData("a;b", false)]
    [InlineData("back\\slash", false)]
    [InlineData(" padded", false)]
    [InlineData("tab\there", false)]
    [InlineData("ünïcode", false)]
    public void IsSafe_OnlyPlainPrintableDescriptions_AreTypedBack(string description, bool safe)
    {
        Assert.Equal(safe, CliText.IsSafe(description));
    }

    [Fact]
    public void ParseInterfacesStatus_PortWhoseNameLooksLikeAStatus_KeepsItsVlanAndTrunkFlag()
    {
        const string Output = """

            Port         Name               Status       Vlan       Duplex  Speed Type
            Gi1/0/1      disabled printer   connected    10         a-full a-1000 10/100/1000BaseTX
            Gi1/0/2      trunk to lab       disabled     trunk        auto   auto 10/100/1000BaseTX
            Gi1/0/3                         connected    routed     a-full a-1000 10/100/1000BaseTX
            """;

        var ports = CiscoIosDriver.ParseInterfacesStatus(Output);

        Assert.Equal([("Gi1/0/1", false), ("Gi1/0/2", true)], ports.Select(p => (p.Port.Value, p.Trunk)));
    }
}
