using System.Globalization;
using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Rules;

/// <summary>Reads one value of an event as text, for group keys and distinct counting; null when the event lacks it.</summary>
public sealed class EventFieldSelector
{
    private readonly Func<SecurityEvent, string?> _select;

    public EventFieldSelector(string path, Func<SecurityEvent, string?> select)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(select);
        Path = path;
        _select = select;
    }

    /// <summary>The ECS path (or a description) the value comes from, for explanations.</summary>
    public string Path { get; }

    /// <summary>A selector for a canonical field, e.g. <c>source.ip</c>; throws naming the path when it is not one.</summary>
    public static EventFieldSelector ForEcsPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!EcsFields.TryGet(path, out var field))
        {
            throw new ArgumentException($"'{path}' is not a known event field; use an ECS path such as source.ip or host.name.", nameof(path));
        }

        return field.Type switch
        {
            // IPAddress caches its text, so the key costs one allocation per address, not per event.
            EcsFieldType.Ip => new EventFieldSelector(path, e => ((IPAddress?)field.Get(e))?.ToString()),
            EcsFieldType.Text => new EventFieldSelector(path, e => field.Get(e) as string is { Length: > 0 } s ? s : null),
            _ => new EventFieldSelector(path, e => field.Get(e) is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : field.Get(e)?.ToString()),
        };
    }

    public string? Select(SecurityEvent evt) => _select(evt);

    public override string ToString() => Path;
}
