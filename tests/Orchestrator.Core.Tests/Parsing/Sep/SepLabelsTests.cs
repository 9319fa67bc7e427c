using Orchestrator.Core.Parsing.Sep;

namespace Orchestrator.Core.Tests.Parsing.Sep;

public class SepLabelsTests
{
    [Fact]
    public void Find_EveryKnownSpelling_FindsItselfExactly()
    {
        foreach (var known in SepLabels.All)
        {
            var found = SepLabels.Find(known.Name, out var exact);

            Assert.Same(known, found);
            Assert.True(exact, known.Name);
        }
    }

    [Theory]
    [InlineData("SOURCE COMPUTER NAME", "Source Computer Name")]
    [InlineData("computer NAME", "Computer name")]
    [InlineData("source ip", "Source IP")]
    public void Find_OtherCase_FindsTheLabelButNotExactly(string label, string expected)
    {
        var found = SepLabels.Find(label, out var exact);

        Assert.Equal(expected, found?.Name);
        Assert.False(exact);
    }

    [Theory]
    [InlineData("Source IPs")]
    [InlineData("")]
    [InlineData("A label that is far too long to be a SEP label")]
    public void Find_UnknownLabel_IsNull(string label)
    {
        Assert.Null(SepLabels.Find(label, out _));
    }
}
