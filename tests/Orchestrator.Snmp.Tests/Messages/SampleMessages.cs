using System.Net;
using System.Text;
using Orchestrator.Snmp.Messages;

namespace Orchestrator.Snmp.Tests.Messages;

/// <summary>Valid messages covering every value kind and PDU shape, the seeds for round-trip and fuzz tests.</summary>
internal static class SampleMessages
{
    public static CommunityMessage Response() => new(
        SnmpVersion.V2c,
        Encoding.ASCII.GetBytes("public"),
        new SnmpPdu(SnmpPduType.Response, 0x12345678, 0, 0,
        [
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.1.0"), SnmpValue.FromText("Linux test 6.1 x86_64")),
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.2.0"), SnmpValue.FromOid(Oid.Parse("1.3.6.1.4.1.8072.3.2.10"))),
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.3.0"), SnmpValue.FromTimeTicks(4_000_000_000)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.10.1"), SnmpValue.FromCounter32(uint.MaxValue)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.5.1"), SnmpValue.FromGauge32(1_000_000_000)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.31.1.1.1.6.1"), SnmpValue.FromCounter64(ulong.MaxValue)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.4.20.1.1.127.0.0.1"), SnmpValue.FromIpAddress(IPAddress.Loopback)),
            new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.7.1"), SnmpValue.FromInt32(-129)),
            new VarBind(Oid.Parse("1.3.6.1.4.1.2021.10.1.6.1"), SnmpValue.FromOpaque([0x9F, 0x78, 0x04, 0x3F, 0x80, 0, 0])),
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.9.0"), SnmpValue.NoSuchObject),
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.1.1"), SnmpValue.NoSuchInstance),
            new VarBind(Oid.Parse("2.999.4294967295.268435456"), SnmpValue.EndOfMibView),
            new VarBind(Oid.Parse("1.3.6.1.2.1.1.5.0"), SnmpValue.Null),
        ]));

    public static CommunityMessage GetRequest() => new(
        SnmpVersion.V1,
        Encoding.ASCII.GetBytes("a-rather-long-community-string-for-length-coverage"),
        new SnmpPdu(SnmpPduType.GetRequest, -5, 0, 0, [VarBind.ForRead(Oid.Parse("1.3.6.1.2.1.1.1.0"))]));

    public static CommunityMessage GetBulk() => new(
        SnmpVersion.V2c,
        Encoding.ASCII.GetBytes("private"),
        SnmpPdu.GetBulk(1, 1, 50, [VarBind.ForRead(Oid.Parse("1.3.6.1.2.1.1.3")), VarBind.ForRead(Oid.Parse("1.3.6.1.2.1.2.2.1.2"))]));

    public static CommunityMessage LongResponse() => new(
        SnmpVersion.V2c,
        Encoding.ASCII.GetBytes("public"),
        new SnmpPdu(SnmpPduType.Response, 7, 5, 2,
            Enumerable.Range(1, 40).Select(i => new VarBind(Oid.Parse("1.3.6.1.2.1.2.2.1.2").Append((uint)i), SnmpValue.FromText(new string('x', i * 7)))).ToList()));

    public static IReadOnlyList<byte[]> AllEncoded() => [Response().Encode(), GetRequest().Encode(), GetBulk().Encode(), LongResponse().Encode()];
}
