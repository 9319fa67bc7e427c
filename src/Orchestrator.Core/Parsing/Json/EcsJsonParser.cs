namespace Orchestrator.Core.Parsing.Json;

/// <summary>Placeholder until the Json parser lands.</summary>
public sealed class EcsJsonParser : IEventParser
{
    public string Format => EventFormats.Json;

    public ParseResult Parse(RawInput input) => ParseResult.Rejected("the Json parser is not built yet");
}
