using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Connectors.Tests.Paging;

/// <summary>
/// The PagerDuty Events API v2 as documented: <c>POST /v2/enqueue</c>, JSON, a 32-character
/// routing_key, event_action trigger|acknowledge|resolve, dedup_key up to 255 characters, and for a
/// trigger a payload with summary (1–1024), source and severity critical|error|warning|info.
/// Answers 202 {status, message, dedup_key}, or 400 {status: "invalid event", message, errors}.
/// Keeps each alert's state by dedup key.
/// </summary>
public sealed class PagerDutyVendor(string routingKey)
{
    private static readonly string[] Actions = ["trigger", "acknowledge", "resolve"];
    private static readonly string[] Severities = ["critical", "error", "warning", "info"];

    public Dictionary<string, string> AlertStates { get; } = new(StringComparer.Ordinal);

    public Reply Handle(Recorded request)
    {
        var errors = new List<string>();
        if (request.Method != "POST" || request.Path != "/v2/enqueue")
        {
            return new Reply(404, """{"status":"not found"}""");
        }

        if (request.Header("Content-Type")?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            errors.Add("Content-Type must be application/json");
        }

        var body = Vendor.ParseObject(request.Body, errors);
        if (body is not null)
        {
            var key = Vendor.String(body, "routing_key");
            if (key?.Length != 32)
            {
                errors.Add("Length of 'routing_key' is incorrect (should be 32 characters)");
            }
            else if (key != routingKey)
            {
                errors.Add("Invalid routing key");
            }

            var action = Vendor.String(body, "event_action");
            if (action is null || !Actions.Contains(action))
            {
                errors.Add("'event_action' is invalid (must be one of trigger, acknowledge, resolve)");
            }

            var dedupKey = Vendor.String(body, "dedup_key");
            if (dedupKey?.Length > 255)
            {
                errors.Add("'dedup_key' is too long (maximum 255 characters)");
            }

            if (action is "acknowledge" or "resolve" && string.IsNullOrEmpty(dedupKey))
            {
                errors.Add("'dedup_key' is required for acknowledge and resolve");
            }

            if (action == "trigger")
            {
                if (body["payload"] is not JsonObject payload)
                {
                    errors.Add("'payload' is missing or not an object");
                }
                else
                {
                    var summary = Vendor.String(payload, "summary");
                    if (string.IsNullOrEmpty(summary) || summary.Length > 1024)
                    {
                        errors.Add("'payload.summary' is missing or longer than 1024 characters");
                    }

                    if (string.IsNullOrEmpty(Vendor.String(payload, "source")))
                    {
                        errors.Add("'payload.source' is missing");
                    }

                    if (!Severities.Contains(Vendor.String(payload, "severity")))
                    {
                        errors.Add("'payload.severity' is invalid (must be one of critical, error, warning, info)");
                    }

                    if (Vendor.String(payload, "timestamp") is { } timestamp
                        && !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    {
                        errors.Add("'payload.timestamp' is not ISO 8601");
                    }

                    if (payload["custom_details"] is { } details && details is not JsonObject)
                    {
                        errors.Add("'payload.custom_details' must be an object");
                    }
                }
            }

            if (errors.Count == 0)
            {
                dedupKey ??= Guid.NewGuid().ToString("N");
                AlertStates[dedupKey] = action!;
                return new Reply(202, new JsonObject { ["status"] = "success", ["message"] = "Event processed", ["dedup_key"] = dedupKey }.ToJsonString());
            }
        }

        return new Reply(400, new JsonObject
        {
            ["status"] = "invalid event",
            ["message"] = "Event object is invalid",
            ["errors"] = new JsonArray([.. errors.Select(e => (JsonNode)JsonValue.Create(e))]),
        }.ToJsonString());
    }
}

/// <summary>
/// The Opsgenie Alert API as documented: <c>Authorization: GenieKey KEY</c>; <c>POST /v2/alerts</c>
/// with message (≤ 130), alias (≤ 512), priority P1–P5, details string to string, tags, responders;
/// <c>POST /v2/alerts/{alias}/acknowledge|close?identifierType=alias</c>. Answers 202
/// {result, took, requestId}; 401 or 422 {message, took, requestId}. Keeps each alert's state by alias.
/// </summary>
public sealed class OpsgenieVendor(string apiKey)
{
    private static readonly string[] Priorities = ["P1", "P2", "P3", "P4", "P5"];
    private static readonly string[] ResponderTypes = ["team", "user", "escalation", "schedule"];

    public Dictionary<string, string> AlertStates { get; } = new(StringComparer.Ordinal);

    public List<string> RequestIds { get; } = [];

    public Reply Handle(Recorded request)
    {
        if (request.Header("Authorization") != "GenieKey " + apiKey)
        {
            return Answer(401, "Could not authenticate");
        }

        if (request.Method != "POST" || request.Header("Content-Type")?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            return Answer(422, "Request must be a JSON POST");
        }

        var errors = new List<string>();
        var body = Vendor.ParseObject(request.Body, errors);
        if (body is null)
        {
            return Answer(422, string.Join("; ", errors));
        }

        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["v2", "alerts"])
        {
            var message = Vendor.String(body, "message");
            if (string.IsNullOrEmpty(message) || message.Length > 130)
            {
                errors.Add("Message can not be empty or longer than 130 characters");
            }

            var alias = Vendor.String(body, "alias");
            if (alias?.Length > 512)
            {
                errors.Add("Alias can not be longer than 512 characters");
            }

            if (Vendor.String(body, "priority") is { } priority && !Priorities.Contains(priority))
            {
                errors.Add("Priority should be one of [P1, P2, P3, P4, P5]");
            }

            if (body["details"] is { } details && (details is not JsonObject map || map.Any(d => d.Value?.GetValueKind() != JsonValueKind.String)))
            {
                errors.Add("Details must be a map of strings");
            }

            if (body["tags"] is { } tags && (tags is not JsonArray list || list.Any(t => t?.GetValueKind() != JsonValueKind.String)))
            {
                errors.Add("Tags must be a list of strings");
            }

            if (body["responders"] is { } responders)
            {
                if (responders is not JsonArray array || array.Any(r => r is not JsonObject o
                    || !ResponderTypes.Contains(Vendor.String(o, "type"))
                    || (Vendor.String(o, "name") ?? Vendor.String(o, "username") ?? Vendor.String(o, "id")) is null))
                {
                    errors.Add("Responders must each have a type and a name, username or id");
                }
            }

            if (errors.Count > 0)
            {
                return Answer(422, string.Join("; ", errors));
            }

            AlertStates[alias ?? message!] = "open";
            return Accepted();
        }

        if (segments is ["v2", "alerts", var escaped, "acknowledge" or "close"])
        {
            var alias = Uri.UnescapeDataString(escaped);
            if (request.Query != "?identifierType=alias")
            {
                return Answer(422, "identifierType must be alias here");
            }

            if (alias.Length > 512)
            {
                return Answer(422, "Alias can not be longer than 512 characters");
            }

            if (Vendor.String(body, "note")?.Length > 25000)
            {
                return Answer(422, "Note can not be longer than 25000 characters");
            }

            // The real API answers 202 even for an unknown alias (the work is asynchronous); the state shows it.
            AlertStates[alias] = segments[3] == "close" ? "closed" : "acked";
            return Accepted();
        }

        return Answer(404, "Not found");
    }

    private Reply Accepted()
    {
        var id = Guid.NewGuid().ToString();
        RequestIds.Add(id);
        return new Reply(202, new JsonObject { ["result"] = "Request will be processed", ["took"] = 0.01, ["requestId"] = id }.ToJsonString());
    }

    private static Reply Answer(int status, string message) =>
        new(status, new JsonObject { ["message"] = message, ["took"] = 0.0, ["requestId"] = Guid.NewGuid().ToString() }.ToJsonString());
}

/// <summary>A Slack incoming webhook: a JSON POST with a non-empty <c>text</c>; 200 "ok", or 400 "invalid_payload" as plain text.</summary>
public static class SlackVendor
{
    public static Reply Handle(Recorded request)
    {
        if (request.Method != "POST" || request.Header("Content-Type")?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            return Reply.Text(400, "invalid_payload");
        }

        var body = Vendor.ParseObject(request.Body, []);
        return body is not null && !string.IsNullOrEmpty(Vendor.String(body, "text"))
            ? Reply.Text(200, "ok")
            : Reply.Text(400, "invalid_payload");
    }
}

/// <summary>
/// A Teams Workflows webhook: a JSON POST of a message (<c>type: message</c>) with an attachment of
/// contentType <c>application/vnd.microsoft.card.adaptive</c> whose content is an AdaptiveCard with a
/// version and a body; 202 Accepted, else 400 with the reason as text.
/// </summary>
public static class TeamsVendor
{
    public static Reply Handle(Recorded request)
    {
        var body = Vendor.ParseObject(request.Body, []);
        if (request.Method != "POST" || body is null || Vendor.String(body, "type") != "message")
        {
            return Reply.Text(400, "Body must be a message");
        }

        if (body["attachments"] is not JsonArray { Count: > 0 } attachments
            || attachments[0] is not JsonObject attachment
            || Vendor.String(attachment, "contentType") != "application/vnd.microsoft.card.adaptive"
            || attachment["content"] is not JsonObject card
            || Vendor.String(card, "type") != "AdaptiveCard"
            || string.IsNullOrEmpty(Vendor.String(card, "version"))
            || card["body"] is not JsonArray { Count: > 0 })
        {
            return Reply.Text(400, "Attachment must be an Adaptive Card with a version and a body");
        }

        return new Reply(202);
    }
}

/// <summary>A receiver of signed webhooks: checks <c>X-Orchestrator-Signature</c> against its own HMAC-SHA256 of <c>timestamp.body</c> with the shared secret; 401 when it does not match.</summary>
public sealed class SignedWebhookVendor(string secret)
{
    public Reply Handle(Recorded request)
    {
        var timestamp = request.Header("X-Orchestrator-Timestamp");
        var signature = request.Header("X-Orchestrator-Signature");
        if (timestamp is null || signature is null)
        {
            return new Reply(401, """{"error":"unsigned request"}""");
        }

        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = "sha256=" + Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(timestamp + "." + request.Body))).ToLowerInvariant();
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? new Reply(200, """{"received":true}""")
            : new Reply(401, """{"error":"signature mismatch"}""");
    }
}

internal static class Vendor
{
    public static JsonObject? ParseObject(string body, List<string> errors)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject json)
            {
                return json;
            }
        }
        catch (JsonException)
        {
        }

        errors.Add("Body is not a JSON object");
        return null;
    }

    public static string? String(JsonObject json, string name) =>
        json[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
