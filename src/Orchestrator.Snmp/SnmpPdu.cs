using System.Globalization;
using Orchestrator.Snmp.Ber;

namespace Orchestrator.Snmp;

/// <summary>
/// A PDU (RFC 3416 section 3) independent of the message that carries it. For GetBulkRequest the two integer fields
/// are non-repeaters and max-repetitions, read through <see cref="NonRepeaters"/> and <see cref="MaxRepetitions"/>.
/// </summary>
public sealed record SnmpPdu(SnmpPduType Type, int RequestId, int ErrorStatus, int ErrorIndex, IReadOnlyList<VarBind> VarBinds)
{
    public int NonRepeaters => ErrorStatus;

    public int MaxRepetitions => ErrorIndex;

    public static SnmpPdu GetBulk(int requestId, int nonRepeaters, int maxRepetitions, IReadOnlyList<VarBind> varBinds) =>
        new(SnmpPduType.GetBulkRequest, requestId, nonRepeaters, maxRepetitions, varBinds);

    internal void Write(BerWriter writer)
    {
        writer.BeginConstructed((byte)(BerTag.ContextConstructed | (int)Type));
        writer.WriteInteger(BerTag.Integer, RequestId);
        writer.WriteInteger(BerTag.Integer, ErrorStatus);
        writer.WriteInteger(BerTag.Integer, ErrorIndex);
        writer.BeginConstructed(BerTag.Sequence);
        foreach (VarBind varBind in VarBinds)
        {
            writer.BeginConstructed(BerTag.Sequence);
            writer.WriteOid(varBind.Oid);
            varBind.Value.Write(writer);
            writer.EndConstructed();
        }

        writer.EndConstructed();
        writer.EndConstructed();
    }

    internal static SnmpPdu Read(ref BerReader reader)
    {
        int offset = reader.Position;
        BerReader pdu = reader.ReadAnyConstructed(out byte tag, "PDU");
        int type = tag - BerTag.ContextConstructed;
        if (type is < 0 or > 8)
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"PDU tag 0x{tag:x2} is not one of [0]..[8]"), offset);
        }

        if (type == (int)SnmpPduType.TrapV1)
        {
            throw new SnmpDecodeException("SNMPv1 Trap PDUs are not supported", offset);
        }

        int requestId = pdu.ReadInt32("request-id");
        int errorStatus = pdu.ReadInt32("error-status");
        int errorIndex = pdu.ReadInt32("error-index");
        BerReader list = pdu.ReadConstructed(BerTag.Sequence, "variable-bindings");
        List<VarBind> varBinds = [];
        while (list.HasMore)
        {
            BerReader varBind = list.ReadConstructed(BerTag.Sequence, "VarBind");
            Oid oid = varBind.ReadOid("VarBind name");
            SnmpValue value = SnmpValue.Read(ref varBind);
            varBind.ExpectEnd("VarBind");
            varBinds.Add(new VarBind(oid, value));
        }

        pdu.ExpectEnd("PDU");
        return new SnmpPdu((SnmpPduType)type, requestId, errorStatus, errorIndex, varBinds);
    }
}
