using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Orchestrator.Snmp.Messages;

namespace Orchestrator.Snmp.Tests.Client;

/// <summary>
/// A tiny UDP responder on loopback for the misbehaviour snmpd cannot be made to show: late, duplicate and foreign
/// responses, wrong request-ids, chosen error-status, walk loops. Each request goes to the test's handler.
/// </summary>
internal sealed class StandInAgent : IAsyncDisposable
{
    public const string Community = "stand-in";

    private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket otherPort = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Func<Request, IEnumerable<Reply>> handler;
    private readonly Channel<Request> received = Channel.CreateUnbounded<Request>();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public StandInAgent(Func<Request, IEnumerable<Reply>> handler)
    {
        this.handler = handler;
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        otherPort.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        loop = Task.Run(RunAsync);
    }

    public IPEndPoint Endpoint => (IPEndPoint)socket.LocalEndPoint!;

    public SnmpClient CreateClient(TimeSpan? timeout = null, int retries = 0, TimeProvider? time = null) => new(
        new SnmpClientOptions
        {
            Endpoint = Endpoint,
            Community = Community,
            Timeout = timeout ?? TimeSpan.FromSeconds(5),
            Retries = retries,
        },
        time);

    /// <summary>The next request the agent received (already handled).</summary>
    public async Task<Request> NextRequestAsync() => await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public static Reply Answer(CommunityMessage request, IReadOnlyList<VarBind> varBinds, int errorStatus = 0, int errorIndex = 0, int? requestId = null, string community = Community) =>
        new(new CommunityMessage(
            request.Version,
            Encoding.UTF8.GetBytes(community),
            new SnmpPdu(SnmpPduType.Response, requestId ?? request.Pdu.RequestId, errorStatus, errorIndex, varBinds)).Encode());

    public static Reply Text(CommunityMessage request, string text, int? requestId = null) =>
        Answer(request, [new VarBind(request.Pdu.VarBinds[0].Oid, SnmpValue.FromText(text))], requestId: requestId);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        socket.Dispose();
        otherPort.Dispose();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    private async Task RunAsync()
    {
        byte[] buffer = new byte[65535];
        int index = 0;
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Request request = new(CommunityMessage.Decode(buffer.AsSpan(0, result.ReceivedBytes)), index++);
            foreach (Reply reply in handler(request))
            {
                Socket from = reply.FromOtherPort ? otherPort : socket;
                await from.SendToAsync(reply.Datagram, SocketFlags.None, result.RemoteEndPoint);
            }

            received.Writer.TryWrite(request);
        }
    }

    /// <summary>A request as received, and its position among all requests (0 for the first).</summary>
    public sealed record Request(CommunityMessage Message, int Index);

    /// <summary>One datagram to send back, from the agent's port or from another one.</summary>
    public sealed record Reply(byte[] Datagram, bool FromOtherPort = false)
    {
        public Reply FromAnotherPort() => this with { FromOtherPort = true };
    }
}
