using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Listeners;

/// <summary>Receives syslog over TLS (RFC 5425: TLS 1.2 or 1.3, octet-counted frames); starts only when a certificate is configured.</summary>
public sealed class SyslogTlsListener : SyslogStreamListener
{
    public const string Name = "syslog-tls";

    private readonly SyslogTlsOptions _options;
    private X509Certificate2? _certificate;
    private SslServerAuthenticationOptions? _authentication;

    public SyslogTlsListener(
        SyslogTlsOptions options, IngestPipeline pipeline, ParserRegistry registry, IngestMetrics metrics, ILogger<SyslogTlsListener> logger, TimeProvider time)
        : base(Name, options, pipeline, registry, metrics, logger, time)
    {
        _options = options;
    }

    public override void Dispose()
    {
        _certificate?.Dispose();
        base.Dispose();
    }

    protected override TimeSpan OpenTimeout => _options.HandshakeTimeout;

    protected override bool ShouldStart()
    {
        if (_options.Tls?.IsConfigured == true)
        {
            return true;
        }

        ListenerLog.NotConfigured(Logger, Name);
        return false;
    }

    protected override void Prepare()
    {
        _certificate = _options.Tls.LoadCertificate(_options.Section);
        _authentication = new SslServerAuthenticationOptions
        {
            // offline: the chain is built from what is configured, without fetching intermediates at start-up.
            ServerCertificateContext = SslStreamCertificateContext.Create(_certificate, additionalCertificates: null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = _options.Tls.RequireClientCertificate,
        };
    }

    protected override async ValueTask<Stream> OpenStreamAsync(NetworkStream network, EndPoint? remote, CancellationToken cancellationToken)
    {
        var tls = new SslStream(network, leaveInnerStreamOpen: true);
        try
        {
            await tls.AuthenticateAsServerAsync(_authentication!, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
