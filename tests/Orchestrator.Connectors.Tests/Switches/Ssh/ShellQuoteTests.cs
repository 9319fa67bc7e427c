using Orchestrator.Connectors.Switches.Ssh;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>Arguments reach a POSIX shell single-quoted, so none is read as syntax.</summary>
public sealed class ShellQuoteTests
{
    [Theory]
    [InlineData("p1", "'p1'")]
    [InlineData("Gi1/0/1", "'Gi1/0/1'")]
    [InlineData("a b;rm -rf /", "'a b;rm -rf /'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(id)`id`", "'$(id)`id`'")]
    public void Quote_AnyText_IsOneLiteralWord(string argument, string quoted) =>
        Assert.Equal(quoted, ShellQuote.Quote(argument));
}
