namespace Orchestrator.Core.Parsing.Sep;

/// <summary>Placeholder until the Sep parser lands.</summary>
public sealed class SepSyslogParser : IEventParser
{
    public string Format => EventFormats.Sep;

    public ParseResult Parse(RawInput input) => ParseResult.Rejected("the Sep parser is not built yet");
}
