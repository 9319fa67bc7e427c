using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Playbooks;

/// <summary>
/// Generates the JSON Schema (draft-07, what the YAML language server supports fully) of a playbook
/// document from <see cref="PlaybookSyntax"/> and a <see cref="StepCatalog"/>, so editors complete and
/// check the same keys the loader accepts.
/// </summary>
public static class PlaybookSchema
{
    private const string DurationPattern = @"^([0-9]+(\.[0-9]+)?(ms|s|m|h|d|w))+$";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The schema as indented JSON text, ending with a newline.</summary>
    public static string Generate(StepCatalog steps, IEnumerable<string> eventKinds)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(eventKinds);
        var kinds = eventKinds.Order(StringComparer.Ordinal).ToList();
        var schema = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["title"] = "Orchestrator playbook",
            ["description"] = "One playbook per YAML document; several in one file are separated by ---.",
        };
        var playbook = ObjectSchema(PlaybookSyntax.PlaybookKeys, kinds);
        foreach (var (key, value) in playbook.ToList())
        {
            playbook.Remove(key);
            schema[key] = value;
        }

        schema["definitions"] = new JsonObject
        {
            ["step"] = StepSchema(steps, kinds),
            ["duration"] = new JsonObject
            {
                ["type"] = "string",
                ["pattern"] = DurationPattern,
                ["description"] = "A number and a unit: 500ms, 30s, 10m, 24h, 7d, 2w, or combined: 1h30m.",
            },
            ["field"] = new JsonObject
            {
                ["type"] = "string",
                ["description"] = "An event field by its ECS name.",
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["enum"] = new JsonArray([.. EcsFields.All.Select(f => (JsonNode)JsonValue.Create("event." + f.Path))]) },
                    new JsonObject { ["pattern"] = "^event\\.labels\\..+$" }),
            },
        };
        return schema.ToJsonString(Indented) + "\n";
    }

    private static JsonObject StepSchema(StepCatalog steps, IReadOnlyList<string> kinds)
    {
        var step = ObjectSchema(PlaybookSyntax.StepKeys, kinds);
        step["description"] = "One action (exactly one of the step keys) with its parameters, and optional id, if, timeout, retry, continue_on_error.";
        var properties = (JsonObject)step["properties"]!;
        var oneOf = new JsonArray();
        foreach (var definition in steps.Steps.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var parameters = ObjectSchema(definition.Parameters, kinds, definition.AllowsOtherParameters);
            parameters["description"] = definition.Description;
            properties[definition.Name] = parameters;
            oneOf.Add(new JsonObject { ["required"] = new JsonArray(definition.Name) });
        }

        step["oneOf"] = oneOf;
        return step;
    }

    private static JsonObject ObjectSchema(IReadOnlyList<KeySpec> keys, IReadOnlyList<string> kinds, bool allowOthers = false)
    {
        var properties = new JsonObject();
        foreach (var key in keys)
        {
            properties[key.Name] = ValueSchema(key, kinds);
        }

        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = allowOthers,
        };
        var required = keys.Where(k => k.Required).Select(k => (JsonNode)JsonValue.Create(k.Name)).ToArray();
        if (required.Length > 0)
        {
            schema["required"] = new JsonArray(required);
        }

        return schema;
    }

    private static JsonObject ValueSchema(KeySpec key, IReadOnlyList<string> kinds)
    {
        JsonObject Ref(string name) => new() { ["$ref"] = "#/definitions/" + name };
        JsonObject OneOrList(JsonObject item) => new()
        {
            ["oneOf"] = new JsonArray(item, new JsonObject { ["type"] = "array", ["items"] = item.DeepClone(), ["minItems"] = 1 }),
        };

        var schema = key.Shape switch
        {
            KeyShape.Text or KeyShape.Template or KeyShape.Condition => new JsonObject { ["type"] = "string" },
            KeyShape.Duration => Ref("duration"),
            KeyShape.WholeNumber => new JsonObject { ["type"] = "integer" },
            KeyShape.Boolean => new JsonObject { ["type"] = "boolean" },
            KeyShape.Enum => new JsonObject { ["enum"] = new JsonArray([.. key.Values.Select(v => (JsonNode)JsonValue.Create(v))]) },
            KeyShape.EventKinds => OneOrList(new JsonObject { ["enum"] = new JsonArray([.. kinds.Select(k => (JsonNode)JsonValue.Create(k))]) }),
            KeyShape.Field => Ref("field"),
            KeyShape.Fields => OneOrList(Ref("field")),
            KeyShape.Steps => new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = Ref("step") },
            KeyShape.Map => ObjectSchema(key.Keys, kinds),
            KeyShape.TextList => OneOrList(new JsonObject { ["type"] = "string" }),
            KeyShape.Backoff => new JsonObject { ["oneOf"] = new JsonArray(Ref("duration"), ObjectSchema(PlaybookSyntax.BackoffKeys, kinds)) },
            _ => new JsonObject(),
        };

        if (key.Minimum is { } minimum)
        {
            schema["minimum"] = minimum;
        }

        if (key.Pattern is { } pattern)
        {
            schema["pattern"] = pattern.Regex;
        }

        // Draft-07 ignores keywords beside $ref, so a described reference is wrapped.
        return schema.ContainsKey("$ref")
            ? new JsonObject { ["description"] = key.Description, ["allOf"] = new JsonArray(schema) }
            : Describe(schema, key.Description);
    }

    private static JsonObject Describe(JsonObject schema, string description)
    {
        var described = new JsonObject { ["description"] = description };
        foreach (var (name, value) in schema.ToList())
        {
            schema.Remove(name);
            described[name] = value;
        }

        return described;
    }
}
