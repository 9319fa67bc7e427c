namespace Orchestrator.Connectors.Email;

/// <summary>A file attached to an email.</summary>
public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>One email to send: plain text body always, HTML body when given (multipart/alternative).</summary>
public sealed record EmailMessage(
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    string Subject,
    string TextBody,
    string? HtmlBody = null,
    IReadOnlyList<EmailAttachment>? Attachments = null)
{
    /// <summary>The Message-Id without angle brackets (<c>local@domain</c>); a new one is generated when null.</summary>
    public string? MessageId { get; init; }

    /// <summary>The run that sent it, written as the <c>X-Orchestrator-Run</c> header when given.</summary>
    public string? RunId { get; init; }
}

/// <summary>Sends email through the configured SMTP server (one connection, reused).</summary>
public interface IEmailSender
{
    /// <summary>
    /// Sends the message, retrying with backoff while the server is down or answers with a temporary
    /// error; throws <see cref="EmailException"/> when it refuses or stays unreachable. Returns the
    /// server's reply to the message's DATA.
    /// </summary>
    ValueTask<string> SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

/// <summary>An email that could not be sent; the message never holds a credential.</summary>
public sealed class EmailException : Exception
{
    public EmailException()
    {
    }

    public EmailException(string message)
        : base(message)
    {
    }

    public EmailException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
