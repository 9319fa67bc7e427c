using Orchestrator.Core.Events;

namespace Orchestrator.Core.Parsing;

/// <summary>What a parser made of one line: an event, a header to remember, a line to skip, or a reason it was refused.</summary>
public readonly struct ParseResult
{
    private ParseResult(ParseOutcome outcome, SecurityEvent? evt, string? text)
    {
        Outcome = outcome;
        Event = evt;
        Text = text;
    }

    public ParseOutcome Outcome { get; }

    /// <summary>The event, when <see cref="Outcome"/> is <see cref="ParseOutcome.Event"/>.</summary>
    public SecurityEvent? Event { get; }

    /// <summary>The rejection reason, or the header that becomes the context of the lines after it.</summary>
    public string? Text { get; }

    public string? Error => Outcome == ParseOutcome.Rejected ? Text : null;

    public string? Header => Outcome == ParseOutcome.Header ? Text : null;

    public static ParseResult Success(SecurityEvent evt) => new(ParseOutcome.Event, evt ?? throw new ArgumentNullException(nameof(evt)), null);

    public static ParseResult Rejected(string reason) => new(ParseOutcome.Rejected, null, reason);

    /// <summary>A header line (Zeek <c>#fields</c>, a CSV header row): no event, but the context for the lines that follow.</summary>
    public static ParseResult HeaderLine(string header) => new(ParseOutcome.Header, null, header);

    /// <summary>A line that carries nothing (blank, a Zeek <c>#close</c> comment) and is not an error.</summary>
    public static ParseResult Skipped { get; } = new(ParseOutcome.Skipped, null, null);
}

/// <summary>The four things a line can turn out to be.</summary>
public enum ParseOutcome
{
    Event,
    Rejected,
    Header,
    Skipped,
}
