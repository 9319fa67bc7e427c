using System.Text;
using Orchestrator.Snmp.Messages;

namespace Orchestrator.Snmp.Tests.Messages;

public class CommunityMessageTests
{
    [Fact]
    public void Decode_EncodedResponseWithEveryValueKind_GivesTheSameBindings()
    {
        CommunityMessage original = SampleMessages.Response();
        CommunityMessage decoded = CommunityMessage.Decode(original.Encode());

        Assert.Equal(SnmpVersion.V2c, decoded.Version);
        Assert.Equal("public", Encoding.ASCII.GetString(decoded.Community.Span));
        Assert.Equal(SnmpPduType.Response, decoded.Pdu.Type);
        Assert.Equal(0x12345678, decoded.Pdu.RequestId);
        Assert.Equal(original.Pdu.VarBinds, decoded.Pdu.VarBinds);
        Assert.Equal(ulong.MaxValue, decoded.Pdu.VarBinds[5].Value.AsUInt64());
        Assert.Equal("127.0.0.1", decoded.Pdu.VarBinds[6].Value.AsIpAddress().ToString());
    }

    [Fact]
    public void Encode_GetRequest_MatchesTheRfc1157Layout()
    {
        CommunityMessage message = new(
            SnmpVersion.V1, Encoding.ASCII.GetBytes("public"), new SnmpPdu(SnmpPduType.GetRequest, 1, 0, 0, [VarBind.ForRead(Oid.Parse("1.3.6.1.2.1.1.1.0"))]));

        // SEQUENCE { INTEGER 0, OCTET STRING "public", GetRequest { 1, 0, 0, { { sysDescr.0, NULL } } } }
        Assert.Equal(
            "302602010004067075626C6963A019020101020100020100300E300C06082B060102010101000500",
            Convert.ToHexString(message.Encode()));
    }

    [Fact]
    public void Decode_GetBulk_ReadsNonRepeatersAndMaxRepetitions()
    {
        CommunityMessage decoded = CommunityMessage.Decode(SampleMessages.GetBulk().Encode());
        Assert.Equal(SnmpPduType.GetBulkRequest, decoded.Pdu.Type);
        Assert.Equal(1, decoded.Pdu.NonRepeaters);
        Assert.Equal(50, decoded.Pdu.MaxRepetitions);
    }

    [Fact]
    public void ToString_LeavesTheCommunityOut()
    {
        string text = SampleMessages.GetBulk().ToString();
        Assert.DoesNotContain("private", text, StringComparison.Ordinal);
        Assert.Contains("GetBulkRequest", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3003020103", "version 3 is not SNMPv1 (0) or SNMPv2c (1)")]
    [InlineData("30070201010400AF00", "PDU tag 0xaf is not one of")]
    [InlineData("302702010004067075626C6963A019020101020100020100300E300C06082B060102010101000500", "runs past")]
    [InlineData("302602010004067075626C6963A019020101020100020100300E300C06082B060102010101000500FF", "trailing")]
    [InlineData("300F020100040170A40602010102010102", "not supported")]
    public void Decode_Malformed_ThrowsSnmpDecodeException(string hex, string problem)
    {
        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() => CommunityMessage.Decode(Convert.FromHexString(hex)));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }
}
