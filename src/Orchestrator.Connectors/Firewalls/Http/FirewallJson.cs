using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Connectors.Firewalls.Http;

/// <summary>Reading the JSON the REST firewalls answer, where a body that is not JSON is an answer to report, not a crash.</summary>
internal static class FirewallJson
{
    public static JsonNode? Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? String(JsonObject json, string name) =>
        json[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
