using Orchestrator.Core.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.Playbooks;

/// <summary>One YAML file being read: its documents, its text (for positions inside scalars), and the errors found in it.</summary>
internal sealed class YamlFile
{
    private readonly List<PlaybookError> _errors;

    private YamlFile(string name, string text, List<PlaybookError> errors)
    {
        Name = name;
        Source = new SourceText(text);
        _errors = errors;
    }

    public string Name { get; }

    public SourceText Source { get; }

    public IReadOnlyList<YamlDocument> Documents { get; private set; } = [];

    /// <summary>How many errors have been reported so far, in all files read with the same list.</summary>
    public int ErrorCount => _errors.Count;

    /// <summary>Parses <paramref name="text"/>; a syntax error is recorded at its position and leaves no documents.</summary>
    public static YamlFile Parse(string name, string text, List<PlaybookError> errors)
    {
        var file = new YamlFile(name, text, errors);
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
            file.Documents = [.. stream.Documents];
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some malformed input (an unclosed flow list at a new key).
            var at = parser.Current?.End ?? Mark.Empty;
            errors.Add(new PlaybookError(name, (int)at.Line, (int)at.Column, "YAML syntax error here (an unclosed '[', '{' or quote?)"));
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            if (message.Contains("same key", StringComparison.Ordinal) || message.Contains("Duplicate key", StringComparison.OrdinalIgnoreCase))
            {
                message = "a key appears twice in the same map";
            }

            errors.Add(new PlaybookError(name, (int)ex.Start.Line, (int)ex.Start.Column, Lowercase(StripPosition(message))));
        }

        return file;
    }

    public SourceLocation Location(YamlNode node) => new(Name, (int)node.Start.Line, (int)node.Start.Column);

    public void Error(YamlNode node, string message) => Error(Location(node), message);

    public void Error(SourceLocation location, string message) =>
        _errors.Add(new PlaybookError(location.File, location.Line, location.Column, message));

    /// <summary>Reports an error at <paramref name="offset"/> inside a scalar's value (for conditions and templates).</summary>
    public void ErrorInScalar(YamlScalarNode scalar, int offset, string message)
    {
        var (line, column) = ScalarPositions.For(Source, scalar).At(offset);
        _errors.Add(new PlaybookError(Name, line, column, message));
    }

    /// <summary>The position inside a scalar's value, as a location.</summary>
    public SourceLocation LocationInScalar(YamlScalarNode scalar, int offset)
    {
        var (line, column) = ScalarPositions.For(Source, scalar).At(offset);
        return new SourceLocation(Name, line, column);
    }

    /// <summary>
    /// The entries of <paramref name="map"/> by key; an unknown key (with a suggestion) or a missing required key
    /// is reported. <paramref name="what"/> names the map in messages ("playbook", "step", "threshold").
    /// </summary>
    public Dictionary<string, (YamlScalarNode Key, YamlNode Value)> Entries(YamlMappingNode map, IReadOnlyList<KeySpec> specs, string what, bool allowOthers = false)
    {
        var entries = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalarKey)
            {
                Error(keyNode, $"a key in the {what} must be a plain name");
                continue;
            }

            if (!allowOthers && !specs.Any(s => s.Name == key))
            {
                Error(keyNode, $"unknown key '{key}' in the {what}{Suggestions.DidYouMean(key, specs.Select(s => s.Name))}");
                continue;
            }

            entries[key] = (scalarKey, value);
        }

        foreach (var spec in specs.Where(s => s.Required && !entries.ContainsKey(s.Name)))
        {
            Error(map, $"the {what} has no '{spec.Name}' ({spec.Description.TrimEnd('.').ToLowerInvariant()})");
        }

        return entries;
    }

    /// <summary>A scalar's text; reports and returns null for a list or map, or for an empty value.</summary>
    public string? Text(YamlNode node, string key)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar))
        {
            return scalar.Value;
        }

        Error(node, $"'{key}' must be a single value");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string key)
    {
        var text = Text(node, key);
        if (text is null)
        {
            return null;
        }

        if (Durations.TryParse(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        Error(node, $"'{key}': '{text}' is not a duration (use a number and a unit: 500ms, 30s, 10m, 24h, 7d, 2w)");
        return null;
    }

    public int? Integer(YamlNode node, string key, int minimum)
    {
        var text = Text(node, key);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            Error(node, $"'{key}': '{text}' is not a whole number");
            return null;
        }

        if (value < minimum)
        {
            Error(node, $"'{key}' must be at least {minimum}, not {value}");
            return null;
        }

        return value;
    }

    public bool? Boolean(YamlNode node, string key)
    {
        var text = Text(node, key);
        return text switch
        {
            null => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => Report(),
        };

        bool? Report()
        {
            Error(node, $"'{key}' must be true or false, not '{text}'");
            return null;
        }
    }

    public string? Enum(YamlNode node, KeySpec spec)
    {
        var text = Text(node, spec.Name);
        if (text is null || spec.Values.Contains(text))
        {
            return text;
        }

        Error(node, $"'{spec.Name}' must be {string.Join(" or ", spec.Values)}, not '{text}'{Suggestions.DidYouMean(text, spec.Values)}");
        return null;
    }

    /// <summary>One scalar or a list of scalars, each with its node.</summary>
    public List<(string Text, YamlScalarNode Node)> OneOrMany(YamlNode node, string key)
    {
        var items = new List<(string, YamlScalarNode)>();
        var nodes = node is YamlSequenceNode sequence ? sequence.Children : (IEnumerable<YamlNode>)[node];
        foreach (var item in nodes)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } text } scalar && !IsNull(scalar))
            {
                items.Add((text, scalar));
            }
            else
            {
                Error(item, $"'{key}' takes a name or a list of names");
            }
        }

        return items;
    }

    public static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL" or null;

    // YamlDotNet starts its messages with "(Line: 2, Col: 5, Idx: 10) - (Line: ...): "; the position is printed already.
    private static string StripPosition(string message) =>
        message.StartsWith("(Line:", StringComparison.Ordinal) && message.IndexOf("): ", StringComparison.Ordinal) is var end and > 0
            ? message[(end + 3)..]
            : message;

    private static string Lowercase(string message) =>
        message.Length > 0 && char.IsUpper(message[0]) && (message.Length == 1 || !char.IsUpper(message[1]))
            ? char.ToLowerInvariant(message[0]) + message[1..]
            : message;
}
