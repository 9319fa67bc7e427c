using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Core.Tests.Parsing.Zeek;

/// <summary>The zeek/zeek core.history-flip conn.log (Fixtures/samples, BSD-3-Clause) through sessions.</summary>
public class ZeekSampleTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<ParseResult> ParseSample(string format)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "samples", "zeek-conn.log");
        var session = ParserRegistry.CreateDefault().StartSession(format);
        return File.ReadLines(path).Select(line => session.Parse(line, ReceivedAt)).ToList();
    }

    [Theory]
    [InlineData(EventFormats.Zeek)]
    [InlineData(EventFormats.Auto)]
    public void Parse_TsvSample_OneFlippedConnectionWithMacs(string format)
    {
        var results = ParseSample(format);

        Assert.Equal(10, results.Count);
        Assert.DoesNotContain(results, r => r.Outcome == ParseOutcome.Rejected);
        Assert.Single(results, r => r.Outcome == ParseOutcome.Header);
        var evt = Assert.Single(results, r => r.Outcome == ParseOutcome.Event).Event!;
        Assert.Equal(EventKinds.NetworkConnection, evt.Kind);
        Assert.Equal(IPAddress.Parse("141.42.64.125"), evt.SourceIp);
        Assert.Equal(56730, evt.SourcePort);
        Assert.Equal(IPAddress.Parse("125.190.109.199"), evt.DestinationIp);
        Assert.Equal(80, evt.DestinationPort);
        Assert.Equal(MacAddress.Parse("00:d0:03:3b:f4:00"), evt.SourceMac);
        Assert.Equal(MacAddress.Parse("00:b0:c2:86:ec:00"), evt.DestinationMac);
        Assert.Equal("tcp", evt.NetworkTransport);
        Assert.Equal("http", evt.NetworkProtocol);
        Assert.Equal("^hADdFaf", evt.Labels!["history"]);
        Assert.Equal("CHhAvVGS1DHFjwGM9", evt.Labels["uid"]);
        Assert.Equal("9417", evt.Labels["resp_bytes"]);
        Assert.Equal(new DateTimeOffset(2005, 10, 7, 23, 23, 55, 633, TimeSpan.Zero).AddTicks(4080), evt.Timestamp);
    }
}
