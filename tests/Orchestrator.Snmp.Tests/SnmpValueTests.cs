using System.Net;

namespace Orchestrator.Snmp.Tests;

public class SnmpValueTests
{
    [Fact]
    public void Accessors_MatchingKind_ReturnTheValue()
    {
        Assert.Equal(-5, SnmpValue.FromInt32(-5).AsInt32());
        Assert.Equal(uint.MaxValue, SnmpValue.FromGauge32(uint.MaxValue).AsUInt32());
        Assert.Equal(42UL, SnmpValue.FromTimeTicks(42).AsUInt64());
        Assert.Equal("sw-01", SnmpValue.FromText("sw-01").AsText());
        Assert.Equal(IPAddress.Parse("10.1.2.3"), SnmpValue.FromIpAddress(IPAddress.Parse("10.1.2.3")).AsIpAddress());
        Assert.Equal(Oid.Parse("1.3.6.1"), SnmpValue.FromOid(Oid.Parse("1.3.6.1")).AsOid());
    }

    [Fact]
    public void Accessors_OtherKind_ThrowNamingBothKinds()
    {
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => SnmpValue.FromCounter64(1).AsInt32());
        Assert.Equal("the value is Counter64, not an Integer32.", e.Message);
        Assert.Throws<InvalidOperationException>(() => SnmpValue.NoSuchObject.AsText());
        Assert.Throws<InvalidOperationException>(() => SnmpValue.FromInt32(1).AsUInt32());
    }

    [Fact]
    public void IsException_OnlyForTheThreeExceptionKinds()
    {
        Assert.True(SnmpValue.NoSuchObject.IsException);
        Assert.True(SnmpValue.NoSuchInstance.IsException);
        Assert.True(SnmpValue.EndOfMibView.IsException);
        Assert.False(SnmpValue.Null.IsException);
        Assert.False(SnmpValue.FromInt32(0).IsException);
    }

    [Fact]
    public void FromIpAddress_IPv6_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => SnmpValue.FromIpAddress(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void ToString_PrintableTextAsTextAndBinaryAsHex()
    {
        Assert.Equal("GigabitEthernet0/1", SnmpValue.FromText("GigabitEthernet0/1").ToString());
        Assert.Equal("001122AABBCC", SnmpValue.FromOctetString([0x00, 0x11, 0x22, 0xAA, 0xBB, 0xCC]).ToString());
    }

    [Fact]
    public void Equals_SameKindAndBytes_AreEqual()
    {
        Assert.Equal(SnmpValue.FromText("a"), SnmpValue.FromOctetString("a"u8));
        Assert.NotEqual(SnmpValue.FromCounter32(1), SnmpValue.FromGauge32(1));
    }
}
