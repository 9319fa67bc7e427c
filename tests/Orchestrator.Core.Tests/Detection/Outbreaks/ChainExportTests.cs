using System.Net;
using Orchestrator.Core.Detection.Outbreaks;
using static Orchestrator.Core.Tests.Detection.Outbreaks.OutbreakEvents;

namespace Orchestrator.Core.Tests.Detection.Outbreaks;

public sealed class ChainExportTests
{
    // Names an attacker controls: a quote and bracket that would close a Mermaid label and open a
    // node, HTML and entity characters, a pipe that ends an edge label, a backslash and a newline.
    private static InfectionChain HostileChain()
    {
        var correlator = new OutbreakCorrelator(new OutbreakOptions());
        var detection = Traced(0, "10.0.0.5", "b<x>#|\\\nend", IPAddress.Parse("10.0.0.7"), threat: "W32\"Worm`&");
        detection.Timestamp = T0.AddSeconds(131);
        detection.SourceName = "ev\"il[1]\"] --> n9[\"x";
        correlator.Observe(detection);
        return correlator.Chain(T0);
    }

    [Fact]
    public void ToMermaid_HostileNames_StayInsideTheirQuotedLabels()
    {
        Assert.Equal(
            "graph LR\n" +
            "  n0[\"ev#34;il[1]#34;] --#62; n9[#34;x (10.0.0.5)\"]\n" +
            "  n1[\"b#60;x#62;#35;#124;\\ end (10.0.0.7)\"]\n" +
            "  n0 -->|\"1 detection: W32#34;Worm#96;#38;\"| n1\n",
            ChainExport.ToMermaid(HostileChain()));
    }

    [Fact]
    public void ToDot_HostileNames_AreEscapedStrings()
    {
        Assert.Equal(
            "digraph infection {\n" +
            "  rankdir=LR;\n" +
            "  n0 [label=\"ev\\\"il[1]\\\"] --> n9[\\\"x\\n10.0.0.5\"];\n" +
            "  n1 [label=\"b<x>#|\\\\ end\\n10.0.0.7\"];\n" +
            "  n0 -> n1 [label=\"1 detection\\nW32\\\"Worm`&\"];\n" +
            "}\n",
            ChainExport.ToDot(HostileChain()));
    }

    [Fact]
    public void ToText_HostileNames_StayOnOneLinePerEdge()
    {
        Assert.Equal(
            "ev\"il[1]\"] --> n9[\"x (10.0.0.5) → b<x>#|\\ end (10.0.0.7)  1 detection  W32\"Worm`&  first 10:02:11Z\n",
            ChainExport.ToText(HostileChain()));
    }

    [Fact]
    public void ToMermaid_EmptyChain_IsAnEmptyGraph()
    {
        Assert.Equal("graph LR\n", ChainExport.ToMermaid(new InfectionChain(T0, [], [])));
    }
}
