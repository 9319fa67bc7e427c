namespace Orchestrator.Core.Parsing.Sep;

/// <summary>Placeholder until the SepCsv parser lands.</summary>
public sealed class SepCsvParser : IEventParser
{
    public string Format => EventFormats.SepCsv;

    public ParseResult Parse(RawInput input) => ParseResult.Rejected("the SepCsv parser is not built yet");

    /// <summary>True for the header row of a SEPM risk log export (it names Computer Name and Source Computer columns).</summary>
    public static bool LooksLikeHeader(ReadOnlySpan<char> line) => false;
}
