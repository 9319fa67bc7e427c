using System.Net;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Listeners;

/// <summary>Settings every syslog listener shares: where it binds, the format it parses and the message size cap.</summary>
public abstract class SyslogListenerOptions
{
    /// <summary>The largest message size accepted by <see cref="Validate"/> (16 MiB).</summary>
    public const int MaxMessageBytesLimit = 16 * 1024 * 1024;

    protected SyslogListenerOptions(string section, int defaultPort)
    {
        Section = section;
        Endpoint = new IPEndPoint(IPAddress.Loopback, defaultPort);
    }

    /// <summary>The configuration path named in validation errors, e.g. <c>syslog.tcp</c>.</summary>
    public string Section { get; }

    /// <summary>Where to bind; loopback by default so nothing is exposed until configured.</summary>
    public IPEndPoint Endpoint { get; set; }

    /// <summary>A format name from <see cref="EventFormats"/>; <c>auto</c> recognises each line.</summary>
    public string Format { get; set; } = EventFormats.Auto;

    /// <summary>A longer message is cut: its first bytes are kept as a dead letter.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first invalid option.</summary>
    public virtual void Validate()
    {
        if (Endpoint is null)
        {
            throw Invalid("endpoint", "is required (e.g. 127.0.0.1:5514)");
        }

        if (Format is null || !EventFormats.IsKnown(Format))
        {
            throw Invalid("format", $"unknown format '{Format}' (known: {string.Join(", ", EventFormats.All)})");
        }

        if (MaxMessageBytes is < 1 or > MaxMessageBytesLimit)
        {
            throw Invalid("max_message", $"must be between 1 and {MaxMessageBytesLimit} (got {MaxMessageBytes})");
        }
    }

    protected InvalidOperationException Invalid(string option, string problem) => new(Section + "." + option + ": " + problem);
}

/// <summary>Settings of <see cref="SyslogUdpListener"/>.</summary>
public sealed class SyslogUdpOptions : SyslogListenerOptions
{
    public const int DefaultPort = 5514;

    public SyslogUdpOptions()
        : base("syslog.udp", DefaultPort)
    {
    }

    /// <summary>SO_RCVBUF: datagrams queue here while the listener is busy (Linux caps it at net.core.rmem_max).</summary>
    public int ReceiveBufferBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Datagrams already waiting are gathered into one batch of at most this many messages.</summary>
    public int MaxBatchMessages { get; set; } = 1_000;

    public override void Validate()
    {
        base.Validate();
        if (ReceiveBufferBytes < 0)
        {
            throw Invalid("receiveBufferBytes", $"must be 0 (system default) or more (got {ReceiveBufferBytes})");
        }

        if (MaxBatchMessages < 1)
        {
            throw Invalid("maxBatchMessages", $"must be at least 1 (got {MaxBatchMessages})");
        }
    }
}

/// <summary>Settings of <see cref="SyslogTcpListener"/> (and, with a certificate, <see cref="SyslogTlsListener"/>).</summary>
public class SyslogTcpOptions : SyslogListenerOptions
{
    public const int DefaultPort = 5514;

    public SyslogTcpOptions()
        : base("syslog.tcp", DefaultPort)
    {
    }

    protected SyslogTcpOptions(string section, int defaultPort)
        : base(section, defaultPort)
    {
    }

    /// <summary>Connections beyond this many are closed as soon as they are accepted.</summary>
    public int MaxConnections { get; set; } = 1_000;

    /// <summary>A connection that sends nothing for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public override void Validate()
    {
        base.Validate();
        if (MaxConnections < 1)
        {
            throw Invalid("max_connections", $"must be at least 1 (got {MaxConnections})");
        }

        if (IdleTimeout <= TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw Invalid("idle_timeout", $"must be positive (got {IdleTimeout})");
        }
    }
}

/// <summary>Settings of <see cref="SyslogTlsListener"/> (RFC 5425): the TCP settings plus the certificate.</summary>
public sealed class SyslogTlsOptions : SyslogTcpOptions
{
    public new const int DefaultPort = 6514;

    public SyslogTlsOptions()
        : base("syslog.tls", DefaultPort)
    {
    }

    public TlsOptions Tls { get; set; } = new();

    /// <summary>A client that has not finished the TLS handshake in this time is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public override void Validate()
    {
        base.Validate();
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw Invalid("handshake_timeout", $"must be positive (got {HandshakeTimeout})");
        }

        if (Tls is null)
        {
            throw Invalid("certificate", "is required: set certificate and key (PEM files) or pfx");
        }

        Tls.Validate(Section);
    }
}
