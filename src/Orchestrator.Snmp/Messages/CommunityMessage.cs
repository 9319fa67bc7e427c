using System.Globalization;
using Orchestrator.Snmp.Ber;

namespace Orchestrator.Snmp.Messages;

/// <summary>
/// The community-based message of SNMPv1 (RFC 1157 section 4) and SNMPv2c (RFC 1901): version, community, PDU.
/// <see cref="ToString"/> leaves the community out: it is a password.
/// </summary>
public sealed class CommunityMessage
{
    private readonly byte[] community;

    public CommunityMessage(SnmpVersion version, ReadOnlySpan<byte> community, SnmpPdu pdu)
    {
        if (version is not (SnmpVersion.V1 or SnmpVersion.V2c))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "community messages are SNMPv1 or SNMPv2c.");
        }

        ArgumentNullException.ThrowIfNull(pdu);
        Version = version;
        this.community = community.ToArray();
        Pdu = pdu;
    }

    public SnmpVersion Version { get; }

    public ReadOnlyMemory<byte> Community => community;

    public SnmpPdu Pdu { get; }

    public static CommunityMessage Decode(ReadOnlySpan<byte> datagram)
    {
        BerReader outer = new(datagram);
        BerReader message = outer.ReadConstructed(BerTag.Sequence, "message");
        outer.ExpectEnd("message");
        int versionOffset = message.Position;
        int version = message.ReadInt32("version");
        if (version is not ((int)SnmpVersion.V1 or (int)SnmpVersion.V2c))
        {
            throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"version {version} is not SNMPv1 (0) or SNMPv2c (1)"), versionOffset);
        }

        ReadOnlySpan<byte> community = message.ReadPrimitive(BerTag.OctetString, "community", out _);
        SnmpPdu pdu = SnmpPdu.Read(ref message);
        message.ExpectEnd("message");
        return new CommunityMessage((SnmpVersion)version, community, pdu);
    }

    public byte[] Encode()
    {
        using BerWriter writer = new();
        writer.BeginConstructed(BerTag.Sequence);
        writer.WriteInteger(BerTag.Integer, (int)Version);
        writer.WritePrimitive(BerTag.OctetString, community);
        Pdu.Write(writer);
        writer.EndConstructed();
        return writer.ToArray();
    }

    public override string ToString() => $"SNMP {Version} {Pdu.Type} request-id {Pdu.RequestId}, {Pdu.VarBinds.Count} binding(s)";
}
