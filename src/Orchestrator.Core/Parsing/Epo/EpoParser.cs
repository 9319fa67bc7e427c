namespace Orchestrator.Core.Parsing.Epo;

/// <summary>Placeholder until the Epo parser lands.</summary>
public sealed class EpoParser : IEventParser
{
    public string Format => EventFormats.Epo;

    public ParseResult Parse(RawInput input) => ParseResult.Rejected("the Epo parser is not built yet");
}
