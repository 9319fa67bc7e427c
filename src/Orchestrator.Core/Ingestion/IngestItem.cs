using Orchestrator.Core.Events;

namespace Orchestrator.Core.Ingestion;

/// <summary>
/// One thing to commit: a parsed event (with the header context it was parsed under and the
/// listener it came from), or a dead letter.
/// </summary>
public readonly record struct IngestItem
{
    private IngestItem(SecurityEvent? evt, string? context, DeadLetter? deadLetter, string listener)
    {
        Event = evt;
        Context = context;
        DeadLetter = deadLetter;
        Listener = listener;
    }

    public SecurityEvent? Event { get; }

    /// <summary>The header line the event was parsed under (Zeek <c>#fields</c>, CSV header), or null.</summary>
    public string? Context { get; }

    public DeadLetter? DeadLetter { get; }

    /// <summary>The listener name (http, syslog-tcp, ingest, ...).</summary>
    public string Listener { get; }

    public static IngestItem ForEvent(SecurityEvent evt, string? context, string listener) => new(evt, context, null, listener);

    public static IngestItem ForDeadLetter(DeadLetter deadLetter) =>
        new(null, null, deadLetter ?? throw new ArgumentNullException(nameof(deadLetter)), deadLetter.Listener);
}
