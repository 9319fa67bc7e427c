using Orchestrator.Core.Network;

namespace Orchestrator.Core.Tests.Network;

/// <summary>Values that reach a device are parsed into types; anything a CLI or shell could read as syntax is refused.</summary>
public sealed class DeviceValuesTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("99", 99)]
    [InlineData("4094", 4094)]
    public void VlanId_InRange_Parses(string text, int expected)
    {
        Assert.True(VlanId.TryParse(text, out var vlan));
        Assert.Equal(expected, vlan.Value);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("4095")]
    [InlineData("-1")]
    [InlineData("+10")]
    [InlineData(" 10")]
    [InlineData("10 ")]
    [InlineData("1e2")]
    [InlineData("")]
    [InlineData(null)]
    public void VlanId_OutOfRangeOrNotADecimal_IsRefused(string? text) => Assert.False(VlanId.TryParse(text, out _));

    [Theory]
    [InlineData("Gi1/0/48")]
    [InlineData("GigabitEthernet1/0/1")]
    [InlineData("1/1/12")]
    [InlineData("ge-0/0/3.0")]
    [InlineData("swp7")]
    [InlineData("Po1")]
    [InlineData("eth1:0")]
    [InlineData("port_5")]
    public void PortName_DeviceSpellings_Parse(string text)
    {
        Assert.True(PortName.TryParse(text, out var port));
        Assert.Equal(text, port.Value);
    }

    [Theory]
    [InlineData("Gi1/0/1; reload")]
    [InlineData("Gi1/0/1\nreload")]
    [InlineData("eth0 && reboot")]
    [InlineData("$(id)")]
    [InlineData("-rf")]
    [InlineData("/etc/passwd")]
    [InlineData("p1`x`")]
    [InlineData("")]
    [InlineData(null)]
    public void PortName_AnythingLikeSyntax_IsRefused(string? text) => Assert.False(PortName.TryParse(text, out _));

    [Fact]
    public void PortName_LongerThan64_IsRefused() => Assert.False(PortName.TryParse(new string('a', 65), out _));

    [Fact]
    public void PortName_Matches_IgnoresCase()
    {
        Assert.True(PortName.TryParse("Gi1/0/1", out var a));
        Assert.True(PortName.TryParse("gi1/0/1", out var b));
        Assert.True(a.Matches(b));
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1", null, "10.0.0.1")]
    [InlineData("10.0.0.1:2222", "10.0.0.1", 2222, "10.0.0.1:2222")]
    [InlineData("2001:db8::1", "2001:db8::1", null, "2001:db8::1")]
    [InlineData("[2001:db8::1]:830", "2001:db8::1", 830, "[2001:db8::1]:830")]
    [InlineData("Sw1.Example.org:22", "sw1.example.org", 22, "sw1.example.org:22")]
    [InlineData("core-sw", "core-sw", null, "core-sw")]
    public void DeviceAddress_IpOrHostWithOptionalPort_Parses(string text, string host, int? port, string printed)
    {
        Assert.True(DeviceAddress.TryParse(text, out var address));
        Assert.Equal((host, port, printed), (address!.Host, address.Port, address.ToString()));
    }

    [Theory]
    [InlineData("10.0.0.300")]
    [InlineData("10.1")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("10.0.0.1:0")]
    [InlineData("10.0.0.1:65536")]
    [InlineData("10.0.0.1:")]
    [InlineData("sw1 ; reboot")]
    [InlineData("sw1;reboot")]
    [InlineData("-oProxyCommand=x")]
    [InlineData("[10.0.0.1]:22")]
    [InlineData("fe80::1%eth0")]
    [InlineData("")]
    [InlineData(null)]
    public void DeviceAddress_Malformed_IsRefused(string? text) => Assert.False(DeviceAddress.TryParse(text, out _));
}
