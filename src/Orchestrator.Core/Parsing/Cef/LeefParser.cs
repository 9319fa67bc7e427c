namespace Orchestrator.Core.Parsing.Cef;

/// <summary>Placeholder until the Leef parser lands.</summary>
public sealed class LeefParser : IEventParser
{
    public string Format => EventFormats.Leef;

    public ParseResult Parse(RawInput input) => ParseResult.Rejected("the Leef parser is not built yet");
}
