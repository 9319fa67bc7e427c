using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;
using static Orchestrator.Core.Runs.StepParameters;

namespace Orchestrator.Connectors.Email;

/// <summary>
/// The `email` step: sends <c>subject</c> and <c>body</c> (and an optional <c>html</c> alternative)
/// to <c>to</c> and <c>cc</c>, with the triggering event attached as <c>event.json</c> and, when a
/// threshold made the decision, every event of its window as <c>window-events.json</c> (a JSON array),
/// unless <c>attach_event</c> is false. Recipients over their rate limit are held back for their digest.
/// </summary>
public sealed class EmailStep(IEmailSender sender, EmailRateLimiter? rateLimiter = null, IEventStore? events = null) : IActionConnector
{
    public const string Name = "email";

    /// <summary>The attachment's file name.</summary>
    public const string EventFileName = "event.json";

    /// <summary>The attachment with the decision window's events.</summary>
    public const string WindowEventsFileName = "window-events.json";

    /// <summary>The step's parameters, for the playbook validator.</summary>
    public static StepDefinition Definition { get; } = new(Name, "Send an email through the configured SMTP server, with the triggering event attached as JSON.",
    [
        new("to", KeyShape.TextList, "Recipient address, or a list of them.") { Required = true },
        new("cc", KeyShape.TextList, "Copy recipients."),
        new("subject", KeyShape.Template, "The subject line.") { Required = true },
        new("body", KeyShape.Template, "The plain-text body.") { Required = true },
        new("html", KeyShape.Template, "An HTML body, sent as an alternative to the plain text."),
        new("attach_event", KeyShape.Boolean, "Attach the triggering event as event.json, and the decision window's events as window-events.json (default true)."),
    ]);

    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parameters = context.Parameters;
        if (!TryAddresses(parameters, "to", out var to, out var error) || !TryAddresses(parameters, "cc", out var cc, out error))
        {
            return StepResult.Failed(error);
        }

        if (to.Count == 0)
        {
            return StepResult.Failed("to: at least one recipient is required");
        }

        var subject = Text(parameters, "subject");
        if (string.IsNullOrWhiteSpace(subject))
        {
            return StepResult.Failed("subject: required");
        }

        var body = Text(parameters, "body");
        if (body is null)
        {
            return StepResult.Failed("body: required");
        }

        if (!TryFlag(parameters, "attach_event", defaultValue: true, out var attachEvent))
        {
            return StepResult.Failed($"attach_event: '{Text(parameters, "attach_event")}' is not true or false");
        }

        if (context.DryRun)
        {
            return StepResult.Success(new Dictionary<string, object?> { ["to"] = to, ["subject"] = subject, ["sent"] = false });
        }

        var attachments = attachEvent ? await AttachmentsAsync(context, cancellationToken).ConfigureAwait(false) : null;
        var message = new EmailMessage(to, cc, subject, body, Text(parameters, "html"), attachments)
        {
            MessageId = MessageIdFor(context.IdempotencyKey),
            RunId = context.RunId,
        };
        var held = rateLimiter?.HoldBack(message) ?? [];
        if (held.Count > 0)
        {
            message = message with { To = [.. to.Except(held)], Cc = [.. cc.Except(held)] };
        }

        if (message.To.Count + message.Cc.Count == 0)
        {
            return StepResult.Success(new Dictionary<string, object?> { ["message_id"] = null, ["to"] = to, ["sent"] = false, ["held"] = true });
        }

        try
        {
            await sender.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (EmailException ex)
        {
            return StepResult.Failed(ex.Message);
        }

        return StepResult.Success(new Dictionary<string, object?> { ["message_id"] = message.MessageId, ["to"] = to, ["sent"] = true, ["held"] = held.Count > 0 });
    }

    // The triggering event, and the window's events when the decision counted more than that one.
    private async ValueTask<List<EmailAttachment>?> AttachmentsAsync(StepContext context, CancellationToken cancellationToken)
    {
        var attachments = new List<EmailAttachment>();
        if (context.Event is { } evt)
        {
            attachments.Add(EventAttachment(evt));
        }

        if (events is not null && context.Window?.GetValueOrDefault("event_ids") is IEnumerable<object?> ids)
        {
            var windowEvents = new List<string>();
            foreach (var id in ids)
            {
                var eventId = Convert.ToInt64(id, CultureInfo.InvariantCulture);
                if (await events.GetAsync(eventId, cancellationToken).ConfigureAwait(false) is { } windowEvent)
                {
                    windowEvents.Add(SecurityEventJson.Serialize(windowEvent));
                }
            }

            if (windowEvents.Count > 1)
            {
                attachments.Add(new EmailAttachment(WindowEventsFileName, "application/json", Encoding.UTF8.GetBytes("[" + string.Join(",\n", windowEvents) + "]")));
            }
        }

        return attachments.Count == 0 ? null : attachments;
    }

    /// <summary>The event as the attachment: one line of nested ECS JSON, as the event store writes it.</summary>
    public static EmailAttachment EventAttachment(SecurityEvent evt) =>
        new(EventFileName, "application/json", Encoding.UTF8.GetBytes(SecurityEventJson.Serialize(evt)));

    /// <summary>
    /// A Message-Id derived from the step's idempotency key, so a retry or a resend after a crash
    /// carries the same id and a mail client can tell it is the same alert.
    /// </summary>
    public static string MessageIdFor(string idempotencyKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)).AsSpan(0, 16)) + "@orchestrator";

    private static bool TryAddresses(IReadOnlyDictionary<string, object?> parameters, string name, out List<string> addresses, out string error)
    {
        addresses = [];
        error = "";
        var items = parameters.GetValueOrDefault(name) switch
        {
            null => [],
            string one => [one],
            IEnumerable<object?> many => many.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture) ?? ""),
            var other => [Convert.ToString(other, CultureInfo.InvariantCulture) ?? ""],
        };
        foreach (var item in items)
        {
            // One item may itself be a list ("a@example.org, b@example.org") when a template renders it.
            if (!InternetAddressList.TryParse(EmailAddresses.Strict, item, out var list) || list.Count == 0)
            {
                error = $"{name}: '{item}' is not an email address";
                return false;
            }

            foreach (var address in list)
            {
                var text = address.ToString();
                if (address is not MailboxAddress || !EmailAddresses.TryParse(text, out _))
                {
                    error = $"{name}: '{text}' is not an email address";
                    return false;
                }

                addresses.Add(text);
            }
        }

        return true;
    }

    private static bool TryFlag(IReadOnlyDictionary<string, object?> parameters, string name, bool defaultValue, out bool flag)
    {
        switch (parameters.GetValueOrDefault(name))
        {
            case null:
                flag = defaultValue;
                return true;
            case bool value:
                flag = value;
                return true;
            case var other:
                return bool.TryParse(Convert.ToString(other, CultureInfo.InvariantCulture), out flag);
        }
    }
}
