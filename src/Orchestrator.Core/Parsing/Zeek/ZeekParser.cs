namespace Orchestrator.Core.Parsing.Zeek;

/// <summary>Placeholder until the Zeek parser lands.</summary>
public sealed class ZeekParser : IEventParser
{
    public string Format => EventFormats.Zeek;

    public ParseResult Parse(RawInput input) => ParseResult.Rejected("the Zeek parser is not built yet");
}
