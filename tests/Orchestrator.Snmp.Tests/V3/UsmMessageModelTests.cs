using Microsoft.Extensions.Time.Testing;
using Orchestrator.Snmp.Messages;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Snmp.Tests.V3;

public class UsmMessageModelTests
{
    private static readonly Oid SysName = Oid.Parse("1.3.6.1.2.1.1.5.0");
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private int nextRequestId = 100;

    public static TheoryData<SnmpAuthProtocol, SnmpPrivProtocol> Levels => new()
    {
        { SnmpAuthProtocol.None, SnmpPrivProtocol.None },
        { SnmpAuthProtocol.Md5, SnmpPrivProtocol.None },
        { SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Aes128 },
        { SnmpAuthProtocol.Sha224, SnmpPrivProtocol.Aes128 },
        { SnmpAuthProtocol.Sha256, SnmpPrivProtocol.Aes128 },
        { SnmpAuthProtocol.Sha384, SnmpPrivProtocol.Des },
        { SnmpAuthProtocol.Sha512, SnmpPrivProtocol.Aes128 },
        { SnmpAuthProtocol.Md5, SnmpPrivProtocol.Des },
    };

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task RequestAsync_EachSecurityLevel_DiscoversThenGetsTheAnswer(SnmpAuthProtocol auth, SnmpPrivProtocol priv)
    {
        SnmpUsmOptions user = User(auth, priv);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");

        SnmpPdu response = await Request(model, agent);

        Assert.Equal(SnmpPduType.Response, response.Type);
        Assert.Equal("value of 1.3.6.1.2.1.1.5.0", response.VarBinds[0].Value.AsText());
        Assert.Equal(SysName, Assert.Single(agent.Received).VarBinds[0].Oid);
        Assert.Equal(agent.EngineId, model.EngineId.ToArray());
        Assert.Equal(1, agent.Discoveries);
    }

    [Fact]
    public async Task RequestAsync_SecondRequest_DoesNotDiscoverAgain()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha256, SnmpPrivProtocol.Aes128);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");

        await Request(model, agent);
        clock.Advance(TimeSpan.FromMinutes(30));
        await Request(model, agent);

        Assert.Equal(1, agent.Discoveries);
        Assert.Equal(2, agent.Received.Count);
    }

    [Fact]
    public async Task RequestAsync_FiftyConcurrentOnAFreshModel_DiscoverOnce()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha256, SnmpPrivProtocol.Aes128);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");
        int requestId = 1000;

        SnmpPdu[] responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => model.RequestAsync(
            new SnmpPdu(SnmpPduType.GetRequest, 0, 0, 0, [VarBind.ForRead(SysName)]),
            async (encode, _) =>
            {
                // Every request reaches the "not discovered yet" point before any discovery completes.
                await Task.Yield();
                return await agent.ExchangeAsync(model, encode, Interlocked.Increment(ref requestId));
            },
            CancellationToken.None)));

        Assert.All(responses, r => Assert.Equal(SnmpPduType.Response, r.Type));
        Assert.Equal(1, agent.Discoveries);
        Assert.Equal(50, agent.Received.Count);
    }

    [Fact]
    public async Task RequestAsync_AgentRebooted_ResynchronisesFromTheAuthenticatedReportAndRetriesOnce()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Aes128);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");
        await Request(model, agent);

        agent.Boots++;
        agent.TimeAtStart = 3;
        SnmpPdu response = await Request(model, agent);

        Assert.Equal(SnmpPduType.Response, response.Type);
        Assert.Equal(2, agent.Received.Count);
        Assert.Equal(1, agent.Discoveries);
    }

    [Fact]
    public async Task RequestAsync_LocalClockRunsAhead_EstimatedTimeFollowsTheFakeClock()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha1, SnmpPrivProtocol.None);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");
        await Request(model, agent);

        // Two hours later the agent's time has moved on by the same amount; an estimate that did not move would be 7200 s off.
        clock.Advance(TimeSpan.FromHours(2));
        int discoveries = agent.Discoveries;
        byte[] request = model.Encode(new SnmpPdu(SnmpPduType.GetRequest, 5, 0, 0, [VarBind.ForRead(SysName)]));

        UsmIncoming incoming = UsmMessage.Decode(request)!;
        Assert.Equal(agent.Time, incoming.EngineTime);
        Assert.Equal(agent.Boots, incoming.EngineBoots);
        Assert.Equal(discoveries, agent.Discoveries);
    }

    [Theory]
    [InlineData("5", SnmpSecurityFailure.AuthenticationFailed, "wrong auth password or auth protocol")]
    [InlineData("3", SnmpSecurityFailure.UnknownUser, "does not know the SNMPv3 user 'ops'")]
    [InlineData("6", SnmpSecurityFailure.DecryptionFailed, "wrong privacy password or privacy protocol")]
    [InlineData("1", SnmpSecurityFailure.UnsupportedSecurityLevel, "authPriv")]
    public async Task RequestAsync_AgentReports_ThrowsTheReasonWithoutThePasswords(string counter, SnmpSecurityFailure reason, string text)
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha256, SnmpPrivProtocol.Aes128);
        FakeUsmAgent agent = new(user, clock) { ReportCounter = counter };
        using UsmMessageModel model = new(user, clock, "agent");

        SnmpSecurityException e = await Assert.ThrowsAsync<SnmpSecurityException>(() => Request(model, agent));

        Assert.Equal(reason, e.Reason);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.Contains("agent", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(user.AuthPassword!, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(user.PrivPassword!, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecodeResponse_TamperedByte_IsIgnored()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Aes128);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");
        await Request(model, agent);

        // Flip the last octet: inside the encrypted scoped PDU, which the digest covers.
        agent.Tamper = answer =>
        {
            byte[] copy = (byte[])answer.Clone();
            copy[^1] ^= 0x01;
            return copy;
        };

        await Assert.ThrowsAsync<SnmpTimeoutException>(() => Request(model, agent));
    }

    [Fact]
    public void VerifyDigest_TamperedOrWrongKey_Fails()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha512, SnmpPrivProtocol.None);
        FakeUsmAgent agent = new(user, clock);
        SnmpPdu pdu = new(SnmpPduType.Response, 9, 0, 0, [new VarBind(SysName, SnmpValue.FromText("switch-1"))]);
        byte[] message = UsmMessage.Encode(9, 65507, UsmFlags.Auth, agent.EngineId, 1, 2, "ops"u8, agent.Keys, [], agent.EngineId, [], pdu);
        UsmIncoming incoming = UsmMessage.Decode(message)!;
        Assert.True(UsmMessage.VerifyDigest(message, incoming, agent.Keys));

        byte[] tampered = (byte[])message.Clone();
        tampered[^1] ^= 0x20;
        Assert.False(UsmMessage.VerifyDigest(tampered, UsmMessage.Decode(tampered)!, agent.Keys));

        UsmKeys other = new(SnmpAuthProtocol.Sha512, UsmKeyCache.GetLocalizedKey(SnmpAuthProtocol.Sha512, "another-password", agent.EngineId), SnmpPrivProtocol.None, []);
        Assert.False(UsmMessage.VerifyDigest(message, incoming, other));
    }

    [Fact]
    public async Task DecodeResponse_OtherEngineId_IsIgnored()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.None, SnmpPrivProtocol.None);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");
        await Request(model, agent);

        SnmpPdu pdu = new(SnmpPduType.Response, 500, 0, 0, [new VarBind(SysName, SnmpValue.FromText("spoofed"))]);
        byte[] foreign = UsmMessage.Encode(500, 65507, UsmFlags.None, Convert.FromHexString("8000000001020304"), 1, 1, "ops"u8, UsmKeys.None, [], [], [], pdu);

        Assert.Null(model.DecodeResponse(foreign));
    }

    [Fact]
    public async Task DecodeResponse_RequestIdOtherThanMsgId_IsIgnored()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Md5, SnmpPrivProtocol.None);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");
        await Request(model, agent);

        SnmpPdu pdu = new(SnmpPduType.Response, 501, 0, 0, [new VarBind(SysName, SnmpValue.FromText("x"))]);
        byte[] good = UsmMessage.Encode(501, 65507, UsmFlags.Auth, agent.EngineId, agent.Boots, agent.Time, "ops"u8, agent.Keys, [], agent.EngineId, [], pdu);
        byte[] mismatched = UsmMessage.Encode(502, 65507, UsmFlags.Auth, agent.EngineId, agent.Boots, agent.Time, "ops"u8, agent.Keys, [], agent.EngineId, [], pdu);

        Assert.Equal(501, model.DecodeResponse(good)!.RequestId);
        Assert.Null(model.DecodeResponse(mismatched));
    }

    [Fact]
    public async Task DecodeResponse_LowerSecurityLevelThanRequested_IsIgnored()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Aes128);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");
        await Request(model, agent);

        // Authentic but not encrypted: RFC 3412 section 7.2 step 13 wants the request's security level back.
        SnmpPdu pdu = new(SnmpPduType.Response, 503, 0, 0, [new VarBind(SysName, SnmpValue.FromText("x"))]);
        byte[] plain = UsmMessage.Encode(503, 65507, UsmFlags.Auth, agent.EngineId, agent.Boots, agent.Time, "ops"u8, agent.Keys, [], agent.EngineId, [], pdu);

        Assert.Null(model.DecodeResponse(plain));
    }

    [Fact]
    public async Task Encode_AuthPrivSha256_HasTheRfc3412HeaderAndAnEncryptedScopedPdu()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha256, SnmpPrivProtocol.Aes128, contextName: "lab");
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");
        await Request(model, agent);

        byte[] request = model.Encode(new SnmpPdu(SnmpPduType.GetRequest, 42, 0, 0, [VarBind.ForRead(SysName)]));
        UsmIncoming incoming = UsmMessage.Decode(request)!;

        Assert.Equal(42, incoming.MsgId);
        Assert.Equal(UsmFlags.Auth | UsmFlags.Priv | UsmFlags.Reportable, incoming.Flags);
        Assert.Equal("ops"u8.ToArray(), incoming.UserName);
        Assert.Equal(24, incoming.AuthParameters.Length);
        Assert.Equal(8, incoming.PrivParameters.Length);
        Assert.DoesNotContain("lab"u8.ToArray(), Windows(request, 3));
        (byte[] contextEngineId, byte[] contextName, SnmpPdu pdu) = UsmMessage.ReadScopedPdu(incoming, agent.Keys);
        Assert.Equal(agent.EngineId, contextEngineId);
        Assert.Equal("lab"u8.ToArray(), contextName);
        Assert.Equal(42, pdu.RequestId);
    }

    [Fact]
    public async Task Encode_TwoRequests_UseDifferentSalts()
    {
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Des);
        FakeUsmAgent agent = new(user, clock);
        using UsmMessageModel model = new(user, clock, "agent");
        await Request(model, agent);

        SnmpPdu pdu = new(SnmpPduType.GetRequest, 1, 0, 0, [VarBind.ForRead(SysName)]);
        UsmIncoming first = UsmMessage.Decode(model.Encode(pdu))!;
        UsmIncoming second = UsmMessage.Decode(model.Encode(pdu))!;

        Assert.NotEqual(first.PrivParameters, second.PrivParameters);

        // DES salt = engineBoots ‖ counter (RFC 3414 section 8.1.1.1).
        Assert.Equal(new byte[] { 0, 0, 0, 7 }, first.PrivParameters[..4]);
    }

    [Fact]
    public void Encode_LongMessage_PutsTheDigestWhereTheAgentChecksIt()
    {
        // A message over 255 octets needs a three-octet outer length; the digest must still land on the zeros.
        SnmpUsmOptions user = User(SnmpAuthProtocol.Sha512, SnmpPrivProtocol.Aes128);
        FakeUsmAgent agent = new(user, clock);
        List<VarBind> many = [.. Enumerable.Range(1, 40).Select(i => VarBind.ForRead(Oid.Parse($"1.3.6.1.2.1.2.2.1.2.{i}")))];
        SnmpPdu pdu = new(SnmpPduType.GetRequest, 77, 0, 0, many);
        byte[] message = UsmMessage.Encode(77, 65507, UsmFlags.Auth | UsmFlags.Priv, agent.EngineId, 1, 2, new byte[32], agent.Keys, new byte[8], agent.EngineId, [], pdu);

        Assert.True(message.Length > 256);
        UsmIncoming incoming = UsmMessage.Decode(message)!;
        Assert.True(UsmMessage.VerifyDigest(message, incoming, agent.Keys));
        Assert.Equal(40, UsmMessage.ReadScopedPdu(incoming, agent.Keys).Pdu.VarBinds.Count);
    }

    private static IEnumerable<byte[]> Windows(byte[] bytes, int size) =>
        Enumerable.Range(0, bytes.Length - size + 1).Select(i => bytes[i..(i + size)]);

    private static SnmpUsmOptions User(SnmpAuthProtocol auth, SnmpPrivProtocol priv, string contextName = "") => new()
    {
        User = "ops",
        AuthProtocol = auth,
        AuthPassword = auth == SnmpAuthProtocol.None ? null : "auth-secret-1",
        PrivProtocol = priv,
        PrivPassword = priv == SnmpPrivProtocol.None ? null : "priv-secret-2",
        ContextName = contextName,
    };

    private Task<SnmpPdu> Request(UsmMessageModel model, FakeUsmAgent agent) =>
        model.RequestAsync(
            new SnmpPdu(SnmpPduType.GetRequest, 0, 0, 0, [VarBind.ForRead(SysName)]),
            (encode, _) => agent.ExchangeAsync(model, encode, nextRequestId++),
            CancellationToken.None);
}
