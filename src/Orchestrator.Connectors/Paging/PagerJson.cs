using System.Collections;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Connectors.Paging;

/// <summary>JSON for the pager targets: rendered step values to JSON nodes, and request bodies.</summary>
internal static class PagerJson
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    /// <summary>
    /// A rendered parameter value as JSON: strings, numbers and booleans as themselves, maps
    /// (IReadOnlyDictionary) as objects, lists as arrays, anything else by its invariant text.
    /// </summary>
    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int or long or short or byte => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        double or float or decimal => JsonValue.Create(Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
        IReadOnlyDictionary<string, object?> map => ToObject(map),
        IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToNode)]),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    public static JsonObject ToObject(IReadOnlyDictionary<string, object?> map)
    {
        var json = new JsonObject();
        foreach (var (key, value) in map)
        {
            json[key] = ToNode(value);
        }

        return json;
    }

    /// <summary>A value as one string (Opsgenie details are string to string): text as is, anything else as compact JSON.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "",
        string text => text,
        _ => ToNode(value)?.ToJsonString() ?? "",
    };

    public static ByteArrayContent Content(JsonNode body) => Content(body.ToJsonString());

    public static ByteArrayContent Content(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = Json;
        return content;
    }

    /// <summary>A string property of a JSON object body, or null when the body is not such an object.</summary>
    public static string? StringProperty(string body, string name)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty(name, out var value)
                && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, ending with an ellipsis when cut.</summary>
    public static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    public static string ActionName(PageAction action) => action switch
    {
        PageAction.Trigger => "trigger",
        PageAction.Acknowledge => "acknowledge",
        PageAction.Resolve => "resolve",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}
