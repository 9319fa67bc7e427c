using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Snmp.Messages;

/// <summary>
/// The SNMPv3 message model with USM (RFC 3412, RFC 3414). It discovers the agent's engine id, boots and time before
/// the first request (RFC 3414 section 4), estimates the agent's engineTime from a local clock, and maps Report PDUs
/// to <see cref="SnmpSecurityException"/>s; after a notInTimeWindow or unknownEngineID report it resynchronises once and
/// retries. Responses whose digest, engine, user, security level or msgID do not match are ignored like noise.
/// </summary>
internal sealed class UsmMessageModel : ISnmpMessageModel, IDisposable
{
    /// <summary>The largest UDP payload over IPv4: what msgMaxSize offers the agent.</summary>
    public const int MaxMessageSize = 65507;

    private static readonly Oid UsmStats = Oid.Parse("1.3.6.1.6.3.15.1.1");
    private static readonly Oid SnmpUnknownContexts = Oid.Parse("1.3.6.1.6.3.12.1.5.0");

    private readonly SnmpUsmOptions options;
    private readonly TimeProvider timeProvider;
    private readonly string agentName;
    private readonly byte[] userName;
    private readonly byte[] contextName;
    private readonly byte[]? contextEngineId;
    private readonly UsmFlags level;
    private readonly SemaphoreSlim discovery = new(1, 1);
    private readonly ConcurrentDictionary<int, UsmIncoming?> discoveries = new();
    private volatile EngineState? engine;
    private long saltCounter = BinaryPrimitives.ReadInt64BigEndian(RandomNumberGenerator.GetBytes(8));

    public UsmMessageModel(SnmpUsmOptions options, TimeProvider timeProvider, string agentName)
    {
        this.options = options;
        this.timeProvider = timeProvider;
        this.agentName = agentName;
        userName = Encoding.UTF8.GetBytes(options.User);
        contextName = Encoding.UTF8.GetBytes(options.ContextName);
        contextEngineId = string.IsNullOrEmpty(options.ContextEngineId) ? null : Convert.FromHexString(options.ContextEngineId);
        level = (options.AuthProtocol != SnmpAuthProtocol.None ? UsmFlags.Auth : UsmFlags.None)
            | (options.PrivProtocol != SnmpPrivProtocol.None ? UsmFlags.Priv : UsmFlags.None);
    }

    /// <summary>The agent's engine id once discovered.</summary>
    public ReadOnlyMemory<byte> EngineId => engine?.EngineId ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>
    /// Sends <paramref name="pdu"/> through <paramref name="exchange"/> (the client's send, retry and wait, given an
    /// encoder of a request-id) and returns the Response PDU; discovers first when needed and turns reports into exceptions.
    /// </summary>
    public async Task<SnmpPdu> RequestAsync(
        SnmpPdu pdu, Func<Func<int, byte[]>, CancellationToken, Task<SnmpPdu>> exchange, CancellationToken cancellationToken)
    {
        EngineState current = engine ?? await DiscoverAsync(null, exchange, cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            EngineState used = current;
            SnmpPdu response = await exchange(id => EncodeRequest(pdu with { RequestId = id }, used), cancellationToken).ConfigureAwait(false);
            if (response.Type != SnmpPduType.Report)
            {
                return response;
            }

            (SnmpSecurityFailure reason, Oid? counter) = Classify(response);
            if (attempt == 1 && reason == SnmpSecurityFailure.NotInTimeWindow)
            {
                // An authenticated report has already moved the clock (ObserveTime); otherwise ask the agent again.
                current = engine is { } updated && !ReferenceEquals(updated, used) ? updated : await DiscoverAsync(used, exchange, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (attempt == 1 && reason == SnmpSecurityFailure.UnknownEngineId)
            {
                current = await DiscoverAsync(used, exchange, cancellationToken).ConfigureAwait(false);
                continue;
            }

            throw Failure(reason, counter);
        }
    }

    public void Dispose() => discovery.Dispose();

    /// <summary>Encodes with the current engine state; <see cref="RequestAsync"/> is the path that discovers first.</summary>
    public byte[] Encode(SnmpPdu pdu) =>
        EncodeRequest(pdu, engine ?? throw new InvalidOperationException("the SNMPv3 engine is not discovered yet."));

    public SnmpPdu? DecodeResponse(ReadOnlySpan<byte> datagram)
    {
        UsmIncoming? incoming = UsmMessage.Decode(datagram);
        if (incoming is null)
        {
            return null;
        }

        if (discoveries.ContainsKey(incoming.MsgId))
        {
            // The discovery report is unauthenticated by design (RFC 3414 section 4); it only yields engine id, boots, time.
            (_, _, SnmpPdu report) = UsmMessage.ReadScopedPdu(incoming, UsmKeys.None);
            if (report.Type != SnmpPduType.Report || incoming.EngineId.Length == 0)
            {
                return null;
            }

            discoveries[incoming.MsgId] = incoming;
            return report with { RequestId = incoming.MsgId };
        }

        EngineState? current = engine;
        if (current is null || !incoming.EngineId.AsSpan().SequenceEqual(current.EngineId))
        {
            return null;
        }

        bool authenticated = (incoming.Flags & UsmFlags.Auth) != 0;
        if (authenticated)
        {
            if (!UsmMessage.VerifyDigest(datagram, incoming, current.Keys))
            {
                return null;
            }

            ObserveTime(current, incoming);
        }

        SnmpPdu pdu;
        try
        {
            pdu = UsmMessage.ReadScopedPdu(incoming, current.Keys).Pdu;
        }
        catch (SnmpDecodeException) when ((incoming.Flags & UsmFlags.Priv) != 0)
        {
            return null;
        }

        if (pdu.Type == SnmpPduType.Report)
        {
            // Reports come at a lower level (wrongDigest and unknownUser ones unauthenticated); they only fail a request.
            return pdu with { RequestId = incoming.MsgId };
        }

        bool sameLevel = (incoming.Flags & (UsmFlags.Auth | UsmFlags.Priv)) == level;
        if (pdu.Type != SnmpPduType.Response || !sameLevel || pdu.RequestId != incoming.MsgId || !incoming.UserName.AsSpan().SequenceEqual(userName))
        {
            return null;
        }

        return pdu;
    }

    private byte[] EncodeRequest(SnmpPdu pdu, EngineState state)
    {
        (int boots, int time) = state.Estimate(timeProvider);
        Span<byte> salt = stackalloc byte[8];
        long counter = Interlocked.Increment(ref saltCounter);
        if (options.PrivProtocol == SnmpPrivProtocol.Des)
        {
            // RFC 3414 section 8.1.1.1: salt = engineBoots ‖ a local 32-bit counter.
            BinaryPrimitives.WriteInt32BigEndian(salt, boots);
            BinaryPrimitives.WriteInt32BigEndian(salt[4..], (int)counter);
        }
        else
        {
            // RFC 3826 section 3.1.2.1: a 64-bit local integer, never reused with the same key.
            BinaryPrimitives.WriteInt64BigEndian(salt, counter);
        }

        return UsmMessage.Encode(
            pdu.RequestId, MaxMessageSize, level | UsmFlags.Reportable, state.EngineId, boots, time, userName, state.Keys, salt,
            contextEngineId ?? state.EngineId, contextName, pdu);
    }

    private async Task<EngineState> DiscoverAsync(
        EngineState? stale, Func<Func<int, byte[]>, CancellationToken, Task<SnmpPdu>> exchange, CancellationToken cancellationToken)
    {
        await discovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request discovered while this one waited: use its result.
            if (engine is { } known && !ReferenceEquals(known, stale))
            {
                return known;
            }

            int msgId = 0;
            try
            {
                SnmpPdu report = await exchange(
                    id =>
                    {
                        msgId = id;
                        discoveries[id] = null;
                        SnmpPdu probe = new(SnmpPduType.GetRequest, id, 0, 0, []);
                        return UsmMessage.Encode(id, MaxMessageSize, UsmFlags.Reportable, [], 0, 0, [], UsmKeys.None, [], [], [], probe);
                    },
                    cancellationToken).ConfigureAwait(false);
                if (!discoveries.TryGetValue(msgId, out UsmIncoming? incoming) || incoming is null || report.Type != SnmpPduType.Report)
                {
                    throw new SnmpException($"SNMP agent {agentName} did not answer the SNMPv3 engine discovery with a Report");
                }

                EngineState discovered = new(incoming.EngineId, incoming.EngineBoots, incoming.EngineTime, timeProvider.GetTimestamp(), Localize(incoming.EngineId));
                engine = discovered;
                return discovered;
            }
            finally
            {
                discoveries.TryRemove(msgId, out _);
            }
        }
        finally
        {
            discovery.Release();
        }
    }

    private UsmKeys Localize(byte[] engineId)
    {
        if (options.AuthProtocol == SnmpAuthProtocol.None)
        {
            return UsmKeys.None;
        }

        byte[] authKey = UsmKeyCache.GetLocalizedKey(options.AuthProtocol, options.AuthPassword!, engineId);

        // The privacy key is derived with the authentication protocol's hash (RFC 3414 section 2.6, RFC 3826 section 1.2).
        byte[] privKey = options.PrivProtocol == SnmpPrivProtocol.None
            ? []
            : UsmKeyCache.GetLocalizedKey(options.AuthProtocol, options.PrivPassword!, engineId);
        return new UsmKeys(options.AuthProtocol, authKey, options.PrivProtocol, privKey);
    }

    /// <summary>
    /// RFC 3414 section 3.2 step 7b: an authentic message with a later boots, or the same boots and a later time than
    /// the latest one received (not than the local estimate, which may run fast), becomes the new reference.
    /// </summary>
    private void ObserveTime(EngineState current, UsmIncoming incoming)
    {
        if (incoming.EngineBoots > current.Boots || (incoming.EngineBoots == current.Boots && incoming.EngineTime > current.Time))
        {
            engine = current with { Boots = incoming.EngineBoots, Time = incoming.EngineTime, Timestamp = timeProvider.GetTimestamp() };
        }
    }

    private static (SnmpSecurityFailure Reason, Oid? Counter) Classify(SnmpPdu report)
    {
        Oid? counter = report.VarBinds.Count > 0 ? report.VarBinds[0].Oid : null;
        if (counter is null)
        {
            return (SnmpSecurityFailure.Other, null);
        }

        if (counter == SnmpUnknownContexts)
        {
            return (SnmpSecurityFailure.UnknownContext, counter);
        }

        if (counter.IsDescendantOf(UsmStats) && counter.Arcs.Length == UsmStats.Arcs.Length + 2)
        {
            return (counter.Arcs.Span[UsmStats.Arcs.Length] switch
            {
                1 => SnmpSecurityFailure.UnsupportedSecurityLevel,
                2 => SnmpSecurityFailure.NotInTimeWindow,
                3 => SnmpSecurityFailure.UnknownUser,
                4 => SnmpSecurityFailure.UnknownEngineId,
                5 => SnmpSecurityFailure.AuthenticationFailed,
                6 => SnmpSecurityFailure.DecryptionFailed,
                _ => SnmpSecurityFailure.Other,
            }, counter);
        }

        return (SnmpSecurityFailure.Other, counter);
    }

    private SnmpSecurityException Failure(SnmpSecurityFailure reason, Oid? counter)
    {
        string user = options.User;
        string message = reason switch
        {
            SnmpSecurityFailure.UnknownUser =>
                $"SNMP agent {agentName} does not know the SNMPv3 user '{user}' (usmStatsUnknownUserNames); check the user name and the agent's USM user table",
            SnmpSecurityFailure.AuthenticationFailed =>
                $"SNMP agent {agentName} rejected the authentication of SNMPv3 user '{user}' (usmStatsWrongDigests): wrong auth password or auth protocol (configured: {options.AuthProtocol})",
            SnmpSecurityFailure.DecryptionFailed =>
                $"SNMP agent {agentName} could not decrypt the request of SNMPv3 user '{user}' (usmStatsDecryptionErrors): wrong privacy password or privacy protocol (configured: {options.PrivProtocol})",
            SnmpSecurityFailure.UnsupportedSecurityLevel =>
                $"SNMP agent {agentName} does not allow SNMPv3 user '{user}' at security level {LevelName} (usmStatsUnsupportedSecLevels); match the auth and privacy protocols to the agent's user",
            SnmpSecurityFailure.NotInTimeWindow =>
                $"SNMP agent {agentName} still found the request outside its time window after resynchronising (usmStatsNotInTimeWindows); the agent's engine boots or time may be jumping",
            SnmpSecurityFailure.UnknownEngineId =>
                $"SNMP agent {agentName} did not accept its own discovered engine id (usmStatsUnknownEngineIDs) even after rediscovery",
            SnmpSecurityFailure.UnknownContext =>
                $"SNMP agent {agentName} does not know the context name '{options.ContextName}' (snmpUnknownContexts)",
            _ => string.Create(CultureInfo.InvariantCulture, $"SNMP agent {agentName} refused the SNMPv3 request with a Report for {counter?.ToString() ?? "no counter"}"),
        };
        return new SnmpSecurityException(reason, message);
    }

    private string LevelName => level switch
    {
        UsmFlags.None => "noAuthNoPriv",
        UsmFlags.Auth => "authNoPriv",
        _ => "authPriv",
    };

    /// <summary>What the agent told us about itself, and the local timestamp when it did.</summary>
    private sealed record EngineState(byte[] EngineId, int Boots, int Time, long Timestamp, UsmKeys Keys)
    {
        /// <summary>The agent's boots and its time now, counted on from the last observation by the local clock.</summary>
        public (int Boots, int Time) Estimate(TimeProvider clock)
        {
            double elapsed = clock.GetElapsedTime(Timestamp).TotalSeconds;
            long time = Time + (long)Math.Max(0, elapsed);
            return (Boots, (int)Math.Min(time, int.MaxValue));
        }
    }
}
