using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Listeners;

/// <summary>
/// The accept loop and per-connection reading shared by the TCP and TLS syslog listeners. Each
/// connection runs on its own task with its own ingestor and framing, and hands its messages to
/// the pipeline once per read, so a slow or stuck sender holds up nobody else.
/// </summary>
public abstract class SyslogStreamListener : BackgroundService
{
    private const int ReadBufferBytes = 256 * 1024;
    private const int MaxItemsCapacity = 16 * 1024;

    private readonly SyslogTcpOptions _options;
    private readonly IngestPipeline _pipeline;
    private readonly ParserRegistry _registry;
    private readonly IngestMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, Task> _connectionTasks = new();
    private Socket? _socket;
    private IPEndPoint? _boundEndpoint;
    private int _connections;
    private long _nextConnectionId;

    protected SyslogStreamListener(
        string listenerName, SyslogTcpOptions options, IngestPipeline pipeline, ParserRegistry registry, IngestMetrics metrics, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        ListenerName = listenerName;
        _options = options;
        _pipeline = pipeline;
        _registry = registry;
        _metrics = metrics;
        _logger = logger;
        _time = time;
    }

    /// <summary>The name recorded on events, dead letters and metrics (syslog-tcp, syslog-tls).</summary>
    public string ListenerName { get; }

    /// <summary>True once the socket is bound; false before start or when the listener is not configured.</summary>
    public bool IsListening => _boundEndpoint is not null;

    /// <summary>The endpoint actually bound (the real port when the configured port is 0).</summary>
    public IPEndPoint BoundEndpoint => _boundEndpoint ?? throw new InvalidOperationException($"the {ListenerName} listener is not started");

    /// <summary>Connections currently open.</summary>
    public int ActiveConnections => Volatile.Read(ref _connections);

    protected ILogger Logger => _logger;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!ShouldStart())
        {
            return Task.CompletedTask;
        }

        _options.Validate();
        Prepare();
        var endpoint = _options.Endpoint;
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _boundEndpoint = (IPEndPoint)socket.LocalEndPoint!;
        ListenerLog.Started(_logger, ListenerName, _boundEndpoint);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _socket?.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>False to leave the listener off (TLS without a certificate).</summary>
    protected virtual bool ShouldStart() => true;

    /// <summary>Loads what the listener needs before it binds (the TLS certificate); throws on bad configuration.</summary>
    protected virtual void Prepare()
    {
    }

    /// <summary>How long opening the stream (the TLS handshake) may take; then the idle timeout applies.</summary>
    protected virtual TimeSpan OpenTimeout => _options.IdleTimeout;

    /// <summary>The stream to read syslog frames from: the socket itself, or TLS over it.</summary>
    protected abstract ValueTask<Stream> OpenStreamAsync(NetworkStream network, EndPoint? remote, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var socket = _socket!;
        try
        {
            await AcceptLoopAsync(socket, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            socket.Dispose();
            await Task.WhenAll(_connectionTasks.Values).ConfigureAwait(false);
            ListenerLog.Stopped(_logger, ListenerName, BoundEndpoint);
        }
    }

    private async Task AcceptLoopAsync(Socket socket, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // E.g. out of file descriptors: wait a little rather than spin.
                ListenerLog.AcceptFailed(_logger, ex, ListenerName);
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, stoppingToken).ConfigureAwait(false);
                continue;
            }

            if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                ListenerLog.ConnectionRefused(_logger, ListenerName, client.RemoteEndPoint, _options.MaxConnections);
                client.Dispose();
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnectionId);
            var task = Task.Run(() => RunConnectionAsync(client, stoppingToken), CancellationToken.None);
            _connectionTasks[id] = task;
            _ = task.ContinueWith((_, state) => _connectionTasks.TryRemove((long)state!, out Task? _), id, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(Socket socket, CancellationToken stoppingToken)
    {
        var remote = socket.RemoteEndPoint;
        ListenerLog.ConnectionOpened(_logger, ListenerName, remote);
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, idle.Token);
        var network = new NetworkStream(socket, ownsSocket: true);
        Stream? stream = null;
        try
        {
            // Bounded, so a client that connects and never completes a handshake cannot hold its slot.
            idle.CancelAfter(OpenTimeout);
            try
            {
                stream = await OpenStreamAsync(network, remote, linked.Token).ConfigureAwait(false);
            }
            catch (AuthenticationException ex)
            {
                ListenerLog.HandshakeFailed(_logger, ex, ListenerName, remote);
                return;
            }

            await ReadFramesAsync(stream, remote, idle, linked.Token, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            if (stream is null)
            {
                ListenerLog.OpenTimedOut(_logger, ListenerName, remote, OpenTimeout);
            }
            else
            {
                ListenerLog.ConnectionIdle(_logger, ListenerName, remote, _options.IdleTimeout);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            ListenerLog.ConnectionFailed(_logger, ex, ListenerName, remote);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // One connection's failure must never end the accept loop or the host.
            ListenerLog.ConnectionFailedUnexpectedly(_logger, ex, ListenerName, remote);
        }
        finally
        {
            if (stream is not null && !ReferenceEquals(stream, network))
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            await network.DisposeAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref _connections);
            ListenerLog.ConnectionClosed(_logger, ListenerName, remote);
        }
    }

    private async Task ReadFramesAsync(Stream stream, EndPoint? remote, CancellationTokenSource idle, CancellationToken readToken, CancellationToken stoppingToken)
    {
        var ingestor = new StreamIngestor(_registry, _options.Format, ListenerName, _metrics);
        var decoder = new SyslogFrameDecoder(new SyslogMessage(ingestor, _options.MaxMessageBytes));
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, minimumReadSize: ReadBufferBytes / 4, leaveOpen: true));
        var capacity = 64;
        var loggedFallback = false;
        try
        {
            while (true)
            {
                idle.CancelAfter(_options.IdleTimeout);
                var result = await reader.ReadAsync(readToken).ConfigureAwait(false);
                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                var buffer = result.Buffer;

                // The pipeline keeps the list it is given: a new one for every read.
                var items = new List<IngestItem>(capacity);
                var consumed = decoder.Decode(buffer, result.IsCompleted, _time.GetUtcNow(), items);
                reader.AdvanceTo(consumed, buffer.End);
                if (decoder.FellBackToLineFraming && !loggedFallback)
                {
                    loggedFallback = true;
                    ListenerLog.FramingFallback(_logger, ListenerName, remote);
                }

                if (items.Count > 0)
                {
                    capacity = Math.Clamp(items.Count, 16, MaxItemsCapacity);
                    await _pipeline.EnqueueAsync(items, stoppingToken).ConfigureAwait(false);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }
}
