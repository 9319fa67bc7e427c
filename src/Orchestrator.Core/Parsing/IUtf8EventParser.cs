namespace Orchestrator.Core.Parsing;

/// <summary>
/// A parser that can also read a line as the UTF-8 bytes it arrived in, so a listener that has the
/// bytes saves transcoding them again. Same rules as <see cref="IEventParser"/>.
/// </summary>
public interface IUtf8EventParser : IEventParser
{
    /// <summary>
    /// Parses <paramref name="utf8"/>, which is exactly <c>input.Text</c> as valid UTF-8; the result
    /// is the one <see cref="IEventParser.Parse"/> gives for <paramref name="input"/>.
    /// </summary>
    ParseResult Parse(ReadOnlySpan<byte> utf8, RawInput input);
}
