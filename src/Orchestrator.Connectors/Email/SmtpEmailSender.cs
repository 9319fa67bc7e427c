using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;
using MimeKit.Utils;
using Orchestrator.Connectors.Tls;

namespace Orchestrator.Connectors.Email;

/// <summary>
/// Sends email through one SMTP connection kept open and reused, one message at a time; reconnects
/// when the server dropped it, retries transient failures with exponential backoff, and validates
/// the server's certificate (system store, or the configured CA file or pinned certificate).
/// </summary>
public sealed partial class SmtpEmailSender : IEmailSender, IAsyncDisposable
{
    /// <summary>The header naming the run that sent the message.</summary>
    public const string RunHeader = "X-Orchestrator-Run";

    private readonly SmtpOptions _options;
    private readonly ILogger<SmtpEmailSender> _logger;
    private readonly TimeProvider _time;
    private readonly MailboxAddress _from;
    private readonly ServerCertificateTrust _trust;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SmtpClient? _client;
    private string? _certificateProblem;
    private bool _disposed;

    public SmtpEmailSender(SmtpOptions options, ILogger<SmtpEmailSender> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var errors = SmtpOptions.Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("SMTP options are not usable: " + string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _logger = logger;
        _time = timeProvider;
        _from = EmailAddresses.Parse(options.From);
        try
        {
            _trust = ServerCertificateTrust.Create(options.CaFile, options.PinnedSha256);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException("SMTP options are not usable: " + ex.Message, nameof(options), ex);
        }
    }

    private string Endpoint => string.Create(CultureInfo.InvariantCulture, $"{_options.Host}:{_options.Port}");

    public async ValueTask<string> SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var mime = BuildMessage(message);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var attempts = _options.RetryAttempts + 1;
            for (var attempt = 1; ; attempt++)
            {
                var reused = _client is { IsConnected: true };
                try
                {
                    var client = await ConnectedClientAsync(cancellationToken).ConfigureAwait(false);
                    return await client.SendAsync(mime, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Cancelled mid-conversation: the server's state is unknown, so start afresh next time.
                    await DropClientAsync().ConfigureAwait(false);
                    throw;
                }
                catch (Exception ex) when (ex is not EmailException)
                {
                    var failure = Classify(ex);
                    if (failure.ConnectionLost)
                    {
                        await DropClientAsync().ConfigureAwait(false);
                    }

                    if (!failure.Transient)
                    {
                        throw new EmailException(failure.Reason, ex);
                    }

                    if (attempt >= attempts)
                    {
                        throw new EmailException(string.Create(CultureInfo.InvariantCulture, $"{failure.Reason} (gave up after {attempt} attempts)"), ex);
                    }

                    // A kept connection the server closed while idle is normal: reconnect at once.
                    var delay = reused && failure.ConnectionLost && attempt == 1 ? TimeSpan.Zero : Backoff(attempt);
                    LogRetrying(_logger, Endpoint, attempt, attempts, failure.Reason, delay);
                    if (delay > TimeSpan.Zero)
                    {
                        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_client is { IsConnected: true } client)
            {
                try
                {
                    await client.DisconnectAsync(quit: true).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or SocketException or MailKit.ProtocolException or TimeoutException)
                {
                    // Saying goodbye is a courtesy: the connection closes either way.
                }
            }

            _client?.Dispose();
            _client = null;
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    /// <summary>The MIME message as it goes on the wire: text and optional HTML alternative, then the attachments.</summary>
    internal MimeMessage BuildMessage(EmailMessage message)
    {
        if (message.To.Count + message.Cc.Count == 0)
        {
            throw new EmailException("the email has no recipient");
        }

        var mime = new MimeMessage();
        mime.From.Add(_from);
        mime.To.AddRange(message.To.Select(EmailAddresses.Parse));
        mime.Cc.AddRange(message.Cc.Select(EmailAddresses.Parse));
        mime.Subject = message.Subject;
        mime.Date = _time.GetUtcNow();
        mime.MessageId = message.MessageId ?? MimeUtils.GenerateMessageId(_from.Domain);
        if (message.RunId is { Length: > 0 } runId)
        {
            mime.Headers.Add(RunHeader, runId);
        }

        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        foreach (var attachment in message.Attachments ?? [])
        {
            body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
        }

        mime.Body = body.ToMessageBody();
        return mime;
    }

    private async Task<SmtpClient> ConnectedClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true } connected)
        {
            return connected;
        }

        await DropClientAsync().ConfigureAwait(false);
        var client = new SmtpClient
        {
            Timeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds),
            ServerCertificateValidationCallback = ValidateCertificate,
        };
        _client = client;
        _certificateProblem = null;
        var socketOptions = _options.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(_options.Host, _options.Port, socketOptions, cancellationToken).ConfigureAwait(false);
        if (_options.Username is { Length: > 0 } username)
        {
            await client.AuthenticateAsync(username, _options.Password ?? "", cancellationToken).ConfigureAwait(false);
        }

        LogConnected(_logger, Endpoint, _options.Security);
        return client;
    }

    private async ValueTask DropClientAsync()
    {
        if (_client is not { } client)
        {
            return;
        }

        _client = null;
        try
        {
            await client.DisconnectAsync(quit: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or MailKit.ProtocolException or TimeoutException)
        {
            // The connection is being thrown away because it failed; closing it may fail too.
        }
        finally
        {
            client.Dispose();
        }
    }

    private TimeSpan Backoff(int attempt) => _options.RetryBackoff * Math.Pow(2, attempt - 1);

    private readonly record struct Failure(bool Transient, bool ConnectionLost, string Reason);

    private Failure Classify(Exception ex)
    {
        var where = Endpoint;
        return ex switch
        {
            SmtpCommandException { StatusCode: var code } command when (int)code is >= 400 and < 500 =>
                new(true, false, $"SMTP server {where} answered {(int)code} (temporary){Mailbox(command)}: {Redact(command.Message)}"),
            SmtpCommandException command =>
                new(false, false, $"SMTP server {where} refused the message with {(int)command.StatusCode}{Mailbox(command)}: {Redact(command.Message)}"),
            MailKit.Security.AuthenticationException =>
                new(false, true, $"SMTP server {where} refused the login of user '{_options.Username}': check smtp username and password"),
            ServiceNotAuthenticatedException =>
                new(false, true, $"SMTP server {where} requires a login: set smtp username and password"),
            SslHandshakeException =>
                new(false, true, $"TLS with SMTP server {where} failed: " + (_certificateProblem ?? "the handshake failed (is security 'tls' used on a STARTTLS or plain port, or the reverse?)")),
            NotSupportedException =>
                new(false, true, $"SMTP server {where} does not offer STARTTLS: use security 'tls' for implicit TLS, or 'none' for a local relay"),
            SocketException socket =>
                new(true, true, $"cannot connect to SMTP server {where}: {socket.SocketErrorCode}"),
            IOException or ServiceNotConnectedException or SmtpProtocolException or TimeoutException or OperationCanceledException =>
                new(true, true, $"connection to SMTP server {where} failed: {Redact(ex.Message)}"),
            _ => new(false, true, $"sending through SMTP server {where} failed: {ex.GetType().Name}: {Redact(ex.Message)}"),
        };
    }

    private static string Mailbox(SmtpCommandException command) =>
        command.Mailbox is { } mailbox ? $" for <{mailbox.Address}>" : "";

    // A server reply never should echo the password, but a reply is not ours to trust.
    private string Redact(string text) =>
        _options.Password is { Length: > 0 } password ? text.Replace(password, "***", StringComparison.Ordinal) : text;

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        _certificateProblem = _trust.Check(certificate, chain, errors, _options.Host, "smtp ");
        return _certificateProblem is null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to SMTP server {Endpoint} ({Security})")]
    private static partial void LogConnected(ILogger logger, string endpoint, SmtpSecurity security);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email through {Endpoint} failed, attempt {Attempt} of {Attempts}: {Reason}; retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string endpoint, int attempt, int attempts, string reason, TimeSpan delay);
}
