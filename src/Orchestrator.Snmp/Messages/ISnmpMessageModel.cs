namespace Orchestrator.Snmp.Messages;

/// <summary>
/// Wraps PDUs in a message of one version and unwraps responses (the message processing model of RFC 3411 section 3.1.3).
/// v1 and v2c share <see cref="CommunityMessageModel"/>; SNMPv3/USM is a second implementation with its own security state.
/// </summary>
internal interface ISnmpMessageModel
{
    /// <summary>The whole datagram to send for <paramref name="pdu"/>.</summary>
    byte[] Encode(SnmpPdu pdu);

    /// <summary>
    /// The response PDU in <paramref name="datagram"/>, or null when the datagram is well formed but not an answer for
    /// this model (another version or community, a request or trap). Throws <see cref="SnmpDecodeException"/> when malformed.
    /// </summary>
    SnmpPdu? DecodeResponse(ReadOnlySpan<byte> datagram);
}
