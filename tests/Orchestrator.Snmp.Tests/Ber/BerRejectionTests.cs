using Orchestrator.Snmp.Ber;

namespace Orchestrator.Snmp.Tests.Ber;

public class BerRejectionTests
{
    [Theory]
    [InlineData("0280", "indefinite length", 1)]
    [InlineData("0205010203", "runs past", 0)]
    [InlineData("0285FFFFFFFFFF", "too long", 1)]
    [InlineData("0284FFFFFFFF01", "too large", 1)]
    [InlineData("0282", "length octets truncated", 1)]
    [InlineData("02", "length missing", 1)]
    [InlineData("0200", "at least one content octet", 2)]
    [InlineData("02050100000000", "does not fit in 32 bits", 2)]
    [InlineData("0401", "expected tag 0x02", 0)]
    public void ReadInt32_Malformed_ThrowsNamingProblemAndOffset(string hex, string problem, int offset)
    {
        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() =>
        {
            BerReader reader = new(Convert.FromHexString(hex));
            reader.ReadInt32("request-id");
        });
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains("request-id", e.Message, StringComparison.Ordinal);
        Assert.Equal(offset, e.Offset);
    }

    [Theory]
    [InlineData("41050100000000", "does not fit in 32 unsigned bits")]
    [InlineData("4106000100000000", "does not fit in 32 unsigned bits")]
    public void ReadUInt32_TooLarge_Throws(string hex, string problem)
    {
        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() =>
        {
            BerReader reader = new(Convert.FromHexString(hex));
            reader.ReadUInt32(BerTag.Counter32, "Counter32 value");
        });
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadUInt64_NineSignificantOctets_Throws()
    {
        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() =>
        {
            BerReader reader = new(Convert.FromHexString("460901FFFFFFFFFFFFFFFF"));
            reader.ReadUInt64(BerTag.Counter64, "Counter64 value");
        });
        Assert.Contains("does not fit in 64 unsigned bits", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("06022B86", "truncated")]
    [InlineData("06032B8001", "padding octet 0x80")]
    [InlineData("06072B908080808000", "longer than 5 octets")]
    [InlineData("06062B9080808000", "exceeds 2^32-1")]
    [InlineData("0600", "at least one content octet")]
    public void ReadOid_Malformed_Throws(string hex, string problem)
    {
        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() =>
        {
            BerReader reader = new(Convert.FromHexString(hex));
            reader.ReadOid("VarBind name");
        });
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOid_129Arcs_Throws()
    {
        byte[] encoded = new byte[3 + 128];
        encoded[0] = 0x06;
        encoded[1] = 0x81;
        encoded[2] = 128;
        encoded[3] = 0x2B;
        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() =>
        {
            BerReader reader = new(encoded);
            reader.ReadOid("VarBind name");
        });
        Assert.Contains("more than 128 arcs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOid_128Arcs_IsAccepted()
    {
        byte[] encoded = new byte[2 + 127];
        encoded[0] = 0x06;
        encoded[1] = 127;
        encoded[2] = 0x2B;
        BerReader reader = new(encoded);
        Assert.Equal(128, reader.ReadOid("VarBind name").Length);
    }

    [Fact]
    public void ReadConstructed_NestedDeeperThanTheBound_Throws()
    {
        byte[] encoded = new byte[2 * 20];
        for (int i = 0; i < 20; i++)
        {
            encoded[2 * i] = 0x30;
            encoded[(2 * i) + 1] = (byte)(encoded.Length - (2 * i) - 2);
        }

        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() =>
        {
            BerReader reader = new(encoded);
            for (int i = 0; i < 20; i++)
            {
                reader = reader.ReadConstructed(BerTag.Sequence, "sequence");
            }
        });
        Assert.Contains("nested deeper than 8", e.Message, StringComparison.Ordinal);
        Assert.Equal(16, e.Offset);
    }

    [Fact]
    public void ExpectEnd_TrailingGarbage_Throws()
    {
        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() =>
        {
            BerReader reader = new(Convert.FromHexString("020101FF"));
            reader.ReadInt32("version");
            reader.ExpectEnd("message");
        });
        Assert.Contains("1 unexpected trailing byte(s) after message", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, e.Offset);
    }

    [Fact]
    public void ReadNull_WithContent_Throws()
    {
        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() =>
        {
            BerReader reader = new(Convert.FromHexString("050100"));
            reader.ReadNull(BerTag.Null, "NULL value");
        });
        Assert.Contains("must have length 0", e.Message, StringComparison.Ordinal);
    }
}
