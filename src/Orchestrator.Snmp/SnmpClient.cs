using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Orchestrator.Snmp.Messages;

namespace Orchestrator.Snmp;

/// <summary>
/// An SNMP v1/v2c/v3 client for one agent over one UDP socket. Many requests may be in flight at once: a receive loop
/// hands each response to the request with the same request-id, and ignores datagrams from other endpoints,
/// malformed ones, late and duplicate ones. noSuchObject, noSuchInstance, endOfMibView and error-status are thrown as
/// <see cref="SnmpException"/>s, never returned as values.
/// </summary>
public sealed class SnmpClient : IAsyncDisposable
{
    private const int MaxDatagram = 65535;

    private readonly SnmpClientOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ISnmpMessageModel model;
    private readonly Socket socket;
    private readonly SocketAddress agentAddress;
    private readonly string agentName;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<SnmpPdu>> pending = new();
    private readonly CancellationTokenSource shutdown = new();
    private readonly Task receiveLoop;

    public SnmpClient(SnmpClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        agentAddress = options.Endpoint.Serialize();
        agentName = options.Endpoint.ToString();
        model = CreateModel(options, this.timeProvider, agentName);
        socket = new Socket(options.Endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(options.Endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The agent's values for <paramref name="oids"/>, in order.</summary>
    public async Task<IReadOnlyList<VarBind>> GetAsync(IReadOnlyList<Oid> oids, CancellationToken cancellationToken = default)
    {
        List<VarBind> request = ForRead(oids);
        SnmpPdu response = await RequestAsync(SnmpPduType.GetRequest, 0, 0, request, cancellationToken).ConfigureAwait(false);
        ThrowIfError(response, request);
        ExpectCount(response, request.Count);
        ThrowIfException(response.VarBinds);
        return response.VarBinds;
    }

    public async Task<VarBind> GetAsync(Oid oid, CancellationToken cancellationToken = default) =>
        (await GetAsync([oid], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>The objects that follow <paramref name="oids"/>, one each; endOfMibView is thrown as <see cref="SnmpNoSuchException"/>.</summary>
    public async Task<IReadOnlyList<VarBind>> GetNextAsync(IReadOnlyList<Oid> oids, CancellationToken cancellationToken = default)
    {
        List<VarBind> request = ForRead(oids);
        SnmpPdu response = await RequestAsync(SnmpPduType.GetNextRequest, 0, 0, request, cancellationToken).ConfigureAwait(false);
        ThrowIfError(response, request);
        ExpectCount(response, request.Count);
        ThrowIfException(response.VarBinds);
        return response.VarBinds;
    }

    public async Task<VarBind> GetNextAsync(Oid oid, CancellationToken cancellationToken = default) =>
        (await GetNextAsync([oid], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// A GETBULK (SNMPv2c only): the objects after the first <paramref name="nonRepeaters"/> OIDs once each, then up to
    /// <paramref name="maxRepetitions"/> rows after the rest. Bindings the agent marks endOfMibView are left out.
    /// </summary>
    public async Task<IReadOnlyList<VarBind>> GetBulkAsync(
        IReadOnlyList<Oid> oids, int nonRepeaters, int maxRepetitions, CancellationToken cancellationToken = default)
    {
        SnmpPdu response = await BulkAsync(oids, nonRepeaters, maxRepetitions, cancellationToken).ConfigureAwait(false);
        List<VarBind> values = new(response.VarBinds.Count);
        foreach (VarBind varBind in response.VarBinds)
        {
            if (varBind.Value.Kind == SnmpValueKind.EndOfMibView)
            {
                continue;
            }

            ThrowIfException([varBind]);
            values.Add(varBind);
        }

        return values;
    }

    /// <summary>Sets the bindings' values; returns the agent's response bindings.</summary>
    public async Task<IReadOnlyList<VarBind>> SetAsync(IReadOnlyList<VarBind> varBinds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(varBinds);
        SnmpPdu response = await RequestAsync(SnmpPduType.SetRequest, 0, 0, varBinds, cancellationToken).ConfigureAwait(false);
        ThrowIfError(response, varBinds);
        ExpectCount(response, varBinds.Count);
        ThrowIfException(response.VarBinds);
        return response.VarBinds;
    }

    public async Task<VarBind> SetAsync(Oid oid, SnmpValue value, CancellationToken cancellationToken = default) =>
        (await SetAsync([new VarBind(oid, value)], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Every object under <paramref name="root"/>, by GETNEXT, in order. Ends at the end of the subtree or of the MIB
    /// view; throws <see cref="SnmpException"/> when the agent returns an OID that does not increase (a loop).
    /// </summary>
    public async IAsyncEnumerable<VarBind> WalkAsync(Oid root, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        Oid current = root;
        while (true)
        {
            List<VarBind> request = [VarBind.ForRead(current)];
            SnmpPdu response = await RequestAsync(SnmpPduType.GetNextRequest, 0, 0, request, cancellationToken).ConfigureAwait(false);

            // SNMPv1 has no endOfMibView: the agent says noSuchName when nothing follows (RFC 1157 section 4.1.3).
            if (options.Version == SnmpVersion.V1 && response.ErrorStatus == (int)SnmpErrorStatus.NoSuchName)
            {
                yield break;
            }

            ThrowIfError(response, request);
            ExpectCount(response, 1);
            VarBind next = response.VarBinds[0];
            if (EndsWalk(root, current, next))
            {
                yield break;
            }

            yield return next;
            current = next.Oid;
        }
    }

    // Whether next ends a walk under root (end of the MIB, or past the subtree); throws when the agent goes
    // backwards or answers an exception value inside the subtree.
    private bool EndsWalk(Oid root, Oid current, VarBind next)
    {
        if (next.Value.Kind == SnmpValueKind.EndOfMibView)
        {
            return true;
        }

        ThrowIfNotIncreasing(current, next.Oid);
        if (!next.Oid.IsDescendantOf(root))
        {
            return true;
        }

        ThrowIfException([next]);
        return false;
    }

    /// <summary>
    /// Every object under <paramref name="root"/>, by GETBULK with <paramref name="maxRepetitions"/> (or the options'
    /// default) per request; with SNMPv1, which has no GETBULK, a GETNEXT walk. Same end and loop rules as <see cref="WalkAsync"/>.
    /// </summary>
    public async IAsyncEnumerable<VarBind> BulkWalkAsync(
        Oid root, int? maxRepetitions = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (options.Version == SnmpVersion.V1)
        {
            await foreach (VarBind varBind in WalkAsync(root, cancellationToken).ConfigureAwait(false))
            {
                yield return varBind;
            }

            yield break;
        }

        int repetitions = maxRepetitions ?? options.MaxRepetitions;
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1, nameof(maxRepetitions));
        Oid current = root;
        while (true)
        {
            SnmpPdu response = await BulkAsync([current], 0, repetitions, cancellationToken).ConfigureAwait(false);
            if (response.VarBinds.Count == 0)
            {
                yield break;
            }

            foreach (VarBind next in response.VarBinds)
            {
                if (EndsWalk(root, current, next))
                {
                    yield break;
                }

                yield return next;
                current = next.Oid;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (shutdown.IsCancellationRequested)
        {
            return;
        }

        await shutdown.CancelAsync().ConfigureAwait(false);
        socket.Dispose();
        try
        {
            await receiveLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation; nothing to report.
        }

        foreach (KeyValuePair<int, TaskCompletionSource<SnmpPdu>> entry in pending)
        {
            entry.Value.TrySetException(new ObjectDisposedException(nameof(SnmpClient)));
        }

        shutdown.Dispose();
        (model as IDisposable)?.Dispose();
    }

    /// <summary>The version switch: SNMPv3/USM adds its model here.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Performance", "CA1859", Justification = "The interface is the seam for the SNMPv3 message model; one virtual call per datagram is nothing.")]
    private static ISnmpMessageModel CreateModel(SnmpClientOptions options, TimeProvider timeProvider, string agentName) => options.Version switch
    {
        SnmpVersion.V1 or SnmpVersion.V2c => new CommunityMessageModel(options.Version, options.Community!),
        SnmpVersion.V3 => new UsmMessageModel(options.Usm!, timeProvider, agentName),
        _ => throw new ArgumentException($"SNMP version {options.Version} is not supported yet.", nameof(options)),
    };

    private static List<VarBind> ForRead(IReadOnlyList<Oid> oids)
    {
        ArgumentNullException.ThrowIfNull(oids);
        if (oids.Count == 0)
        {
            throw new ArgumentException("at least one OID is needed.", nameof(oids));
        }

        List<VarBind> request = new(oids.Count);
        foreach (Oid oid in oids)
        {
            request.Add(VarBind.ForRead(oid));
        }

        return request;
    }

    private async Task<SnmpPdu> BulkAsync(IReadOnlyList<Oid> oids, int nonRepeaters, int maxRepetitions, CancellationToken cancellationToken)
    {
        if (options.Version == SnmpVersion.V1)
        {
            throw new NotSupportedException("GETBULK is SNMPv2c and later; SNMPv1 agents only answer GET, GETNEXT and SET.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(nonRepeaters);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRepetitions);
        List<VarBind> request = ForRead(oids);
        SnmpPdu response = await RequestAsync(SnmpPduType.GetBulkRequest, nonRepeaters, maxRepetitions, request, cancellationToken)
            .ConfigureAwait(false);
        ThrowIfError(response, request);
        return response;
    }

    private Task<SnmpPdu> RequestAsync(
        SnmpPduType type, int errorStatusOrNonRepeaters, int errorIndexOrMaxRepetitions, IReadOnlyList<VarBind> varBinds, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(shutdown.IsCancellationRequested, this);
        SnmpPdu pdu = new(type, 0, errorStatusOrNonRepeaters, errorIndexOrMaxRepetitions, varBinds);

        // SNMPv3 discovers the engine and maps reports around one or more exchanges.
        return model is UsmMessageModel usm
            ? usm.RequestAsync(pdu, ExchangeAsync, cancellationToken)
            : ExchangeAsync(requestId => model.Encode(pdu with { RequestId = requestId }), cancellationToken);
    }

    /// <summary>Sends the datagram <paramref name="encode"/> makes for a fresh request-id, with retries, and waits for its answer.</summary>
    private async Task<SnmpPdu> ExchangeAsync(Func<int, byte[]> encode, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(shutdown.IsCancellationRequested, this);
        TaskCompletionSource<SnmpPdu> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int requestId = Register(answer);
        try
        {
            byte[] datagram = encode(requestId);
            int attempts = options.Retries + 1;
            for (int attempt = 1; attempt <= attempts; attempt++)
            {
                // A retransmission keeps the request-id, so a late answer to an earlier attempt still completes the request.
                // The EndPoint overload, not the SocketAddress one: in .NET 10 the latter clears the shared send
                // SocketAsyncEventArgs' address after handing it back, so concurrent sends can fail with a
                // NullReferenceException (seen here with 64 GETs in flight).
                await socket.SendToAsync(datagram, SocketFlags.None, options.Endpoint, cancellationToken).ConfigureAwait(false);
                try
                {
                    return await answer.Task.WaitAsync(options.Timeout, timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Try again, or give up below.
                }
            }

            throw new SnmpTimeoutException(options.Endpoint, attempts, options.Timeout);
        }
        finally
        {
            pending.TryRemove(requestId, out _);
        }
    }

    private int Register(TaskCompletionSource<SnmpPdu> answer)
    {
        // Unpredictable request-ids make a spoofed response harder to match (RFC 3414 section 1.5 for the same reason in v3).
        while (true)
        {
            int requestId = RandomNumberGenerator.GetInt32(1, int.MaxValue);
            if (pending.TryAdd(requestId, answer))
            {
                return requestId;
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram);
        SocketAddress from = new(agentAddress.Family, agentAddress.Size);
        CancellationToken stop = shutdown.Token;
        while (!stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error for an earlier datagram (e.g. port unreachable); the waiting request times out on its own.
                continue;
            }

            if (!from.Equals(agentAddress))
            {
                continue;
            }

            SnmpPdu? response;
            try
            {
                response = model.DecodeResponse(buffer.AsSpan(0, received));
            }
            catch (SnmpDecodeException)
            {
                continue;
            }

            if (response is not null && pending.TryRemove(response.RequestId, out TaskCompletionSource<SnmpPdu>? answer))
            {
                answer.TrySetResult(response);
            }
        }
    }

    private void ThrowIfError(SnmpPdu response, IReadOnlyList<VarBind> request)
    {
        if (response.ErrorStatus == 0)
        {
            return;
        }

        int index = response.ErrorIndex;
        Oid? oid = index >= 1 && index <= request.Count ? request[index - 1].Oid : null;
        throw new SnmpErrorException(agentName, (SnmpErrorStatus)response.ErrorStatus, index, oid);
    }

    private void ExpectCount(SnmpPdu response, int expected)
    {
        if (response.VarBinds.Count != expected)
        {
            throw new SnmpException($"SNMP agent {agentName} answered {response.VarBinds.Count} binding(s) to a request for {expected}");
        }
    }

    private void ThrowIfException(IReadOnlyList<VarBind> varBinds)
    {
        foreach (VarBind varBind in varBinds)
        {
            if (varBind.Value.IsException)
            {
                throw new SnmpNoSuchException(agentName, varBind.Oid, varBind.Value.Kind);
            }
        }
    }

    private void ThrowIfNotIncreasing(Oid previous, Oid next)
    {
        if (next <= previous)
        {
            throw new SnmpException(
                $"SNMP agent {agentName} returned {next} after {previous}: a walk needs increasing OIDs, so it stops here instead of looping");
        }
    }
}
