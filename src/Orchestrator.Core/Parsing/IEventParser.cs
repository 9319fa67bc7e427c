namespace Orchestrator.Core.Parsing;

/// <summary>
/// Parses one format. Implementations are stateless and thread-safe; they never throw on bad
/// input but return <see cref="ParseResult.Rejected"/> with a reason a person can act on.
/// The produced event always carries the input text as <c>event.original</c> and its format name.
/// </summary>
public interface IEventParser
{
    /// <summary>The format name used in configuration and on the command line (sep, epo, cef, ...).</summary>
    string Format { get; }

    ParseResult Parse(RawInput input);
}
