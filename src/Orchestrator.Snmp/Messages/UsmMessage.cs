using System.Security.Cryptography;
using Orchestrator.Snmp.Ber;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Snmp.Messages;

/// <summary>The msgFlags bits (RFC 3412 section 6.4).</summary>
[Flags]
internal enum UsmFlags : byte
{
    None = 0,
    Auth = 1,
    Priv = 2,
    Reportable = 4,
}

/// <summary>The keys of one user localized to one authoritative engine.</summary>
internal sealed record UsmKeys(SnmpAuthProtocol AuthProtocol, byte[] AuthKey, SnmpPrivProtocol PrivProtocol, byte[] PrivKey)
{
    public static readonly UsmKeys None = new(SnmpAuthProtocol.None, [], SnmpPrivProtocol.None, []);

    public override string ToString() => $"USM keys {AuthProtocol}/{PrivProtocol}";
}

/// <summary>An SNMPv3 message as received, before its digest is checked and its scoped PDU decrypted.</summary>
internal sealed class UsmIncoming
{
    public required int MsgId { get; init; }

    public required UsmFlags Flags { get; init; }

    public required byte[] EngineId { get; init; }

    public required int EngineBoots { get; init; }

    public required int EngineTime { get; init; }

    public required byte[] UserName { get; init; }

    public required byte[] PrivParameters { get; init; }

    /// <summary>Offset and length of msgAuthenticationParameters in the datagram.</summary>
    public required (int Offset, int Length) AuthParameters { get; init; }

    /// <summary>The encrypted octets when <see cref="UsmFlags.Priv"/> is set, otherwise the plaintext ScopedPDU element.</summary>
    public required byte[] Data { get; init; }
}

/// <summary>The SNMPv3 message (RFC 3412 section 6) with USM security parameters (RFC 3414 section 2.4).</summary>
internal static class UsmMessage
{
    public const int SecurityModelUsm = 3;

    /// <summary>
    /// The whole datagram. With <see cref="UsmFlags.Auth"/> the HMAC is computed over the message with a zero-filled
    /// msgAuthenticationParameters and written into it (RFC 3414 section 6.3.1); with Priv the scoped PDU is encrypted.
    /// </summary>
    public static byte[] Encode(
        int msgId, int maxSize, UsmFlags flags, ReadOnlySpan<byte> engineId, int boots, int time, ReadOnlySpan<byte> userName,
        UsmKeys keys, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> contextEngineId, ReadOnlySpan<byte> contextName, SnmpPdu pdu)
    {
        bool auth = (flags & UsmFlags.Auth) != 0;
        bool priv = (flags & UsmFlags.Priv) != 0;
        int macLength = auth ? UsmCrypto.MacLength(keys.AuthProtocol) : 0;

        using BerWriter scoped = new();
        scoped.BeginConstructed(BerTag.Sequence);
        scoped.WritePrimitive(BerTag.OctetString, contextEngineId);
        scoped.WritePrimitive(BerTag.OctetString, contextName);
        pdu.Write(scoped);
        scoped.EndConstructed();
        byte[]? encrypted = priv
            ? UsmCrypto.Encrypt(keys.PrivProtocol, keys.PrivKey, boots, time, salt, scoped.WrittenSpan)
            : null;

        using BerWriter parameters = new();
        parameters.BeginConstructed(BerTag.Sequence);
        parameters.WritePrimitive(BerTag.OctetString, engineId);
        parameters.WriteInteger(BerTag.Integer, boots);
        parameters.WriteInteger(BerTag.Integer, time);
        parameters.WritePrimitive(BerTag.OctetString, userName);
        Span<byte> zeros = stackalloc byte[macLength];
        zeros.Clear();
        parameters.WritePrimitive(BerTag.OctetString, zeros);
        int macInParameters = parameters.WrittenSpan.Length - macLength;
        parameters.WritePrimitive(BerTag.OctetString, priv ? salt : []);
        int beforeEnd = parameters.WrittenSpan.Length;
        parameters.EndConstructed();

        // Closing a long sequence moves its contents right by the extra length octets.
        macInParameters += parameters.WrittenSpan.Length - beforeEnd;

        using BerWriter message = new();
        message.BeginConstructed(BerTag.Sequence);
        message.WriteInteger(BerTag.Integer, (int)SnmpVersion.V3);
        message.BeginConstructed(BerTag.Sequence);
        message.WriteInteger(BerTag.Integer, msgId);
        message.WriteInteger(BerTag.Integer, maxSize);
        message.WritePrimitive(BerTag.OctetString, [(byte)flags]);
        message.WriteInteger(BerTag.Integer, SecurityModelUsm);
        message.EndConstructed();
        message.WritePrimitive(BerTag.OctetString, parameters.WrittenSpan);
        int macAt = message.WrittenSpan.Length - parameters.WrittenSpan.Length + macInParameters;
        if (encrypted is not null)
        {
            message.WritePrimitive(BerTag.OctetString, encrypted);
        }
        else
        {
            message.BeginConstructed(BerTag.Sequence);
            message.WritePrimitive(BerTag.OctetString, contextEngineId);
            message.WritePrimitive(BerTag.OctetString, contextName);
            pdu.Write(message);
            message.EndConstructed();
        }

        beforeEnd = message.WrittenSpan.Length;
        message.EndConstructed();
        macAt += message.WrittenSpan.Length - beforeEnd;
        byte[] datagram = message.ToArray();
        if (auth)
        {
            UsmCrypto.Mac(keys.AuthProtocol, keys.AuthKey, datagram).CopyTo(datagram.AsSpan(macAt));
        }

        return datagram;
    }

    /// <summary>
    /// Parses the header and security parameters; null when the datagram is well formed but not an SNMPv3/USM message.
    /// Throws <see cref="SnmpDecodeException"/> when malformed.
    /// </summary>
    public static UsmIncoming? Decode(ReadOnlySpan<byte> datagram)
    {
        BerReader outer = new(datagram);
        BerReader message = outer.ReadConstructed(BerTag.Sequence, "message");
        outer.ExpectEnd("message");
        if (message.ReadInt32("msgVersion") != (int)SnmpVersion.V3)
        {
            return null;
        }

        BerReader header = message.ReadConstructed(BerTag.Sequence, "msgGlobalData");
        int msgId = header.ReadInt32("msgID");
        header.ReadInt32("msgMaxSize");
        ReadOnlySpan<byte> flags = header.ReadPrimitive(BerTag.OctetString, "msgFlags", out int flagsOffset);
        if (flags.Length != 1)
        {
            throw new SnmpDecodeException("msgFlags must be one octet", flagsOffset);
        }

        int securityModel = header.ReadInt32("msgSecurityModel");
        header.ExpectEnd("msgGlobalData");
        if (securityModel != SecurityModelUsm)
        {
            return null;
        }

        ReadOnlySpan<byte> parameterBytes = message.ReadPrimitive(BerTag.OctetString, "msgSecurityParameters", out int parametersOffset);
        BerReader parametersOuter = new(parameterBytes);
        BerReader parameters = parametersOuter.ReadConstructed(BerTag.Sequence, "UsmSecurityParameters");
        parametersOuter.ExpectEnd("UsmSecurityParameters");
        byte[] engineId = parameters.ReadPrimitive(BerTag.OctetString, "msgAuthoritativeEngineID", out _).ToArray();
        int boots = parameters.ReadInt32("msgAuthoritativeEngineBoots");
        int time = parameters.ReadInt32("msgAuthoritativeEngineTime");
        byte[] userName = parameters.ReadPrimitive(BerTag.OctetString, "msgUserName", out _).ToArray();
        ReadOnlySpan<byte> mac = parameters.ReadPrimitive(BerTag.OctetString, "msgAuthenticationParameters", out int macOffset);
        byte[] privParameters = parameters.ReadPrimitive(BerTag.OctetString, "msgPrivacyParameters", out _).ToArray();
        parameters.ExpectEnd("UsmSecurityParameters");

        UsmFlags usmFlags = (UsmFlags)flags[0];
        byte[] data;
        if ((usmFlags & UsmFlags.Priv) != 0)
        {
            data = message.ReadPrimitive(BerTag.OctetString, "encryptedPDU", out _).ToArray();
        }
        else
        {
            int start = message.Position;
            message.ReadConstructed(BerTag.Sequence, "ScopedPDU");
            data = datagram[start..message.Position].ToArray();
        }

        message.ExpectEnd("message");
        return new UsmIncoming
        {
            MsgId = msgId,
            Flags = usmFlags,
            EngineId = engineId,
            EngineBoots = boots,
            EngineTime = time,
            UserName = userName,
            PrivParameters = privParameters,
            AuthParameters = (parametersOffset + macOffset, mac.Length),
            Data = data,
        };
    }

    /// <summary>Whether the message's HMAC is right for <paramref name="keys"/>, compared in constant time.</summary>
    public static bool VerifyDigest(ReadOnlySpan<byte> datagram, UsmIncoming incoming, UsmKeys keys)
    {
        (int offset, int length) = incoming.AuthParameters;
        if (keys.AuthProtocol == SnmpAuthProtocol.None || length != UsmCrypto.MacLength(keys.AuthProtocol))
        {
            return false;
        }

        byte[] copy = datagram.ToArray();
        copy.AsSpan(offset, length).Clear();
        byte[] expected = UsmCrypto.Mac(keys.AuthProtocol, keys.AuthKey, copy);
        return CryptographicOperations.FixedTimeEquals(expected, datagram.Slice(offset, length));
    }

    /// <summary>The scoped PDU's context engine id, context name and PDU, decrypting first when the message is encrypted.</summary>
    public static (byte[] ContextEngineId, byte[] ContextName, SnmpPdu Pdu) ReadScopedPdu(UsmIncoming incoming, UsmKeys keys)
    {
        byte[] plain = incoming.Data;
        if ((incoming.Flags & UsmFlags.Priv) != 0)
        {
            if (keys.PrivProtocol == SnmpPrivProtocol.None)
            {
                throw new SnmpDecodeException("an encrypted scoped PDU arrived but no privacy protocol is configured");
            }

            try
            {
                plain = UsmCrypto.Decrypt(keys.PrivProtocol, keys.PrivKey, incoming.EngineBoots, incoming.EngineTime, incoming.PrivParameters, incoming.Data);
            }
            catch (CryptographicException e)
            {
                throw new SnmpDecodeException("the encrypted scoped PDU could not be decrypted", e);
            }
        }

        // No ExpectEnd after the ScopedPDU: CBC-DES pads the plaintext to whole blocks (RFC 3414 section 8.1.1.2).
        BerReader outer = new(plain);
        BerReader scoped = outer.ReadConstructed(BerTag.Sequence, "ScopedPDU");
        byte[] contextEngineId = scoped.ReadPrimitive(BerTag.OctetString, "contextEngineID", out _).ToArray();
        byte[] contextName = scoped.ReadPrimitive(BerTag.OctetString, "contextName", out _).ToArray();
        SnmpPdu pdu = SnmpPdu.Read(ref scoped);
        scoped.ExpectEnd("ScopedPDU");
        return (contextEngineId, contextName, pdu);
    }
}
