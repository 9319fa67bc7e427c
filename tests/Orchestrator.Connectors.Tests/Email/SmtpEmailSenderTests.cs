using System.Text;
using Microsoft.Extensions.Logging;
using MimeKit;
using Orchestrator.Connectors.Email;

namespace Orchestrator.Connectors.Tests.Email;

public sealed class SmtpEmailSenderTests
{
    private const string Password = "s3cr3t-Pa55word!";

    private readonly ListLogger<SmtpEmailSender> _log = new();

    [Fact]
    public async Task SendAsync_PlainServer_ArrivesWithHeadersSubjectBodyAndAttachment()
    {
        await using var server = await SmtpTestServer.StartAsync();
        await using var sender = Sender(server.Port, SmtpSecurity.None);
        var json = """{"event":{"kind":"worm"}}""";
        var message = new EmailMessage(["soc@example.org"], [], "Worm on 10.0.0.7", "Host 10.0.0.7 scanned 40 hosts.",
            Attachments: [new EmailAttachment("event.json", "application/json", Encoding.UTF8.GetBytes(json))])
        {
            MessageId = "abc123@orchestrator",
            RunId = "run-42",
        };

        var reply = await sender.SendAsync(message, CancellationToken.None);

        var received = Assert.Single(server.Received());
        Assert.Contains("queued as 1", reply, StringComparison.Ordinal);
        Assert.Equal("orchestrator@example.org", received.MailFrom);
        Assert.Equal(["soc@example.org"], received.RcptTos);
        var mime = received.Parse();
        Assert.Equal("Worm on 10.0.0.7", mime.Subject);
        Assert.Equal("abc123@orchestrator", mime.MessageId);
        Assert.Equal("run-42", mime.Headers[SmtpEmailSender.RunHeader]);
        var from = Assert.Single(mime.From.Mailboxes);
        Assert.Equal(("Orchestrator", "orchestrator@example.org"), (from.Name, from.Address));
        Assert.Equal("Host 10.0.0.7 scanned 40 hosts.", mime.TextBody?.TrimEnd());
        Assert.Null(mime.HtmlBody);
        var attachment = Assert.IsType<MimePart>(Assert.Single(mime.Attachments));
        Assert.Equal("event.json", attachment.FileName);
        Assert.Equal("application/json", attachment.ContentType.MimeType);
        using var content = new MemoryStream();
        await attachment.Content!.DecodeToAsync(content);
        Assert.Equal(json, Encoding.UTF8.GetString(content.ToArray()));
    }

    [Fact]
    public async Task SendAsync_HtmlBody_ArrivesAsAlternativeToText()
    {
        await using var server = await SmtpTestServer.StartAsync();
        await using var sender = Sender(server.Port, SmtpSecurity.None);

        await sender.SendAsync(new EmailMessage(["soc@example.org"], [], "Alert", "plain text", "<p><b>html</b> text</p>"), CancellationToken.None);

        var mime = Assert.Single(server.Received()).Parse();
        var alternative = Assert.IsType<MultipartAlternative>(mime.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.Equal("plain text", mime.TextBody?.TrimEnd());
        Assert.Equal("<p><b>html</b> text</p>", mime.HtmlBody?.TrimEnd());
    }

    [Fact]
    public async Task SendAsync_Cc_GoesToEveryRecipientAndNamesThemInHeaders()
    {
        await using var server = await SmtpTestServer.StartAsync();
        await using var sender = Sender(server.Port, SmtpSecurity.None);

        await sender.SendAsync(new EmailMessage(["SOC Team <soc@example.org>"], ["noc@example.org", "ciso@example.org"], "Alert", "text"), CancellationToken.None);

        var received = Assert.Single(server.Received());
        Assert.Equal(["soc@example.org", "noc@example.org", "ciso@example.org"], received.RcptTos);
        var mime = received.Parse();
        var to = Assert.Single(mime.To.Mailboxes);
        Assert.Equal(("SOC Team", "soc@example.org"), (to.Name, to.Address));
        Assert.Equal(["noc@example.org", "ciso@example.org"], mime.Cc.Mailboxes.Select(m => m.Address));
    }

    [Fact]
    public async Task SendAsync_StartTlsWithPinnedCertificate_ArrivesOverTls()
    {
        var certificate = TestCertificate.SelfSigned();
        await using var server = await SmtpTestServer.StartAsync("starttls", certificate);
        await using var sender = Sender(server.Port, SmtpSecurity.StartTls, o => o.PinnedSha256 = certificate.Sha256.ToUpperInvariant());

        await sender.SendAsync(Simple("pinned"), CancellationToken.None);

        var received = Assert.Single(server.Received());
        Assert.True(received.Tls);
        Assert.Equal("pinned", received.Parse().Subject);
    }

    [Fact]
    public async Task SendAsync_StartTlsWithCustomCa_ArrivesOverTls()
    {
        var certificate = TestCertificate.IssuedByTestCa();
        await using var server = await SmtpTestServer.StartAsync("starttls", certificate);
        await using var sender = Sender(server.Port, SmtpSecurity.StartTls, o => o.CaFile = certificate.CaPath);

        await sender.SendAsync(Simple("custom ca"), CancellationToken.None);

        var received = Assert.Single(server.Received());
        Assert.True(received.Tls);
        Assert.Equal("custom ca", received.Parse().Subject);
    }

    [Fact]
    public async Task SendAsync_ImplicitTls_Arrives()
    {
        var certificate = TestCertificate.IssuedByTestCa();
        await using var server = await SmtpTestServer.StartAsync("tls", certificate);
        await using var sender = Sender(server.Port, SmtpSecurity.Tls, o => o.CaFile = certificate.CaPath);

        await sender.SendAsync(Simple("implicit tls"), CancellationToken.None);

        Assert.Equal("implicit tls", Assert.Single(server.Received()).Parse().Subject);
    }

    [Fact]
    public async Task SendAsync_UntrustedCertificate_RefusedByDefaultSayingHowToTrustIt()
    {
        var certificate = TestCertificate.SelfSigned();
        await using var server = await SmtpTestServer.StartAsync("starttls", certificate);
        await using var sender = Sender(server.Port, SmtpSecurity.StartTls);

        var error = await Assert.ThrowsAsync<EmailException>(() => sender.SendAsync(Simple("never"), CancellationToken.None).AsTask());

        Assert.Contains("is not trusted", error.Message, StringComparison.Ordinal);
        Assert.Contains($"pinned_sha256 to {certificate.Sha256}", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Received());
    }

    [Fact]
    public async Task SendAsync_CertificateNotThePinnedOne_Refused()
    {
        var certificate = TestCertificate.SelfSigned();
        var other = TestCertificate.SelfSigned();
        await using var server = await SmtpTestServer.StartAsync("tls", certificate);
        await using var sender = Sender(server.Port, SmtpSecurity.Tls, o => o.PinnedSha256 = other.Sha256);

        var error = await Assert.ThrowsAsync<EmailException>(() => sender.SendAsync(Simple("never"), CancellationToken.None).AsTask());

        Assert.Contains($"(SHA-256 {certificate.Sha256}) is not the pinned_sha256 certificate", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Received());
    }

    [Fact]
    public async Task SendAsync_LoginAccepted_ArrivesAuthenticated()
    {
        var certificate = TestCertificate.IssuedByTestCa();
        await using var server = await SmtpTestServer.StartAsync("starttls", certificate, login: "bot:" + Password);
        await using var sender = Sender(server.Port, SmtpSecurity.StartTls, o =>
        {
            o.CaFile = certificate.CaPath;
            o.Username = "bot";
            o.Password = Password;
        });

        await sender.SendAsync(Simple("with login"), CancellationToken.None);

        var received = Assert.Single(server.Received());
        Assert.True(received.Authenticated);
        Assert.True(received.Tls);
    }

    [Fact]
    public async Task SendAsync_WrongPassword_FailsWithoutThePasswordInErrorOrLog()
    {
        var certificate = TestCertificate.IssuedByTestCa();
        await using var server = await SmtpTestServer.StartAsync("starttls", certificate, login: "bot:the-right-one");
        await using var sender = Sender(server.Port, SmtpSecurity.StartTls, o =>
        {
            o.CaFile = certificate.CaPath;
            o.Username = "bot";
            o.Password = Password;
        });

        var error = await Assert.ThrowsAsync<EmailException>(() => sender.SendAsync(Simple("never"), CancellationToken.None).AsTask());

        Assert.Contains("refused the login of user 'bot'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_log.Lines, l => l.Text.Contains(Password, StringComparison.Ordinal));
        Assert.Empty(server.Received());
    }

    [Fact]
    public async Task SendAsync_ServerDown_RetriedWithBackoffThenFails()
    {
        var port = SmtpTestServer.UnusedPort();
        await using var sender = Sender(port, SmtpSecurity.None, o => o.RetryAttempts = 2);

        var error = await Assert.ThrowsAsync<EmailException>(() => sender.SendAsync(Simple("never"), CancellationToken.None).AsTask());

        Assert.Contains($"cannot connect to SMTP server 127.0.0.1:{port}: ConnectionRefused (gave up after 3 attempts)", error.Message, StringComparison.Ordinal);
        var retries = _log.Lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Text).ToList();
        Assert.Equal(2, retries.Count);
        Assert.Contains("attempt 1 of 3", retries[0], StringComparison.Ordinal);
        Assert.Contains("retrying in 00:00:00.0100000", retries[0], StringComparison.Ordinal);
        Assert.Contains("retrying in 00:00:00.0200000", retries[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_TemporaryRefusal_RetriedAndDeliveredOnce()
    {
        await using var server = await SmtpTestServer.StartAsync(tempfailData: 2);
        await using var sender = Sender(server.Port, SmtpSecurity.None);

        await sender.SendAsync(Simple("after 451"), CancellationToken.None);

        Assert.Equal("after 451", Assert.Single(server.Received()).Parse().Subject);
        Assert.Equal(2, _log.Lines.Count(l => l.Text.Contains("answered 451 (temporary)", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SendAsync_RecipientRefused_FailsNamingItAndTheConnectionStaysUsable()
    {
        await using var server = await SmtpTestServer.StartAsync();
        await using var sender = Sender(server.Port, SmtpSecurity.None);
        await sender.SendAsync(Simple("first"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<EmailException>(() =>
            sender.SendAsync(new EmailMessage(["refuse@example.org"], [], "refused", "text"), CancellationToken.None).AsTask());
        await sender.SendAsync(Simple("after the refusal"), CancellationToken.None);

        Assert.Contains("refused the message with 550 for <refuse@example.org>", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_log.Lines, l => l.Level == LogLevel.Warning);
        var received = server.Received();
        Assert.Equal(["first", "after the refusal"], received.Select(r => r.Parse().Subject));
        Assert.Single(received.Select(r => r.PeerPort).Distinct());
    }

    [Fact]
    public async Task SendAsync_SeveralMessages_ShareOneConnection()
    {
        await using var server = await SmtpTestServer.StartAsync();
        await using var sender = Sender(server.Port, SmtpSecurity.None);

        for (var i = 0; i < 20; i++)
        {
            await sender.SendAsync(Simple($"message {i}"), CancellationToken.None);
        }

        var received = server.Received();
        Assert.Equal(20, received.Count);
        Assert.Single(received.Select(r => r.PeerPort).Distinct());
        Assert.Single(_log.Lines, l => l.Text.StartsWith("Connected to SMTP server", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_ServerRestarted_ReconnectsAndDelivers()
    {
        var first = await SmtpTestServer.StartAsync();
        await using var sender = Sender(first.Port, SmtpSecurity.None);
        await sender.SendAsync(Simple("before restart"), CancellationToken.None);
        await first.DisposeAsync();
        await using var second = await SmtpTestServer.StartAsync(port: first.Port, directory: first.Directory);

        await sender.SendAsync(Simple("after restart"), CancellationToken.None);

        var received = second.Received();
        Assert.Equal(["before restart", "after restart"], received.Select(r => r.Parse().Subject));
        Assert.NotEqual(received[0].PeerPort, received[1].PeerPort);
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var options = new SmtpOptions { Host = "", Port = 70000, From = "not an address", Username = "bot", Security = SmtpSecurity.None, PinnedSha256 = "abc" };

        var error = Assert.Throws<ArgumentException>(() => new SmtpEmailSender(options, _log, TimeProvider.System));

        Assert.Equal(
            [
                "host: required (the SMTP server's name or address)",
                "port: 70000 is not a TCP port (1-65535)",
                "from: 'not an address' is not an email address",
                "security: 'none' would send the password in clear text; use starttls or tls",
                "pinned_sha256: must be 64 hex digits (colons allowed), the SHA-256 of the server certificate",
            ],
            SmtpOptions.Validate(options));
        Assert.StartsWith("SMTP options are not usable: host: required", error.Message, StringComparison.Ordinal);
    }

    private SmtpEmailSender Sender(int port, SmtpSecurity security, Action<SmtpOptions>? configure = null)
    {
        var options = new SmtpOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Security = security,
            From = "Orchestrator <orchestrator@example.org>",
            Timeout = TimeSpan.FromSeconds(20),
            RetryAttempts = 3,
            RetryBackoff = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(options);
        return new SmtpEmailSender(options, _log, TimeProvider.System);
    }

    private static EmailMessage Simple(string subject) => new(["soc@example.org"], [], subject, "text");
}
