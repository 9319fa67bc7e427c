using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Connectors.Paging;

/// <summary>
/// A chat service's incoming webhook: the page is posted as the service's JSON message to a URL that is
/// itself the secret (it never appears in a message or log). Chats have no alert state, so acknowledge
/// and resolve post a message saying so.
/// </summary>
public abstract class ChatWebhookTarget : IPagerTarget
{
    private readonly ChatWebhookOptions _options;
    private readonly PagerHttpSender _sender;
    private readonly string[] _secrets;
    private readonly string _described;

    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    protected ChatWebhookTarget(string name, string service, ChatWebhookOptions options, PagerHttpSender sender)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sender);
        PagerTargetValidation.ThrowIfInvalid(name, ChatWebhookOptions.Validate(options));
        Name = name;
        _options = options;
        _sender = sender;
        _secrets = PagerHttpSender.UrlSecrets(options.Url!);
        _described = $"pager target '{name}' ({service})";
    }

    public string Name { get; }

    public async ValueTask<PageReceipt> SendAsync(Page page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var body = Message(page).ToJsonString();
        var response = await _sender.SendAsync(
            _described,
            () => new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = PagerJson.Content(body) },
            _options.Timeout,
            _secrets,
            cancellationToken).ConfigureAwait(false);
        return new PageReceipt(response.Status, null, response.Attempts);
    }

    /// <summary>The service's message for the page.</summary>
    protected abstract JsonObject Message(Page page);
}

/// <summary>
/// Pages into a Slack channel through an incoming webhook: <c>{"text": ..., "blocks": [...]}</c>,
/// answered 200 <c>ok</c>.
/// </summary>
public sealed class SlackTarget(string name, ChatWebhookOptions options, PagerHttpSender sender) : ChatWebhookTarget(name, "Slack", options, sender)
{
    protected override JsonObject Message(Page page)
    {
        var text = ChatText.Of(page);
        // text is the notification and fallback; the section block shows the same in mrkdwn.
        return new JsonObject
        {
            ["text"] = text,
            ["blocks"] = new JsonArray(new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = PagerJson.Truncate(text, 3000) },
            }),
        };
    }
}

/// <summary>
/// Pages into a Microsoft Teams channel. Sends a message with one Adaptive Card attachment
/// (<c>application/vnd.microsoft.card.adaptive</c>): the format Teams Workflows' "when a Teams webhook
/// request is received" flows document, and one the retiring Office 365 incoming webhooks also accept,
/// unlike the legacy MessageCard which Workflows do not render. Workflows answer 202 Accepted, legacy
/// incoming webhooks 200 "1".
/// </summary>
public sealed class TeamsTarget(string name, ChatWebhookOptions options, PagerHttpSender sender) : ChatWebhookTarget(name, "Teams", options, sender)
{
    protected override JsonObject Message(Page page) => Card(page);

    private static JsonObject Card(Page page)
    {
        var facts = new JsonArray(
            Fact("Severity", page.Severity),
            Fact("Source", page.Source),
            Fact("Key", page.DedupKey));
        foreach (var (key, value) in page.Details)
        {
            facts.Add(Fact(key, PagerJson.ToText(value)));
        }

        var cardBody = new JsonArray(
            new JsonObject
            {
                ["type"] = "TextBlock",
                ["text"] = ChatText.Heading(page),
                ["weight"] = "Bolder",
                ["size"] = "Medium",
                ["color"] = page.Action == PageAction.Trigger && page.Severity is "critical" or "error" ? "Attention" : "Default",
                ["wrap"] = true,
            },
            new JsonObject { ["type"] = "TextBlock", ["text"] = page.Summary, ["wrap"] = true },
            new JsonObject { ["type"] = "FactSet", ["facts"] = facts });
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = cardBody,
        };
        if (page.Link is { } link)
        {
            card["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open incident", ["url"] = link });
        }

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["contentUrl"] = null,
                ["content"] = card,
            }),
        };
    }

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };
}

/// <summary>The words a chat message uses for a page, the same in Slack and Teams.</summary>
internal static class ChatText
{
    public static string Heading(Page page) => page.Action switch
    {
        PageAction.Trigger => page.Severity.ToUpperInvariant(),
        PageAction.Acknowledge => "Acknowledged",
        _ => "Resolved",
    };

    public static string Of(Page page)
    {
        var text = new StringBuilder();
        text.Append('*').Append(Heading(page)).Append("* ").Append(page.Summary).Append('\n');
        text.Append("Source: ").Append(page.Source).Append(" · Key: ").Append(page.DedupKey);
        foreach (var (key, value) in page.Details)
        {
            text.Append('\n').Append(key).Append(": ").Append(PagerJson.ToText(value));
        }

        if (page.Link is { } link)
        {
            text.Append('\n').Append(link);
        }

        return text.ToString();
    }
}
