using System.Globalization;
using System.Net;
using Fluid;
using Fluid.Values;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Playbooks;

/// <summary>
/// A Liquid template in a step parameter (<c>{{ event.source.ip }}</c>, <c>{{ window.distinct }}</c>,
/// <c>{{ steps.locate.port }}</c>), parsed once at load with Fluid and rendered per run.
/// </summary>
public sealed class PlaybookTemplate
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();

    private readonly IFluidTemplate _template;

    private PlaybookTemplate(string source, IFluidTemplate template)
    {
        Source = source;
        _template = template;
    }

    public string Source { get; }

    /// <summary>True when <paramref name="text"/> holds Liquid markup and so must be parsed as a template.</summary>
    public static bool HasMarkup(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains("{{", StringComparison.Ordinal) || text.Contains("{%", StringComparison.Ordinal);
    }

    /// <summary>
    /// Parses <paramref name="source"/>; on a syntax error returns false with Fluid's message and the
    /// 0-based offset in <paramref name="source"/> it points at (0 when Fluid gives no position).
    /// </summary>
    public static bool TryParse(string source, out PlaybookTemplate? template, out string error, out int errorOffset)
    {
        ArgumentNullException.ThrowIfNull(source);
        template = null;
        errorOffset = 0;
        if (Parser.TryParse(source, out var parsed, out error))
        {
            template = new PlaybookTemplate(source, parsed);
            return true;
        }

        (error, errorOffset) = SplitPosition(error, source);
        return false;
    }

    /// <summary>Renders with the event's fields by ECS path under <c>event</c>, the window under <c>window</c> and earlier step outputs under <c>steps</c>.</summary>
    public string Render(TemplateValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var context = new TemplateContext(Options);
        if (values.Event is not null)
        {
            context.SetValue("event", new EventFieldsValue(values.Event, ""));
        }

        context.SetValue("window", FluidValue.Create(values.Window, Options));
        context.SetValue("steps", FluidValue.Create(values.Steps, Options));
        if (values.PlaybookId is not null)
        {
            context.SetValue("playbook", FluidValue.Create(new Dictionary<string, object?> { ["id"] = values.PlaybookId }, Options));
        }

        return _template.Render(context);
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions { CultureInfo = CultureInfo.InvariantCulture, TimeZone = TimeZoneInfo.Utc };
        // Addresses and MACs print in their usual form, not as an object.
        options.ValueConverters.Add(value => value switch
        {
            IPAddress ip => new StringValue(ip.ToString()),
            MacAddress mac => new StringValue(mac.ToString()),
            _ => null,
        });
        return options;
    }

    // Fluid reports "... at (line:column)" with 1-based numbers counted in the template text, then the source lines.
    private static (string Message, int Offset) SplitPosition(string error, string source)
    {
        error = error.Split('\n')[0].TrimEnd();
        var open = error.LastIndexOf(" at (", StringComparison.Ordinal);
        if (open < 0 || !error.EndsWith(')'))
        {
            return (error, 0);
        }

        var position = error[(open + 5)..^1].Split(':');
        if (position.Length != 2
            || !int.TryParse(position[0], NumberStyles.None, CultureInfo.InvariantCulture, out var line)
            || !int.TryParse(position[1], NumberStyles.None, CultureInfo.InvariantCulture, out var column))
        {
            return (error, 0);
        }

        var offset = 0;
        for (var l = 1; l < line && offset < source.Length; l++)
        {
            var next = source.IndexOf('\n', offset);
            offset = next < 0 ? source.Length : next + 1;
        }

        return (error[..open], Math.Clamp(offset + column - 1, 0, source.Length));
    }

    /// <summary>The event seen as nested objects by ECS path (<c>event.source.ip</c>), resolved member by member without copying the event.</summary>
    private sealed class EventFieldsValue : ObjectValueBase
    {
        private static readonly HashSet<string> Prefixes = EcsFields.All
            .SelectMany(f => PrefixesOf(f.Path))
            .ToHashSet(StringComparer.Ordinal);

        private readonly SecurityEvent _event;
        private readonly string _prefix;

        public EventFieldsValue(SecurityEvent evt, string prefix)
            : base(evt)
        {
            _event = evt;
            _prefix = prefix;
        }

        public override ValueTask<FluidValue> GetValueAsync(string name, TemplateContext context)
        {
            var path = _prefix.Length == 0 ? name : _prefix + "." + name;
            if (EcsFields.TryGet(path, out var field))
            {
                return ValueTask.FromResult(FluidValue.Create(field.Get(_event), context.Options));
            }

            if (path == "labels")
            {
                var labels = _event.Labels?.ToDictionary(l => l.Key, l => (object?)l.Value, StringComparer.Ordinal)
                    ?? new Dictionary<string, object?>(StringComparer.Ordinal);
                return ValueTask.FromResult(FluidValue.Create(labels, context.Options));
            }

            return ValueTask.FromResult<FluidValue>(Prefixes.Contains(path) ? new EventFieldsValue(_event, path) : NilValue.Instance);
        }

        public override string ToStringValue() => "";

        private static IEnumerable<string> PrefixesOf(string path)
        {
            for (var dot = path.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = path.IndexOf('.', dot + 1))
            {
                yield return path[..dot];
            }
        }
    }
}

/// <summary>What a template can see when it is rendered: the event, the window's values and the outputs of earlier steps.</summary>
public sealed record TemplateValues
{
    public SecurityEvent? Event { get; init; }

    /// <summary>The window's values: <c>count</c>, <c>distinct</c>, <c>first</c>, <c>last</c>, <c>group</c>.</summary>
    public IReadOnlyDictionary<string, object?> Window { get; init; } = new Dictionary<string, object?>();

    /// <summary>Outputs of earlier steps by step id, each a map of output name to value.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> Steps { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, object?>>();

    public string? PlaybookId { get; init; }
}
