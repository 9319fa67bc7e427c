using System.Text;

namespace Orchestrator.Snmp.Messages;

/// <summary>The v1/v2c message model: accepts only Response PDUs of its own version and community.</summary>
internal sealed class CommunityMessageModel : ISnmpMessageModel
{
    private readonly SnmpVersion version;
    private readonly byte[] community;

    public CommunityMessageModel(SnmpVersion version, string community)
    {
        this.version = version;
        this.community = Encoding.UTF8.GetBytes(community);
    }

    public byte[] Encode(SnmpPdu pdu) => new CommunityMessage(version, community, pdu).Encode();

    public SnmpPdu? DecodeResponse(ReadOnlySpan<byte> datagram)
    {
        CommunityMessage message = CommunityMessage.Decode(datagram);
        if (message.Version != version || message.Pdu.Type != SnmpPduType.Response || !message.Community.Span.SequenceEqual(community))
        {
            return null;
        }

        return message.Pdu;
    }
}
