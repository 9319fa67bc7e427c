using System.Globalization;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Parsing.Json;

/// <summary>
/// Parses one generic ECS-shaped JSON object (nested or dotted keys) through
/// <see cref="SecurityEventJson"/>, and decides the orchestrator kind.
/// </summary>
/// <remarks>
/// Kind: a known <c>orchestrator.kind</c> in the document wins (an unknown one is kept as the label
/// <c>orchestrator.kind</c>); otherwise <c>event.category</c> malware or intrusion_detection is a
/// detection (infection.detected; the tracer derives infection.traced), process + start is process.started, network +
/// connection is network.connection, anything else is other. When <c>event.category</c> or
/// <c>event.type</c> was an array every element counts. <c>event.original</c>, the format and
/// <c>event.ingested</c> always describe this ingestion, whatever the document said.
/// </remarks>
public sealed class EcsJsonParser : IUtf8EventParser
{
    public string Format => EventFormats.Json;

    public ParseResult Parse(RawInput input)
    {
        var evt = new SecurityEvent { Kind = "" };
        return SecurityEventJson.TryReadInto(input.Text, evt, out var error) ? Complete(evt, input) : ParseResult.Rejected(error);
    }

    public ParseResult Parse(ReadOnlySpan<byte> utf8, RawInput input)
    {
        var evt = new SecurityEvent { Kind = "" };
        return SecurityEventJson.TryReadInto(utf8, evt, out var error) ? Complete(evt, input) : ParseResult.Rejected(error);
    }

    private ParseResult Complete(SecurityEvent evt, RawInput input)
    {
        if (evt.Timestamp == default)
        {
            evt.Timestamp = input.ReceivedAt;
        }

        if (!EventKinds.All.Contains(evt.Kind, StringComparer.Ordinal))
        {
            if (evt.Kind.Length > 0)
            {
                evt.SetLabel("orchestrator.kind", evt.Kind);
            }

            evt.Kind = InferKind(evt);
        }

        // A store id belongs to the store that assigned it; a re-ingested export gets a new one.
        if (evt.Id != 0)
        {
            evt.SetLabel("orchestrator.id", evt.Id.ToString(CultureInfo.InvariantCulture));
            evt.Id = 0;
        }

        evt.Format = Format;
        evt.Original = input.Text;
        evt.Ingested = input.ReceivedAt;
        return ParseResult.Success(evt);
    }

    /// <summary>The kind implied by <c>event.category</c> and <c>event.type</c>.</summary>
    internal static string InferKind(SecurityEvent evt)
    {
        if (HasValue(evt, "event.category", evt.EventCategory, "malware") || HasValue(evt, "event.category", evt.EventCategory, "intrusion_detection"))
        {
            return EventKinds.InfectionDetected;
        }

        if (HasValue(evt, "event.category", evt.EventCategory, "process") && HasValue(evt, "event.type", evt.EventType, "start"))
        {
            return EventKinds.ProcessStarted;
        }

        if (HasValue(evt, "event.category", evt.EventCategory, "network") && HasValue(evt, "event.type", evt.EventType, "connection"))
        {
            return EventKinds.NetworkConnection;
        }

        return EventKinds.Other;
    }

    // An array value leaves its first element in the field and all elements, comma-joined, in
    // the label of the same path (see SecurityEventJson).
    private static bool HasValue(SecurityEvent evt, string path, string? field, string wanted)
    {
        if (string.Equals(field, wanted, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (evt.Labels is null || !evt.Labels.TryGetValue(path, out var all))
        {
            return false;
        }

        foreach (var part in all.Split(','))
        {
            if (string.Equals(part.Trim(), wanted, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
