using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Listeners;

/// <summary>Receives syslog over UDP (RFC 5426): one datagram is one message.</summary>
public sealed class SyslogUdpListener : BackgroundService
{
    public const string Name = "syslog-udp";

    // Larger than any UDP payload (65,507 bytes over IPv4), so no datagram is ever truncated.
    private const int DatagramBufferBytes = 64 * 1024;

    private readonly SyslogUdpOptions _options;
    private readonly IngestPipeline _pipeline;
    private readonly ParserRegistry _registry;
    private readonly IngestMetrics _metrics;
    private readonly ILogger<SyslogUdpListener> _logger;
    private readonly TimeProvider _time;
    private Socket? _socket;
    private IPEndPoint? _boundEndpoint;

    public SyslogUdpListener(
        SyslogUdpOptions options, IngestPipeline pipeline, ParserRegistry registry, IngestMetrics metrics, ILogger<SyslogUdpListener> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _pipeline = pipeline;
        _registry = registry;
        _metrics = metrics;
        _logger = logger;
        _time = time;
    }

    /// <summary>True once the socket is bound.</summary>
    public bool IsListening => _boundEndpoint is not null;

    /// <summary>The endpoint actually bound (the real port when the configured port is 0).</summary>
    public IPEndPoint BoundEndpoint => _boundEndpoint ?? throw new InvalidOperationException($"the {Name} listener is not started");

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _options.Validate();
        var endpoint = _options.Endpoint;
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            if (_options.ReceiveBufferBytes > 0)
            {
                socket.ReceiveBufferSize = _options.ReceiveBufferBytes;
            }

            socket.Bind(endpoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _boundEndpoint = (IPEndPoint)socket.LocalEndPoint!;
        ListenerLog.UdpStarted(_logger, Name, _boundEndpoint, socket.ReceiveBufferSize);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _socket?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var socket = _socket!;
        var buffer = GC.AllocateUninitializedArray<byte>(DatagramBufferBytes);
        var message = new SyslogMessage(new StreamIngestor(_registry, _options.Format, Name, _metrics), _options.MaxMessageBytes);
        var capacity = 16;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, stoppingToken).ConfigureAwait(false);
                }
                catch (SocketException ex)
                {
                    // E.g. an ICMP error for an earlier datagram; the socket stays usable.
                    ListenerLog.ReceiveFailed(_logger, ex, Name);
                    continue;
                }

                var items = new List<IngestItem>(capacity);
                var receivedAt = _time.GetUtcNow();
                message.AddTrimmed(buffer.AsSpan(0, length), receivedAt, items);

                // Datagrams that are already queued join this batch without another await.
                var datagrams = 1;
                while (datagrams < _options.MaxBatchMessages && socket.Available > 0)
                {
                    try
                    {
                        length = socket.Receive(buffer, SocketFlags.None);
                    }
                    catch (SocketException ex)
                    {
                        ListenerLog.ReceiveFailed(_logger, ex, Name);
                        break;
                    }

                    message.AddTrimmed(buffer.AsSpan(0, length), receivedAt, items);
                    datagrams++;
                }

                if (items.Count > 0)
                {
                    capacity = Math.Max(16, items.Count);
                    await _pipeline.EnqueueAsync(items, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            socket.Dispose();
            ListenerLog.Stopped(_logger, Name, BoundEndpoint);
        }
    }
}
