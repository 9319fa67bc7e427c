using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;

namespace Orchestrator.Core.Tests.Network;

/// <summary>
/// The locator answers the host's own edge port from forwarding tables shaped like a real 48-port access
/// switch (an uplink carrying most of the MACs, a trunk, an LLDP neighbour), and says why when it cannot.
/// </summary>
public sealed class HostLocatorTests
{
    private static readonly MacAddress Host = Mac(0x0050_5600_0001UL);
    private static readonly MacAddress Phone = Mac(0x0004_f200_0001UL);

    [Fact]
    public void Locate_HostAloneOnAnAccessPort_IsThatPortWithHighConfidence()
    {
        var location = HostLocator.Locate(Host, [Access48("sw1", (Host, 5))]);

        Assert.Equal(LocateConfidence.High, location.Confidence);
        Assert.Equal(("sw1", "Gi1/0/5", 10105), (location.Edge!.Device, location.Edge.Port.Value, location.Edge.IfIndex));
        Assert.Equal(10, location.Edge.Vlan?.Value);
        Assert.Single(location.Seen);
    }

    [Fact]
    public void Locate_HostBehindItsPhone_StillHigh()
    {
        var location = HostLocator.Locate(Host, [Access48("sw1", (Host, 6), (Phone, 6))]);

        Assert.Equal(LocateConfidence.High, location.Confidence);
        Assert.Equal("Gi1/0/6", location.Edge!.Port.Value);
    }

    [Fact]
    public void Locate_PortSharedWithAFewMacs_IsMediumConfidence()
    {
        var location = HostLocator.Locate(Host, [Access48("sw1", (Host, 7), (Other(1), 7), (Other(2), 7), (Other(3), 7))]);

        Assert.Equal(LocateConfidence.Medium, location.Confidence);
        Assert.Equal("edge port with 4 MAC(s)", location.Edge!.Why);
    }

    [Fact]
    public void Locate_SeenOnTheDistributionUplinkAndAnAccessPort_AnswersTheAccessPort()
    {
        var distribution = Access48("dist1", (Host, 48));
        var access = Access48("sw2", (Host, 3));

        var location = HostLocator.Locate(Host, [distribution, access]);

        Assert.Equal(("sw2", "Gi1/0/3"), (location.Edge!.Device, location.Edge.Port.Value));
        Assert.Equal(["dist1", "sw2"], location.Seen.Select(s => s.Device).Order());
    }

    [Theory]
    [InlineData(48, "a configured uplink")]
    [InlineData(47, "a trunk")]
    [InlineData(46, "LLDP/CDP neighbour core-sw")]
    [InlineData(45, "a link-aggregation member")]
    [InlineData(44, "carries 9 MACs")]
    public void Locate_OnlyOnAPortThatLeadsToAnotherSwitch_AnswersNoPort(int port, string why)
    {
        var location = HostLocator.Locate(Host, [Access48("sw1", (Host, port))]);

        Assert.Equal(LocateConfidence.OnlyUplinks, location.Confidence);
        Assert.Null(location.Edge);
        Assert.Contains(why, location.Why, StringComparison.Ordinal);
        Assert.Contains("behind a switch not in the inventory", location.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_OnTwoEdgePorts_IsAmbiguousAndAnswersNone()
    {
        var location = HostLocator.Locate(Host, [Access48("sw1", (Host, 5)), Access48("sw2", (Host, 9))]);

        Assert.Equal(LocateConfidence.Ambiguous, location.Confidence);
        Assert.Null(location.Edge);
        Assert.Contains("sw1 Gi1/0/5", location.Why, StringComparison.Ordinal);
        Assert.Contains("sw2 Gi1/0/9", location.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_Unknown_IsNotFound()
    {
        var location = HostLocator.Locate(Host, [Access48("sw1")]);

        Assert.Equal(LocateConfidence.NotFound, location.Confidence);
        Assert.Empty(location.Seen);
    }

    [Fact]
    public void Locate_OnAProtectedPort_SaysSo()
    {
        var location = HostLocator.Locate(Host, [Access48("sw1", (Host, 1))]);

        Assert.True(location.Edge!.Protected);
        Assert.EndsWith(", a protected port)", location.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void MacOf_OneMacForTheAddress_IsIt_ConflictingAnswersAreNone()
    {
        var ip = IPAddress.Parse("10.1.15.251");
        Assert.Equal(Host, HostLocator.MacOf(ip, [new ArpEntry(ip, Host, "core"), new ArpEntry(ip, Host, "dist"), new ArpEntry(IPAddress.Parse("10.1.15.1"), Phone, "core")]));
        Assert.Null(HostLocator.MacOf(ip, [new ArpEntry(ip, Host, "core"), new ArpEntry(ip, Phone, "dist")]));
        Assert.Null(HostLocator.MacOf(IPAddress.Parse("10.9.9.9"), [new ArpEntry(ip, Host, "core")]));
    }

    /// <summary>
    /// A 48-port access switch: ifIndex 10101..10148 on bridge ports 1..48, Gi1/0/48 a configured uplink
    /// carrying 1,800 MACs, Gi1/0/47 a trunk, Gi1/0/46 with an LLDP neighbour, Gi1/0/45 in a port channel,
    /// Gi1/0/44 with eight other MACs, Gi1/0/1 protected, plus the given MACs on the given ports (VLAN 10).
    /// </summary>
    private static SwitchTables Access48(string device, params (MacAddress Mac, int Port)[] learned)
    {
        var ports = Enumerable.Range(1, 48).Select(i => new SwitchPort(
            10100 + i, i, Port($"Gi1/0/{i}"), Trunk: i == 47, Aggregated: i == 45, Neighbor: i == 46 ? "core-sw" : null)).ToList();
        Assert.True(VlanId.TryParse("10", out var vlan10));
        var fdb = new List<FdbEntry>();
        fdb.AddRange(Enumerable.Range(0, 1800).Select(i => new FdbEntry(Mac(0x0200_0000_0000UL + (ulong)i), 48, vlan10)));
        fdb.AddRange(Enumerable.Range(0, 8).Select(i => new FdbEntry(Mac(0x0300_0000_0000UL + (ulong)i), 44, vlan10)));
        fdb.AddRange(learned.Select(l => new FdbEntry(l.Mac, l.Port, vlan10)));
        return new SwitchTables(device, ports, fdb, [Port("Gi1/0/48")], [Port("Gi1/0/1")], DateTimeOffset.UnixEpoch);
    }

    private static PortName Port(string name)
    {
        Assert.True(PortName.TryParse(name, out var port), name);
        return port;
    }

    private static MacAddress Mac(ulong value) => MacAddress.FromValue(value);

    private static MacAddress Other(int n) => Mac(0x0400_0000_0000UL + (ulong)n);
}
