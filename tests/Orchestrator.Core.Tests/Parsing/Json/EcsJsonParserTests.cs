using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Json;

namespace Orchestrator.Core.Tests.Parsing.Json;

public class EcsJsonParserTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static ParseResult Parse(string text) => new EcsJsonParser().Parse(new RawInput(text, ReceivedAt));

    [Fact]
    public void Parse_MalwareWithSourceIp_IsDetectionNamingItsSource()
    {
        const string Line = """{"@timestamp":"2026-05-06T07:00:00Z","event":{"category":"malware","kind":"alert"},"source":{"ip":"10.44.0.9"},"host":{"name":"lab-pc-3"},"rule":{"name":"EICAR"}}""";

        var result = Parse(Line);

        Assert.Equal(ParseOutcome.Event, result.Outcome);
        var evt = result.Event!;
        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("json", evt.Format);
        Assert.Equal(Line, evt.Original);
        Assert.Equal(new DateTimeOffset(2026, 5, 6, 7, 0, 0, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(IPAddress.Parse("10.44.0.9"), evt.SourceIp);
        Assert.Equal("EICAR", evt.RuleName);
    }

    [Fact]
    public void Parse_IntrusionDetectionInCategoryArrayWithoutSource_IsInfectionDetected()
    {
        var evt = Parse("""{"event":{"category":["network","intrusion_detection"]},"host":{"name":"lab-pc-3"}}""").Event!;

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
    }

    [Theory]
    [InlineData("""{"event.category":"process","event.type":"start"}""", EventKinds.ProcessStarted)]
    [InlineData("""{"event":{"category":["network"],"type":["connection"]}}""", EventKinds.NetworkConnection)]
    [InlineData("""{"event":{"category":"authentication","type":"start"}}""", EventKinds.Other)]
    [InlineData("""{"message":"hello"}""", EventKinds.Other)]
    public void Parse_CategoryAndType_InferKind(string line, string kind)
    {
        Assert.Equal(kind, Parse(line).Event!.Kind);
    }

    [Fact]
    public void Parse_KnownOrchestratorKind_Wins()
    {
        var evt = Parse("""{"orchestrator":{"kind":"network.connection"},"event":{"category":"malware"}}""").Event!;

        Assert.Equal(EventKinds.NetworkConnection, evt.Kind);
    }

    [Fact]
    public void Parse_UnknownOrchestratorKind_InfersAndKeepsItAsLabel()
    {
        var evt = Parse("""{"orchestrator.kind":"worm.spread","event.category":"malware","source.name":"pc-9"}""").Event!;

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("worm.spread", evt.Labels!["orchestrator.kind"]);
    }

    [Fact]
    public void Parse_NoTimestamp_UsesReceivedAt()
    {
        var evt = Parse("""{"host.name":"pc-1"}""").Event!;

        Assert.Equal(ReceivedAt, evt.Timestamp);
        Assert.Equal(ReceivedAt, evt.Ingested);
    }

    [Fact]
    public void Parse_InvalidJson_RejectedWithPosition()
    {
        var result = Parse("""{"host.name": pc-1}""");

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.StartsWith("invalid JSON at line 1, byte 15:", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[{\"host.name\":\"pc-1\"}]")]
    [InlineData("17")]
    public void Parse_NotAnObject_Rejected(string line)
    {
        var result = Parse(line);

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.StartsWith("expected one JSON object", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExportedStoreId_NotReusedButKeptAsLabel()
    {
        var evt = Parse("""{"orchestrator":{"id":77,"kind":"other"}}""").Event!;

        Assert.Equal(0, evt.Id);
        Assert.Equal("77", evt.Labels!["orchestrator.id"]);
    }

    [Fact]
    public void Parse_SerializedEvent_ReadsBackSameFields()
    {
        var evt = new SecurityEvent
        {
            Kind = EventKinds.ProcessStarted,
            Format = "sysmon",
            Timestamp = new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero),
            ProcessName = "evil.exe",
            HostIp = IPAddress.Parse("192.168.77.5"),
        };

        var read = Parse(SecurityEventJson.Serialize(evt)).Event!;

        Assert.Equal(EventKinds.ProcessStarted, read.Kind);
        Assert.Equal(evt.Timestamp, read.Timestamp);
        Assert.Equal("evil.exe", read.ProcessName);
        Assert.Equal(evt.HostIp, read.HostIp);
    }

    [Theory]
    [InlineData("""{"@timestamp":"2026-05-06T07:00:00.123+02:00","event":{"category":["network","intrusion_detection"]},"source.ip":"10.44.0.9","host":{"ip":["10.1.1.1","10.1.1.2"],"name":"caf\u00e9"},"labels":{"site":"lab","n":3,"deep":{"x":1}},"labels.rack":"r2","destination":{"port":70000},"x":{"y":[1,true,null,{"z":1},"s"]},"orchestrator":{"id":77}}""")]
    [InlineData("""{"host.name": pc-1}""")]
    [InlineData("""[{"host.name":"pc-1"}]""")]
    [InlineData("""{"a":"\ud800"}""")]
    [InlineData("""{"a":"\ud800","b":}""")]
    [InlineData("""{"labels":{"\udc00":{"dropped":true}},"host.name":"pc-1"}""")]
    [InlineData("")]
    public void Parse_Utf8Bytes_SameResultAsText(string line)
    {
        var input = new RawInput(line, ReceivedAt);

        var fromText = new EcsJsonParser().Parse(input);
        var fromBytes = new EcsJsonParser().Parse(System.Text.Encoding.UTF8.GetBytes(line), input);

        Assert.Equal(fromText.Outcome, fromBytes.Outcome);
        Assert.Equal(fromText.Error, fromBytes.Error);
        if (fromText.Event is { } expected)
        {
            Assert.Equal(SecurityEventJson.Serialize(expected), SecurityEventJson.Serialize(fromBytes.Event!));
        }
    }

    [Fact]
    public void Parse_EverythingAtOnce_FieldsLabelsAndInvalidValuesAsDocumented()
    {
        const string Line = """{"@timestamp":"2026-05-06T07:00:00.123+02:00","host":{"ip":["10.1.1.1","10.1.1.2"],"name":"caf\u00e9"},"labels":{"site":"lab","n":3,"deep":{"x":1}},"labels.rack":"r2","destination":{"port":70000},"x":{"y":[1,true,null,{"z":1},"s"]}}""";

        var evt = Parse(Line).Event!;

        Assert.Equal(new DateTimeOffset(2026, 5, 6, 5, 0, 0, 123, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(IPAddress.Parse("10.1.1.1"), evt.HostIp);
        Assert.Equal("café", evt.HostName);
        Assert.Equal("10.1.1.1,10.1.1.2", evt.Labels!["host.ip"]);
        Assert.Equal("lab", evt.Labels["site"]);
        Assert.Equal("3", evt.Labels["n"]);
        Assert.False(evt.Labels.ContainsKey("deep"));
        Assert.Equal("r2", evt.Labels["rack"]);
        Assert.Equal("70000", evt.Labels["invalid.destination.port"]);
        Assert.Equal("1,true,s", evt.Labels["x.y"]);
    }

    [Fact]
    public void Parse_BadStringThenSyntaxError_ReportsTheSyntaxError()
    {
        var result = Parse("""{"a":"\ud800","b":}""");

        Assert.StartsWith("invalid JSON at line 1, byte 19:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadLabelNameBesideDroppedValue_Accepted()
    {
        var result = Parse("""{"labels":{"\udc00":{"dropped":true}},"host.name":"pc-1"}""");

        Assert.Equal("pc-1", result.Event!.HostName);
    }

    [Theory]
    [InlineData("2026-11-23T10:00:00Z")]
    [InlineData("2026-11-23T10:00:00.1234567Z")]
    [InlineData("2026-11-23T10:00:00.123456789Z")]
    [InlineData("2026-11-23T10:00Z")]
    [InlineData("2026-11-23T10:00:00+02:00")]
    [InlineData("2026-11-23 10:00:00Z")]
    [InlineData("2026-11-23T10:00:00")]
    [InlineData("\\u0032026-11-23T10:00:00Z")]
    public void Parse_Timestamp_SameValueAsTheFieldsTextParse(string written)
    {
        var text = written.Replace("\\u0032", "2", StringComparison.Ordinal);
        var expected = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);

        var evt = Parse($$"""{"@timestamp":"{{written}}"}""").Event!;

        Assert.Equal(expected, evt.Timestamp);
        Assert.Equal(TimeSpan.Zero, evt.Timestamp.Offset);
    }

    [Theory]
    [InlineData("10.1.2.3", "10.1.2.3")]
    [InlineData("fe80::1%3", "fe80::1%3")]
    [InlineData("::ffff:10.1.2.3", "::ffff:10.1.2.3")]
    [InlineData("10.1.2", "10.1.0.2")]
    public void Parse_SourceIp_SameAddressAsTheTextParse(string written, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), Parse("{\"source\":{\"ip\":\"" + written + "\"}}").Event!.SourceIp);
    }

    [Fact]
    public void Parse_IpThatDoesNotParse_KeptAsInvalidLabel()
    {
        var evt = Parse("""{"source":{"ip":"10.1.2.300"}}""").Event!;

        Assert.Null(evt.SourceIp);
        Assert.Equal("10.1.2.300", evt.Labels!["invalid.source.ip"]);
    }
}
