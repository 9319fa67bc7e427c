using Orchestrator.Core.Playbooks;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.Tests.Playbooks;

public sealed class ScalarPositionsTests
{
    // Each case: YAML with a key 'c', and the expected line:column of the value's first 'X'.
    [Theory]
    [InlineData("c: ab X\n", 1, 7)]
    [InlineData("c: ab\n  cd X\n", 2, 6)]
    [InlineData("c: 'it''s X'\n", 1, 11)]
    [InlineData("c: \"a\\tb\\\"X\"\n", 1, 11)]
    [InlineData("c: \"a\\u00e9 X\"\n", 1, 13)]
    [InlineData("c: \"ab\n   cd X\"\n", 2, 7)]
    [InlineData("c: |\n  first\n  second X\n", 3, 10)]
    [InlineData("c: >-\n  first\n\n  second X\n", 4, 10)]
    [InlineData("- c: |\n    a\n      b X\n", 3, 9)]
    public void At_OffsetOfCharacter_PointsAtItInTheFile(string yaml, int line, int column)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = stream.Documents[0].RootNode;
        var map = root as YamlMappingNode ?? (YamlMappingNode)((YamlSequenceNode)root).Children[0];
        var scalar = (YamlScalarNode)map.Children[new YamlScalarNode("c")];

        var position = ScalarPositions.For(new SourceText(yaml), scalar).At(scalar.Value!.IndexOf('X', StringComparison.Ordinal));

        Assert.Equal((line, column), position);
    }
}
