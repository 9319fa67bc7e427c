using Orchestrator.Core.Detection;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Core.Ingestion;

/// <summary>
/// One thing to commit: a parsed event (with the header context it was parsed under and the
/// listener it came from), an event a detector derived (with its dedupe key), or a dead letter.
/// </summary>
public readonly record struct IngestItem
{
    /// <summary>The listener name derived events are stored under.</summary>
    public const string DetectorListener = "detector";

    private IngestItem(SecurityEvent? evt, string? context, DeadLetter? deadLetter, string listener, string? dedupeKey = null)
    {
        Event = evt;
        Context = context;
        DeadLetter = deadLetter;
        Listener = listener;
        DedupeKey = dedupeKey;
    }

    public SecurityEvent? Event { get; }

    /// <summary>The header line the event was parsed under (Zeek <c>#fields</c>, CSV header), or null.</summary>
    public string? Context { get; }

    public DeadLetter? DeadLetter { get; }

    /// <summary>The listener name (http, syslog-tcp, ingest, ...).</summary>
    public string Listener { get; }

    /// <summary>
    /// For a derived event: the store keeps the first event under this key and skips any later one
    /// (its id stays 0 and it is not published). Null for everything else.
    /// </summary>
    public string? DedupeKey { get; }

    public static IngestItem ForEvent(SecurityEvent evt, string? context, string listener) => new(evt, context, null, listener);

    /// <summary>
    /// A derived event, stored as its ECS JSON (format json, <c>orchestrator.kind</c> inside) so it
    /// is read back like any stored event.
    /// </summary>
    public static IngestItem ForDerived(DerivedEvent derived)
    {
        ArgumentNullException.ThrowIfNull(derived);
        var evt = derived.Event;
        evt.Format = EventFormats.Json;
        evt.Original = "";
        evt.Original = SecurityEventJson.Serialize(evt);
        return new(evt, null, null, DetectorListener, derived.DedupeKey);
    }

    public static IngestItem ForDeadLetter(DeadLetter deadLetter) =>
        new(null, null, deadLetter ?? throw new ArgumentNullException(nameof(deadLetter)), deadLetter.Listener);
}
