using System.Net;
using Orchestrator.Listeners;

namespace Orchestrator.Tests.Listeners;

public sealed class SyslogListenerOptionsTests
{
    [Fact]
    public void Defaults_BindLoopbackOnNonPrivilegedPorts()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5514), new SyslogUdpOptions().Endpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5514), new SyslogTcpOptions().Endpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6514), new SyslogTlsOptions().Endpoint);
        Assert.Equal("auto", new SyslogTcpOptions().Format);
        Assert.Equal(64 * 1024, new SyslogTcpOptions().MaxMessageBytes);
        Assert.Equal(1_000, new SyslogTcpOptions().MaxConnections);
        Assert.Equal(TimeSpan.FromMinutes(10), new SyslogTcpOptions().IdleTimeout);
    }

    [Fact]
    public void Validate_UnknownFormat_NamesOptionAndKnownFormats()
    {
        var options = new SyslogUdpOptions { Format = "syslog" };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.StartsWith("syslog.udp.format: unknown format 'syslog' (known: auto, sep,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ZeroMaxMessageBytes_NamesOption()
    {
        var options = new SyslogTcpOptions { MaxMessageBytes = 0 };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Equal("syslog.tcp.max_message: must be between 1 and 16777216 (got 0)", error.Message);
    }

    [Fact]
    public void Validate_ZeroMaxConnections_NamesOption()
    {
        var options = new SyslogTcpOptions { MaxConnections = 0 };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Equal("syslog.tcp.max_connections: must be at least 1 (got 0)", error.Message);
    }

    [Fact]
    public void Validate_TlsWithoutCertificate_NamesCertificateOption()
    {
        var error = Assert.Throws<InvalidOperationException>(new SyslogTlsOptions().Validate);

        Assert.Equal("syslog.tls.certificate: is required: set certificate and key (PEM files) or pfx", error.Message);
    }
}
