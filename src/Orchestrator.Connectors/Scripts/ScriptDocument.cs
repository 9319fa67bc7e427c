using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Events;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Scripts;

/// <summary>The JSON a script reads on stdin, and the outputs read back from the JSON it prints.</summary>
internal static class ScriptDocument
{
    /// <summary>
    /// <c>{"event": {...} | null, "run": {"id", "playbook", "step", "attempt", "dry_run", "idempotency_key"},
    /// "parameters": {...}}</c>; the step's <c>env</c> is left out of the parameters, as it may hold secrets.
    /// </summary>
    public static byte[] Input(StepContext context)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, SecurityEventJson.ReadableOutput))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("event");
            if (context.Event is { } evt)
            {
                SecurityEventJson.Write(writer, evt);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteStartObject("run");
            writer.WriteString("id", context.RunId);
            writer.WriteString("playbook", context.PlaybookId);
            writer.WriteString("step", context.StepId);
            writer.WriteNumber("attempt", context.Attempt);
            writer.WriteBoolean("dry_run", context.DryRun);
            writer.WriteString("idempotency_key", context.IdempotencyKey);
            writer.WriteEndObject();

            writer.WriteStartObject("parameters");
            foreach (var (name, value) in context.Parameters)
            {
                if (name != ScriptStep.EnvParameter)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, value);
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The members of the JSON object <paramref name="stdout"/> holds (surrounding whitespace allowed),
    /// as plain values templates can read: dictionaries, lists, strings, longs, doubles, bools, nulls.
    /// Null when it is not one JSON object.
    /// </summary>
    public static Dictionary<string, object?>? ReadOutputs(string stdout)
    {
        var text = stdout.AsSpan().Trim();
        if (text.IsEmpty || text[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text.ToString());
            return (Dictionary<string, object?>?)ToValue(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToMap(element),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : (object)element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static Dictionary<string, object?> ToMap(JsonElement element)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            map[property.Name] = ToValue(property.Value);
        }

        return map;
    }

    // Rendered parameters are strings, lists and maps; anything else is written as its text.
    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int or long:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double or float or decimal:
                writer.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (name, item) in map)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable<object?> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
