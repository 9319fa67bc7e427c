using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Listeners;

namespace Orchestrator.Tests.Listeners;

public sealed class SyslogTlsListenerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orchestrator-tls-").FullName;
    private readonly X509Certificate2 _certificate;

    public SyslogTlsListenerTests()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        _certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        CertificatePath = Path.Combine(_directory, "server.crt");
        KeyPath = Path.Combine(_directory, "server.key");
        PfxPath = Path.Combine(_directory, "server.pfx");
        File.WriteAllText(CertificatePath, _certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(PfxPath, _certificate.Export(X509ContentType.Pkcs12, "secret"));
    }

    private string CertificatePath { get; }

    private string KeyPath { get; }

    private string PfxPath { get; }

    public void Dispose()
    {
        _certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<Running<SyslogTlsListener>> StartAsync(PipelineHarness harness, TlsOptions tls, Action<SyslogTlsOptions>? configure = null)
    {
        var options = new SyslogTlsOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Tls = tls };
        configure?.Invoke(options);
        var listener = new SyslogTlsListener(options, harness.Pipeline, harness.Registry, harness.Metrics, NullLogger<SyslogTlsListener>.Instance, harness.Time);
        return await Running.StartAsync(listener);
    }

    private async Task<(TcpClient Client, SslStream Tls)> ConnectAsync(SyslogTlsListener listener)
    {
        var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(listener.BoundEndpoint);
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        var expected = _certificate.GetCertHashString(HashAlgorithmName.SHA256);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == expected,
        });
        return (client, tls);
    }

    [Fact]
    public async Task Receive_PemCertificateOctetFrames_StoredOverTls()
    {
        await using var harness = new PipelineHarness();
        await using var listener = await StartAsync(harness, new TlsOptions { CertificatePath = CertificatePath, KeyPath = KeyPath });
        var (client, tls) = await ConnectAsync(listener.Service);
        using (client)
        await using (tls)
        {
            var message = "<165>1 2026-11-23T19:00:00Z sepm SymantecServer - - - over TLS";
            await tls.WriteAsync(SyslogTcpListenerTests.OctetFrame(message));
            await tls.WriteAsync(SyslogTcpListenerTests.OctetFrame(SyslogTcpListenerTests.Line(2)));
            await tls.FlushAsync();

            var events = await harness.WaitForEventsAsync(2);
            Assert.Equal([message, SyslogTcpListenerTests.Line(2)], events.Select(e => e.Original));
            Assert.Equal(2, harness.Metrics.For(SyslogTlsListener.Name, "sep").Stored);
        }
    }

    [Fact]
    public async Task Receive_PfxCertificateLineFrames_StoredOverTls()
    {
        await using var harness = new PipelineHarness();
        await using var listener = await StartAsync(harness, new TlsOptions { PfxPath = PfxPath, PfxPassword = "secret" });
        var (client, tls) = await ConnectAsync(listener.Service);
        using (client)
        await using (tls)
        {
            await tls.WriteAsync(Encoding.UTF8.GetBytes(SyslogTcpListenerTests.Line(1) + "\n"));
            await tls.FlushAsync();

            var events = await harness.WaitForEventsAsync(1);
            Assert.Equal(SyslogTcpListenerTests.Line(1), Assert.Single(events).Original);
        }
    }

    [Fact]
    public async Task Receive_ClientWithoutTls_DroppedAndOtherTlsClientsServed()
    {
        await using var harness = new PipelineHarness();
        await using var listener = await StartAsync(harness, new TlsOptions { CertificatePath = CertificatePath, KeyPath = KeyPath });
        using var plain = new TcpClient(AddressFamily.InterNetwork);
        await plain.ConnectAsync(listener.Service.BoundEndpoint);
        await plain.GetStream().WriteAsync(Encoding.UTF8.GetBytes(SyslogTcpListenerTests.Line(1) + "\n"));

        var (client, tls) = await ConnectAsync(listener.Service);
        using (client)
        await using (tls)
        {
            await tls.WriteAsync(SyslogTcpListenerTests.OctetFrame(SyslogTcpListenerTests.Line(2)));
            await tls.FlushAsync();

            var events = await harness.WaitForEventsAsync(1);
            Assert.Equal(SyslogTcpListenerTests.Line(2), Assert.Single(events).Original);
        }

        await PipelineHarness.WaitUntilAsync(() => listener.Service.ActiveConnections == 0, "the plain-text connection was not dropped");
        Assert.Empty(harness.Store.DeadLetters);
    }

    [Fact]
    public async Task Receive_ClientSilentDuringHandshake_DroppedAfterHandshakeTimeout()
    {
        await using var harness = new PipelineHarness();
        await using var listener = await StartAsync(
            harness, new TlsOptions { CertificatePath = CertificatePath, KeyPath = KeyPath }, o => (o.IdleTimeout, o.HandshakeTimeout) = (TimeSpan.FromDays(1), TimeSpan.FromSeconds(30)));
        using var silent = new TcpClient(AddressFamily.InterNetwork);
        await silent.ConnectAsync(listener.Service.BoundEndpoint);
        await PipelineHarness.WaitUntilAsync(() => listener.Service.ActiveConnections == 1, "the connection was not accepted");

        // The timer starts when the connection task runs; advance fake time until the server gives up,
        // which happens long before the idle timeout of one day could be reached by this loop.
        var read = silent.Client.ReceiveAsync(new byte[16].AsMemory(), SocketFlags.None).AsTask();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!read.IsCompleted && DateTime.UtcNow < deadline)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(30));
            await Task.WhenAny(read, Task.Delay(20));
        }

        Assert.True(read.IsCompleted, "the silent client was not dropped");
        Assert.Equal(0, await read);
        await PipelineHarness.WaitUntilAsync(() => listener.Service.ActiveConnections == 0, "the dropped connection is still counted");
    }

    [Fact]
    public async Task Receive_ClientCertificateRequiredButMissing_HandshakeRefused()
    {
        await using var harness = new PipelineHarness();
        await using var listener = await StartAsync(
            harness, new TlsOptions { CertificatePath = CertificatePath, KeyPath = KeyPath, RequireClientCertificate = true });

        var refused = await Record.ExceptionAsync(async () =>
        {
            var (client, tls) = await ConnectAsync(listener.Service);
            using (client)
            await using (tls)
            {
                // TLS 1.3 reports a refused client certificate on the first read or write after the handshake.
                await tls.WriteAsync(SyslogTcpListenerTests.OctetFrame(SyslogTcpListenerTests.Line(1)));
                await tls.FlushAsync();
                var read = await tls.ReadAsync(new byte[16]);
                Assert.Equal(0, read);
            }
        });

        Assert.True(refused is null or AuthenticationException or IOException, refused?.ToString());
        await PipelineHarness.WaitUntilAsync(() => listener.Service.ActiveConnections == 0, "the connection without a client certificate is still open");
        Assert.Empty(harness.Store.Events);
        Assert.Empty(harness.Store.DeadLetters);
    }

    [Fact]
    public async Task Start_NoCertificateConfigured_DoesNotListen()
    {
        await using var harness = new PipelineHarness();
        await using var listener = await StartAsync(harness, new TlsOptions());

        Assert.False(listener.Service.IsListening);
        Assert.Throws<InvalidOperationException>(() => listener.Service.BoundEndpoint);
    }

    [Fact]
    public async Task Start_CertificateFileMissing_ThrowsNamingOption()
    {
        await using var harness = new PipelineHarness();
        var missing = Path.Combine(_directory, "missing.pem");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            StartAsync(harness, new TlsOptions { CertificatePath = missing, KeyPath = KeyPath }));

        Assert.Equal($"syslog.tls.certificate: file '{missing}' not found", error.Message);
    }

    [Fact]
    public void Validate_KeyFileMissing_NamesKeyOption()
    {
        var missing = Path.Combine(_directory, "missing.key");
        var options = new SyslogTlsOptions { Tls = new TlsOptions { CertificatePath = CertificatePath, KeyPath = missing } };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Equal($"syslog.tls.key: file '{missing}' not found", error.Message);
    }

    [Fact]
    public void Validate_CertificateWithoutKey_NamesKeyOption()
    {
        var options = new SyslogTlsOptions { Tls = new TlsOptions { CertificatePath = CertificatePath } };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.StartsWith("syslog.tls.key: is required with syslog.tls.certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PemAndPfxBoth_NamesPfxOption()
    {
        var options = new SyslogTlsOptions { Tls = new TlsOptions { CertificatePath = CertificatePath, KeyPath = KeyPath, PfxPath = PfxPath } };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Equal("syslog.tls.pfx: set either certificate and key (PEM) or pfx, not both", error.Message);
    }

    [Fact]
    public void Validate_PfxFileMissing_NamesPfxOption()
    {
        var missing = Path.Combine(_directory, "missing.pfx");
        var options = new SyslogTlsOptions { Tls = new TlsOptions { PfxPath = missing } };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Equal($"syslog.tls.pfx: file '{missing}' not found", error.Message);
    }

    [Fact]
    public void LoadCertificate_WrongPfxPassword_NamesPfxOption()
    {
        var tls = new TlsOptions { PfxPath = PfxPath, PfxPassword = "wrong" };

        var error = Assert.Throws<InvalidOperationException>(() => tls.LoadCertificate("syslog.tls"));

        Assert.StartsWith($"syslog.tls.pfx: cannot load '{PfxPath}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCertificate_KeyFileIsNotAKey_NamesCertificateOption()
    {
        var tls = new TlsOptions { CertificatePath = CertificatePath, KeyPath = CertificatePath };

        var error = Assert.Throws<InvalidOperationException>(() => tls.LoadCertificate("syslog.tls"));

        Assert.StartsWith($"syslog.tls.certificate: cannot load '{CertificatePath}'", error.Message, StringComparison.Ordinal);
    }
}
