namespace Orchestrator.Core.Parsing.Sysmon;

/// <summary>Placeholder until the Sysmon parser lands.</summary>
public sealed class SysmonParser : IEventParser
{
    public string Format => EventFormats.Sysmon;

    public ParseResult Parse(RawInput input) => ParseResult.Rejected("the Sysmon parser is not built yet");
}
