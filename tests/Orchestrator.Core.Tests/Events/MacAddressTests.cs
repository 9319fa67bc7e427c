using Orchestrator.Core.Events;

namespace Orchestrator.Core.Tests.Events;

public class MacAddressTests
{
    [Theory]
    [InlineData("00:11:22:aa:bb:cc")]
    [InlineData("00-11-22-AA-BB-CC")]
    [InlineData("0011.22aa.bbcc")]
    [InlineData("001122AABBCC")]
    [InlineData(" 001122aabbcc ")]
    public void TryParse_CommonSpellings_NormaliseToColonLowerCase(string text)
    {
        Assert.True(MacAddress.TryParse(text, out var mac));
        Assert.Equal("00:11:22:aa:bb:cc", mac.ToString());
        Assert.Equal(0x001122AABBCCUL, mac.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00:11:22:aa:bb")]
    [InlineData("00:11:22:aa:bb:cc:dd")]
    [InlineData("00:11-22:aa:bb:cc")]
    [InlineData("0011:22aa:bbcc")]
    [InlineData("00:11:22:aa:bb:gg")]
    [InlineData("00:11:22:aa:bb:cc; reboot")]
    public void TryParse_Malformed_Refused(string text)
    {
        Assert.False(MacAddress.TryParse(text, out _));
    }

    [Fact]
    public void GetBytes_ReturnsOctetsMostSignificantFirst()
    {
        Assert.Equal(new byte[] { 0, 0x11, 0x22, 0xAA, 0xBB, 0xCC }, MacAddress.Parse("00:11:22:aa:bb:cc").GetBytes());
    }
}
