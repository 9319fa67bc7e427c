using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Snmp.Messages;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Snmp.Tests.V3;

/// <summary>
/// The authoritative side of USM in memory, following RFC 3414 section 3.2: answers discovery with a Report, checks
/// digest and time window, decrypts, and answers with the same security level. Its datagrams go through the model's
/// DecodeResponse, as the client's receive loop would pass them.
/// </summary>
internal sealed class FakeUsmAgent(SnmpUsmOptions user, FakeTimeProvider clock)
{
    public const string UsmStatsPrefix = "1.3.6.1.6.3.15.1.1.";

    public byte[] EngineId { get; set; } = Convert.FromHexString("80001f88804f726368657374");

    public int Boots { get; set; } = 7;

    public int TimeAtStart { get; set; } = 5000;

    public int Discoveries { get; private set; }

    public List<SnmpPdu> Received { get; } = [];

    /// <summary>Turns an outgoing datagram into the agent's answer datagram, or null to drop it.</summary>
    public Func<byte[], byte[]>? Tamper { get; set; }

    /// <summary>When set, answers authenticated requests with a Report of this usmStats counter (e.g. "5" for wrong digests).</summary>
    public string? ReportCounter { get; set; }

    public int Time => TimeAtStart + (int)clock.GetUtcNow().Subtract(Start).TotalSeconds;

    private DateTimeOffset Start { get; } = clock.GetUtcNow();

    public UsmKeys Keys => user.AuthProtocol == SnmpAuthProtocol.None
        ? UsmKeys.None
        : new UsmKeys(
            user.AuthProtocol,
            UsmKeyCache.GetLocalizedKey(user.AuthProtocol, user.AuthPassword!, EngineId),
            user.PrivProtocol,
            user.PrivProtocol == SnmpPrivProtocol.None ? [] : UsmKeyCache.GetLocalizedKey(user.AuthProtocol, user.PrivPassword!, EngineId));

    /// <summary>The exchange the model's RequestAsync calls in place of the client's socket.</summary>
    public Task<SnmpPdu> ExchangeAsync(UsmMessageModel model, Func<int, byte[]> encode, int requestId)
    {
        byte[] request = encode(requestId);
        byte[] answer = Answer(request);
        answer = Tamper?.Invoke(answer) ?? answer;
        SnmpPdu? pdu = model.DecodeResponse(answer);
        return pdu is null ? Task.FromException<SnmpPdu>(new SnmpTimeoutException("dropped")) : Task.FromResult(pdu);
    }

    public byte[] Answer(byte[] request)
    {
        UsmIncoming incoming = UsmMessage.Decode(request)!;
        UsmKeys keys = Keys;
        if (incoming.EngineId.Length == 0)
        {
            Discoveries++;
            SnmpPdu probe = UsmMessage.ReadScopedPdu(incoming, UsmKeys.None).Pdu;
            return Report(incoming, probe.RequestId, "4", authenticated: false);
        }

        bool authenticated = (incoming.Flags & UsmFlags.Auth) != 0;
        Assert.True(!authenticated || UsmMessage.VerifyDigest(request, incoming, keys), "the agent could not verify the request's digest");
        if (ReportCounter is not null)
        {
            return Report(incoming, 0, ReportCounter, authenticated: false);
        }

        // RFC 3414 section 3.2 step 7a: a different boots or a time more than 150 s off is outside the window.
        if (authenticated && (incoming.EngineBoots != Boots || Math.Abs(incoming.EngineTime - Time) > 150))
        {
            return Report(incoming, 0, "2", authenticated: true);
        }

        SnmpPdu pdu = UsmMessage.ReadScopedPdu(incoming, keys).Pdu;
        Received.Add(pdu);
        List<VarBind> values = [.. pdu.VarBinds.Select(v => new VarBind(v.Oid, SnmpValue.FromText("value of " + v.Oid)))];
        SnmpPdu response = new(SnmpPduType.Response, pdu.RequestId, 0, 0, values);
        return UsmMessage.Encode(
            incoming.MsgId, 65507, incoming.Flags & ~UsmFlags.Reportable, EngineId, Boots, Time, incoming.UserName, keys,
            Convert.FromHexString("0102030405060708"), EngineId, [], response);
    }

    private byte[] Report(UsmIncoming incoming, int requestId, string counter, bool authenticated)
    {
        SnmpPdu report = new(SnmpPduType.Report, requestId, 0, 0, [new VarBind(Oid.Parse(UsmStatsPrefix + counter + ".0"), SnmpValue.FromCounter32(1))]);
        return UsmMessage.Encode(
            incoming.MsgId, 65507, authenticated ? UsmFlags.Auth : UsmFlags.None, EngineId, Boots, Time,
            authenticated ? Encoding.UTF8.GetBytes(user.User) : incoming.UserName, authenticated ? Keys : UsmKeys.None, [], EngineId, [], report);
    }
}
