using System.Globalization;
using Orchestrator.Connectors.Tls;

namespace Orchestrator.Connectors.Email;

/// <summary>How the connection to the SMTP server is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text: only for a relay on the same host or a lab.</summary>
    None,

    /// <summary>Plain connect, then STARTTLS is required before anything is sent (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (implicit TLS, port 465).</summary>
    Tls,
}

/// <summary>
/// The SMTP server the email connector sends through, how it trusts it, how it retries, and the
/// per-recipient rate limit. Bound from the <c>Smtp</c> configuration section.
/// </summary>
public sealed class SmtpOptions
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>The login; no authentication when empty.</summary>
    public string? Username { get; set; }

    /// <summary>The password, already resolved from its secret reference; never logged.</summary>
    public string? Password { get; set; }

    /// <summary>The sender address (<c>Orchestrator &lt;soc-bot@example.org&gt;</c> or a bare address).</summary>
    public string From { get; set; } = "";

    /// <summary>A PEM file of the CA that signs the server's certificate, trusted in addition to the system store.</summary>
    public string? CaFile { get; set; }

    /// <summary>
    /// The hex SHA-256 of the server's certificate (DER): that exact certificate is accepted whatever
    /// its issuer or name. With <see cref="CaFile"/> also set, either one accepting is enough.
    /// </summary>
    public string? PinnedSha256 { get; set; }

    /// <summary>The limit on connecting and on each SMTP command.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a send is retried after a transient failure (server down, 4xx reply).</summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>The first retry's delay; each later retry waits twice as long as the one before.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>At most this many emails to one recipient within <see cref="Per"/>; 0 means no limit.</summary>
    public int MaxPerRecipient { get; set; }

    /// <summary>The rate limit's window.</summary>
    public TimeSpan Per { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether a recipient gets one digest of what was held back when the window ends.</summary>
    public bool Digest { get; set; } = true;

    /// <summary>Every problem with the options, each naming the field and why; empty when they are usable.</summary>
    public static IReadOnlyList<string> Validate(SmtpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add("host: required (the SMTP server's name or address)");
        }

        if (options.Port is < 1 or > 65535)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"port: {options.Port} is not a TCP port (1-65535)"));
        }

        if (!Enum.IsDefined(options.Security))
        {
            errors.Add("security: must be none, starttls or tls");
        }

        if (string.IsNullOrWhiteSpace(options.From))
        {
            errors.Add("from: required (the sender address)");
        }
        else if (!MimeKit.MailboxAddress.TryParse(EmailAddresses.Strict, options.From, out _))
        {
            errors.Add($"from: '{options.From}' is not an email address");
        }

        if (!string.IsNullOrEmpty(options.Password) && string.IsNullOrEmpty(options.Username))
        {
            errors.Add("username: required when a password is set");
        }

        if (!string.IsNullOrEmpty(options.Username) && options.Security == SmtpSecurity.None)
        {
            errors.Add("security: 'none' would send the password in clear text; use starttls or tls");
        }

        if (options.CaFile is { Length: > 0 } caFile && !File.Exists(caFile))
        {
            errors.Add($"ca_file: '{caFile}' does not exist");
        }

        if (options.PinnedSha256 is { Length: > 0 } pin && ServerCertificateTrust.ParsePin(pin) is null)
        {
            errors.Add(ServerCertificateTrust.PinFormat);
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add("timeout: must be positive");
        }

        if (options.RetryAttempts < 0)
        {
            errors.Add("retry_attempts: must be 0 or more");
        }

        if (options.RetryBackoff < TimeSpan.Zero)
        {
            errors.Add("retry_backoff: must not be negative");
        }

        if (options.MaxPerRecipient < 0)
        {
            errors.Add("max_per_recipient: must be 0 (no limit) or more");
        }

        if (options.MaxPerRecipient > 0 && options.Per <= TimeSpan.Zero)
        {
            errors.Add("per: must be positive when max_per_recipient is set");
        }

        return errors;
    }
}
