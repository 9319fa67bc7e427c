using Orchestrator.Connectors.Switches;

namespace Orchestrator.Connectors.Tests.Switches;

/// <summary>Q-BRIDGE PortLists: bridge port p is bit p-1, most significant bit of the first octet first.</summary>
public sealed class PortListTests
{
    [Theory]
    [InlineData(1, 0, 0x80)]
    [InlineData(8, 0, 0x01)]
    [InlineData(9, 1, 0x80)]
    [InlineData(47, 5, 0x02)]
    [InlineData(48, 5, 0x01)]
    public void With_SetsExactlyThePortsBit(int port, int octet, int mask)
    {
        var list = PortList.With(new byte[6], port, member: true);

        Assert.Equal(mask, list[octet]);
        Assert.Equal(1, list.Sum(b => System.Numerics.BitOperations.PopCount(b)));
        Assert.True(PortList.Contains(list, port));
    }

    [Fact]
    public void With_Clearing_LeavesTheOtherPorts()
    {
        byte[] all = [0xff, 0xff, 0xff, 0xff, 0xff, 0xfc];

        var without5 = PortList.With(all, 5, member: false);

        Assert.Equal([0xf7, 0xff, 0xff, 0xff, 0xff, 0xfc], without5);
        Assert.False(PortList.Contains(without5, 5));
        Assert.True(PortList.Contains(without5, 4));
        Assert.Equal([0xff, 0xff, 0xff, 0xff, 0xff, 0xfc], all);
    }

    [Fact]
    public void With_PortBeyondTheList_GrowsIt_ContainsOnAShortListIsFalse()
    {
        Assert.False(PortList.Contains([0xff], 9));
        Assert.Equal([0x00, 0x80], PortList.With([], 9, member: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => PortList.With([0], 0, member: true));
    }
}
