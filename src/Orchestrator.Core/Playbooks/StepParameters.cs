namespace Orchestrator.Core.Playbooks;

/// <summary>A step parameter as written: a scalar, a list or a map, each with where it is in the file.</summary>
public abstract class ParameterValue
{
    protected ParameterValue(SourceLocation location) => Location = location;

    public SourceLocation Location { get; }

    /// <summary>
    /// The value with every template rendered: a string for a scalar (null for an empty one), a list of
    /// rendered values for a list, a dictionary of rendered values for a map.
    /// </summary>
    public abstract object? Render(TemplateValues values);
}

/// <summary>A scalar parameter; its text is a Liquid template when it holds <c>{{</c> or <c>{%</c>.</summary>
public sealed class ParameterScalar : ParameterValue
{
    public ParameterScalar(string? text, PlaybookTemplate? template, SourceLocation location)
        : base(location)
    {
        Text = text;
        Template = template;
    }

    /// <summary>The text as written; null for an empty value (<c>~</c>, <c>null</c> or nothing).</summary>
    public string? Text { get; }

    /// <summary>The parsed template, or null when the text has no template markup.</summary>
    public PlaybookTemplate? Template { get; }

    public override object? Render(TemplateValues values) => Template is null ? Text : Template.Render(values);
}

/// <summary>A list parameter.</summary>
public sealed class ParameterList : ParameterValue
{
    public ParameterList(IReadOnlyList<ParameterValue> items, SourceLocation location)
        : base(location) => Items = items;

    public IReadOnlyList<ParameterValue> Items { get; }

    public override object? Render(TemplateValues values) => Items.Select(i => i.Render(values)).ToList();
}

/// <summary>A map parameter (and a step's whole parameter set), keys in the order written.</summary>
public sealed class ParameterMap : ParameterValue
{
    public ParameterMap(IReadOnlyList<KeyValuePair<string, ParameterValue>> entries, SourceLocation location)
        : base(location) => Entries = entries;

    public IReadOnlyList<KeyValuePair<string, ParameterValue>> Entries { get; }

    public ParameterValue? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

    public override object? Render(TemplateValues values) => RenderMap(values);

    /// <summary>Renders every entry into a dictionary by key.</summary>
    public IReadOnlyDictionary<string, object?> RenderMap(TemplateValues values)
    {
        var rendered = new Dictionary<string, object?>(Entries.Count, StringComparer.Ordinal);
        foreach (var (key, value) in Entries)
        {
            rendered[key] = value.Render(values);
        }

        return rendered;
    }
}
