namespace Orchestrator.Core.Parsing.Cef;

/// <summary>Placeholder until the Cef parser lands.</summary>
public sealed class CefParser : IEventParser
{
    public string Format => EventFormats.Cef;

    public ParseResult Parse(RawInput input) => ParseResult.Rejected("the Cef parser is not built yet");
}
