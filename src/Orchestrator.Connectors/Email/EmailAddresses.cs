using System.Diagnostics.CodeAnalysis;
using MimeKit;

namespace Orchestrator.Connectors.Email;

/// <summary>Parses the addresses playbooks and options give: one mailbox each, with a domain.</summary>
internal static class EmailAddresses
{
    /// <summary>MimeKit's parser without its leniency for a bare local part (<c>root</c>), which no relay would deliver.</summary>
    public static ParserOptions Strict { get; } = new() { AllowAddressesWithoutDomain = false };

    public static bool TryParse(string text, [NotNullWhen(true)] out MailboxAddress? mailbox) =>
        MailboxAddress.TryParse(Strict, text, out mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal);

    public static MailboxAddress Parse(string text) =>
        TryParse(text, out var mailbox) ? mailbox : throw new EmailException($"'{text}' is not an email address");
}
