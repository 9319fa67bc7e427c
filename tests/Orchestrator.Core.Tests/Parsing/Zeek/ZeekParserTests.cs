using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Zeek;

namespace Orchestrator.Core.Tests.Parsing.Zeek;

public class ZeekParserTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 4, 1, 12, 0, 0, TimeSpan.Zero);

    private const string Fields = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\thistory";

    private static ParseResult Parse(string line, string? context = null) => new ZeekParser().Parse(new RawInput(line, ReceivedAt, context));

    [Fact]
    public void Parse_FieldsHeader_IsHeaderLine()
    {
        var result = Parse(Fields);

        Assert.Equal(ParseOutcome.Header, result.Outcome);
        Assert.Equal(Fields, result.Header);
    }

    [Theory]
    [InlineData("#separator \\x09")]
    [InlineData("#types\ttime\tstring")]
    [InlineData("#open\t2026-04-01-12-00-00")]
    [InlineData("#close\t2026-04-01-12-00-00")]
    [InlineData("#path\tconn")]
    public void Parse_OtherHeaderLines_Skipped(string line)
    {
        Assert.Equal(ParseOutcome.Skipped, Parse(line).Outcome);
    }

    [Fact]
    public void Parse_TsvLineWithHeader_MapsConnection()
    {
        var result = Parse("1775044800.250000\tCab12\t10.80.0.5\t51000\t10.80.9.9\t53\tudp\tdns\t0.01\t40\t(empty)\tSF\tT\tF\tDd", Fields);

        Assert.Equal(ParseOutcome.Event, result.Outcome);
        var evt = result.Event!;
        Assert.Equal(EventKinds.NetworkConnection, evt.Kind);
        Assert.Equal("zeek", evt.Format);
        Assert.Equal("zeek", evt.EventProvider);
        Assert.Equal("network", evt.EventCategory);
        Assert.Equal("connection", evt.EventType);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_775_044_800_250), evt.Timestamp);
        Assert.Equal(IPAddress.Parse("10.80.0.5"), evt.SourceIp);
        Assert.Equal(51000, evt.SourcePort);
        Assert.Equal(IPAddress.Parse("10.80.9.9"), evt.DestinationIp);
        Assert.Equal(53, evt.DestinationPort);
        Assert.Equal("udp", evt.NetworkTransport);
        Assert.Equal("dns", evt.NetworkProtocol);
        Assert.Equal("outbound", evt.NetworkDirection);
        Assert.Equal("Cab12", evt.Labels!["uid"]);
        Assert.Equal("SF", evt.Labels["conn_state"]);
        Assert.Equal("40", evt.Labels["orig_bytes"]);
        Assert.Equal("", evt.Labels["resp_bytes"]);
        Assert.Equal("Dd", evt.Labels["history"]);
    }

    [Fact]
    public void Parse_UnsetValues_LeftOut()
    {
        var evt = Parse("1775044800\tCab13\t10.80.0.5\t51001\t10.80.9.9\t443\ttcp\t-\t-\t-\t-\tS0\t-\t-\tS", Fields).Event!;

        Assert.Null(evt.NetworkProtocol);
        Assert.Null(evt.NetworkDirection);
        Assert.False(evt.Labels!.ContainsKey("duration"));
        Assert.False(evt.Labels.ContainsKey("local_orig"));
    }

    [Fact]
    public void Parse_TsvLineWithoutHeader_Rejected()
    {
        var result = Parse("1775044800\tCab13\t10.80.0.5\t51001\t10.80.9.9\t443\ttcp");

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Equal("a Zeek TSV line needs its #fields header first", result.Error);
    }

    [Fact]
    public void Parse_FieldCountMismatch_RejectedWithBothCounts()
    {
        var result = Parse("1775044800\tCab13\t10.80.0.5\t51001", Fields);

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Equal("the Zeek line has 4 fields but its #fields header names 15", result.Error);
    }

    [Fact]
    public void Parse_BadAddress_RejectedNamingField()
    {
        var result = Parse("1775044800\tCab13\t10.80.0.500\t51001\t10.80.9.9\t443\ttcp\t-\t-\t-\t-\tS0\t-\t-\tS", Fields);

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Equal("zeek field 'id.orig_h' is '10.80.0.500', not an IP address", result.Error);
    }

    [Fact]
    public void Parse_JsonDottedKeys_MapsConnection()
    {
        const string Line = """{"ts":1775044800.5,"uid":"Cj1","id.orig_h":"192.168.50.7","id.orig_p":60000,"id.resp_h":"203.0.113.80","id.resp_p":80,"proto":"tcp","service":"http","conn_state":"SF","local_orig":true,"local_resp":false,"history":"ShADadFf","tunnel_parents":[]}""";

        var evt = Parse(Line).Event!;

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_775_044_800_500), evt.Timestamp);
        Assert.Equal(IPAddress.Parse("192.168.50.7"), evt.SourceIp);
        Assert.Equal(60000, evt.SourcePort);
        Assert.Equal(IPAddress.Parse("203.0.113.80"), evt.DestinationIp);
        Assert.Equal(80, evt.DestinationPort);
        Assert.Equal("http", evt.NetworkProtocol);
        Assert.Equal("outbound", evt.NetworkDirection);
        Assert.Equal("Cj1", evt.Labels!["uid"]);
        Assert.Equal(Line, evt.Original);
    }

    [Fact]
    public void Parse_JsonOtrfRenamedKeysAndIsoTime_MapsConnection()
    {
        const string Line = """{"ts":"2026-04-01T11:59:58.125Z","uid":"Cj2","id_orig_h":"192.168.50.8","id_orig_p":"60001","id_resp_h":"192.168.50.1","id_resp_p":"445","proto":"tcp","orig_l2_addr":"02:00:00:00:00:08","resp_l2_addr":"02:00:00:00:00:01"}""";

        var evt = Parse(Line).Event!;

        Assert.Equal(new DateTimeOffset(2026, 4, 1, 11, 59, 58, 125, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(IPAddress.Parse("192.168.50.8"), evt.SourceIp);
        Assert.Equal(445, evt.DestinationPort);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:08"), evt.SourceMac);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:01"), evt.DestinationMac);
    }

    [Fact]
    public void Parse_JsonWithoutAddresses_Rejected()
    {
        var result = Parse("""{"ts":1775044800,"uid":"Cj3"}""");

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Equal("a Zeek conn record needs id.orig_h and id.resp_h", result.Error);
    }

    [Fact]
    public void Parse_InvalidJson_RejectedWithPosition()
    {
        var result = Parse("""{"ts":1775044800,"id.orig_h":}""");

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.StartsWith("invalid JSON at line 1, byte 30:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonWithLoneSurrogate_Rejected()
    {
        var result = Parse("{\"uid\":\"\\ud800\",\"id.orig_h\":\"10.0.0.1\"}");

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.StartsWith("invalid JSON string", result.Error, StringComparison.Ordinal);
    }
}
