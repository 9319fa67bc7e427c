using Orchestrator.Snmp.Ber;

namespace Orchestrator.Snmp.Tests.Ber;

public class BerEncodingTests
{
    [Fact]
    public void WriteOid_SysDescr_IsTheX690Encoding()
    {
        Assert.Equal("06082B06010201010100", Hex(w => w.WriteOid(Oid.Parse("1.3.6.1.2.1.1.1.0"))));
    }

    [Theory]
    [InlineData(0, "020100")]
    [InlineData(127, "02017F")]
    [InlineData(128, "02020080")]
    [InlineData(256, "02020100")]
    [InlineData(-1, "0201FF")]
    [InlineData(-128, "020180")]
    [InlineData(-129, "0202FF7F")]
    [InlineData(int.MaxValue, "02047FFFFFFF")]
    [InlineData(int.MinValue, "020480000000")]
    public void WriteInteger_KnownValues_AreMinimalTwosComplement(int value, string expected)
    {
        Assert.Equal(expected, Hex(w => w.WriteInteger(BerTag.Integer, value)));
        Assert.Equal(value, Read(expected, (ref BerReader r) => r.ReadInt32("test")));
    }

    [Theory]
    [InlineData(0UL, "460100")]
    [InlineData(255UL, "460200FF")]
    [InlineData(ulong.MaxValue, "460900FFFFFFFFFFFFFFFF")]
    [InlineData(0x8000000000000000UL, "4609008000000000000000")]
    public void WriteUnsigned_Counter64_AddsALeadingZeroOnlyForTheSignBit(ulong value, string expected)
    {
        Assert.Equal(expected, Hex(w => w.WriteUnsigned(BerTag.Counter64, value)));
        Assert.Equal(value, Read(expected, (ref BerReader r) => r.ReadUInt64(BerTag.Counter64, "test")));
    }

    [Fact]
    public void ReadUInt32_Counter32Max_IsFiveOctetsWithLeadingZero()
    {
        Assert.Equal("410500FFFFFFFF", Hex(w => w.WriteUnsigned(BerTag.Counter32, uint.MaxValue)));
        Assert.Equal(uint.MaxValue, Read("410500FFFFFFFF", (ref BerReader r) => r.ReadUInt32(BerTag.Counter32, "test")));
    }

    [Theory]
    [InlineData("4104FFFFFFFF", uint.MaxValue)]
    [InlineData("4101FF", uint.MaxValue)]
    [InlineData("410400000007", 7u)]
    [InlineData("410480000000", 0x80000000u)]
    public void ReadUInt32_SloppyAgentEncodings_AreAcceptedAsTheMeantValue(string hex, uint expected)
    {
        Assert.Equal(expected, Read(hex, (ref BerReader r) => r.ReadUInt32(BerTag.Counter32, "test")));
    }

    [Fact]
    public void ReadInt32_NonMinimalPadding_IsAccepted()
    {
        Assert.Equal(5, Read("020400000005", (ref BerReader r) => r.ReadInt32("test")));
        Assert.Equal(-1, Read("0203FFFFFF", (ref BerReader r) => r.ReadInt32("test")));
    }

    [Fact]
    public void WriteOid_LargeArcsAndArc2_RoundTrip()
    {
        Oid oid = new(2, 999, 0xFFFFFFFF, 1u << 28, 0);
        string hex = Hex(w => w.WriteOid(oid));
        Assert.Equal("060D" + "8837" + "8FFFFFFF7F" + "8180808000" + "00", hex);
        Assert.Equal(oid, Read(hex, (ref BerReader r) => r.ReadOid("test")));
    }

    [Fact]
    public void WriteOid_LargestSecondArcUnderArc2_RoundTrips()
    {
        Oid oid = Oid.Parse("2.4294967295.7");
        Assert.Equal(oid, Read(Hex(w => w.WriteOid(oid)), (ref BerReader r) => r.ReadOid("test")));
    }

    [Fact]
    public void ReadOid_FirstTwoArcsRule_SplitsTheFirstSubIdentifier()
    {
        Assert.Equal(Oid.Parse("0.39"), Read("060127", (ref BerReader r) => r.ReadOid("test")));
        Assert.Equal(Oid.Parse("1.0"), Read("060128", (ref BerReader r) => r.ReadOid("test")));
        Assert.Equal(Oid.Parse("2.0"), Read("060150", (ref BerReader r) => r.ReadOid("test")));
        Assert.Equal(Oid.Parse("2.100"), Read("06028134", (ref BerReader r) => r.ReadOid("test")));
    }

    [Fact]
    public void EndConstructed_ContentOver127Bytes_UsesLongFormLength()
    {
        byte[] content = new byte[300];
        using BerWriter writer = new(16);
        writer.BeginConstructed(BerTag.Sequence);
        writer.WritePrimitive(BerTag.OctetString, content);
        writer.EndConstructed();
        byte[] encoded = writer.ToArray();
        Assert.Equal("308201300482012C", Convert.ToHexString(encoded.AsSpan(0, 8)));
        Assert.Equal(4 + 4 + 300, encoded.Length);

        BerReader reader = new(encoded);
        BerReader sequence = reader.ReadConstructed(BerTag.Sequence, "test");
        Assert.Equal(300, sequence.ReadPrimitive(BerTag.OctetString, "test", out _).Length);
        sequence.ExpectEnd("test");
        reader.ExpectEnd("test");
    }

    [Fact]
    public void ReadLength_NonMinimalLongForm_IsAccepted()
    {
        Assert.Equal(5, Read("0282000105", (ref BerReader r) => r.ReadInt32("test")));
    }

    private delegate T ReadFunc<T>(ref BerReader reader);

    private static string Hex(Action<BerWriter> write)
    {
        using BerWriter writer = new();
        write(writer);
        return Convert.ToHexString(writer.WrittenSpan);
    }

    private static T Read<T>(string hex, ReadFunc<T> read)
    {
        BerReader reader = new(Convert.FromHexString(hex));
        T value = read(ref reader);
        reader.ExpectEnd("test");
        return value;
    }
}
