using System.Net;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Listeners;

/// <summary>The log lines of the syslog listeners; message contents are never logged.</summary>
internal static partial class ListenerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Syslog listener {Listener} listening on {Endpoint}")]
    public static partial void Started(ILogger logger, string listener, IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Syslog listener {Listener} listening on {Endpoint} (receive buffer {ReceiveBufferBytes} bytes)")]
    public static partial void UdpStarted(ILogger logger, string listener, IPEndPoint endpoint, int receiveBufferBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Syslog listener {Listener} not started: no certificate configured")]
    public static partial void NotConfigured(ILogger logger, string listener);

    [LoggerMessage(Level = LogLevel.Information, Message = "Syslog listener {Listener} on {Endpoint} stopped")]
    public static partial void Stopped(ILogger logger, string listener, IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog listener {Listener} closed a connection from {Remote}: {MaxConnections} connections are already open (maxConnections)")]
    public static partial void ConnectionRefused(ILogger logger, string listener, EndPoint? remote, int maxConnections);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog listener {Listener} accepted a connection from {Remote}")]
    public static partial void ConnectionOpened(ILogger logger, string listener, EndPoint? remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog listener {Listener} closed the connection from {Remote}")]
    public static partial void ConnectionClosed(ILogger logger, string listener, EndPoint? remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog listener {Listener}: the connection from {Remote} sent nothing for {IdleTimeout}; closing it")]
    public static partial void ConnectionIdle(ILogger logger, string listener, EndPoint? remote, TimeSpan idleTimeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog listener {Listener}: the connection from {Remote} did not complete its handshake in {Timeout}; closing it")]
    public static partial void OpenTimedOut(ILogger logger, string listener, EndPoint? remote, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog listener {Listener}: the connection from {Remote} failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string listener, EndPoint? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog listener {Listener}: the connection from {Remote} failed unexpectedly")]
    public static partial void ConnectionFailedUnexpectedly(ILogger logger, Exception exception, string listener, EndPoint? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog listener {Listener}: the TLS handshake with {Remote} failed")]
    public static partial void HandshakeFailed(ILogger logger, Exception exception, string listener, EndPoint? remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog listener {Listener}: the connection from {Remote} sent a bad octet count; reading the rest as LF-framed lines (RFC 6587 §3.4.2)")]
    public static partial void FramingFallback(ILogger logger, string listener, EndPoint? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog listener {Listener} could not accept a connection")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, string listener);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog listener {Listener} could not receive a datagram")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string listener);
}
