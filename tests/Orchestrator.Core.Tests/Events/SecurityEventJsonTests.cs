using System.Net;
using System.Text.Json;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Tests.Events;

public class SecurityEventJsonTests
{
    private static SecurityEvent FullEvent()
    {
        var evt = new SecurityEvent
        {
            Id = 12,
            Kind = EventKinds.InfectionTraced,
            Format = "sep",
            Timestamp = new DateTimeOffset(2026, 3, 4, 10, 11, 12, 345, TimeSpan.Zero),
            Ingested = new DateTimeOffset(2026, 3, 4, 10, 11, 13, TimeSpan.Zero),
            Original = "raw line with \"quotes\"",
            EventKind = "alert",
            EventCategory = "malware",
            EventType = "info",
            EventSeverity = 3,
            HostName = "pc-017",
            HostIp = IPAddress.Parse("10.20.30.40"),
            HostMac = MacAddress.Parse("00-11-22-33-44-55"),
            SourceIp = IPAddress.Parse("10.0.4.1"),
            SourcePort = 51234,
            SourceName = "hhhhh",
            SourceUser = "bob",
            DestinationIp = IPAddress.Parse("fd00::17"),
            DestinationPort = 445,
            ProcessPid = 4242,
            ProcessHashSha256 = "ab12",
            ProcessSigner = "Contoso Software Ltd",
            ProcessParentName = "cmd.exe",
            RuleName = "W32.Fake.Worm",
            NetworkDirection = "ingress",
        };
        evt.SetLabel("vendor.action", "Quarantined");
        return evt;
    }

    [Fact]
    public void Serialize_FullEvent_WritesNestedEcsObjectOnOneLine()
    {
        var json = SecurityEventJson.Serialize(FullEvent());

        Assert.DoesNotContain('\n', json);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("2026-03-04T10:11:12.3450000Z", root.GetProperty("@timestamp").GetString());
        var orchestrator = root.GetProperty("orchestrator");
        Assert.Equal(12, orchestrator.GetProperty("id").GetInt64());
        Assert.Equal("infection.traced", orchestrator.GetProperty("kind").GetString());
        Assert.Equal("sep", orchestrator.GetProperty("format").GetString());
        Assert.Equal("10.0.4.1", root.GetProperty("source").GetProperty("ip").GetString());
        Assert.Equal(51234, root.GetProperty("source").GetProperty("port").GetInt32());
        Assert.Equal("bob", root.GetProperty("source").GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("fd00::17", root.GetProperty("destination").GetProperty("ip").GetString());
        Assert.Equal("00:11:22:33:44:55", root.GetProperty("host").GetProperty("mac").GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("event").GetProperty("severity").ValueKind);
        Assert.Equal("raw line with \"quotes\"", root.GetProperty("event").GetProperty("original").GetString());
        Assert.Equal("cmd.exe", root.GetProperty("process").GetProperty("parent").GetProperty("name").GetString());
        Assert.Equal("Quarantined", root.GetProperty("labels").GetProperty("vendor.action").GetString());
    }

    [Fact]
    public void Serialize_FullEvent_WritesEachObjectOnce()
    {
        var json = SecurityEventJson.Serialize(FullEvent());

        using var doc = JsonDocument.Parse(json);
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        var process = doc.RootElement.GetProperty("process").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(process.Distinct().Count(), process.Count);
    }

    [Fact]
    public void Serialize_UnsetFields_AreLeftOut()
    {
        var json = SecurityEventJson.Serialize(new SecurityEvent { Kind = EventKinds.Other, Format = "json" });

        Assert.Equal("{\"orchestrator\":{\"kind\":\"other\",\"format\":\"json\"}}", json);
    }

    [Fact]
    public void Serialize_NonAsciiAndMarkup_StayReadable()
    {
        var json = SecurityEventJson.Serialize(new SecurityEvent { Kind = EventKinds.Other, UserName = "Müller <admin>" });

        Assert.Contains("\"name\":\"Müller <admin>\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_SerializedEvent_RoundTripsEveryField()
    {
        var original = FullEvent();

        Assert.True(SecurityEventJson.TryRead(SecurityEventJson.Serialize(original), out var read, out var error), error);

        Assert.Equal(original.Id, read.Id);
        foreach (var field in EcsFields.All)
        {
            Assert.Equal(field.Get(original), field.Get(read));
        }

        Assert.Equal(original.Labels, read.Labels);
        Assert.Equal(SecurityEventJson.Serialize(original), SecurityEventJson.Serialize(read));
    }

    [Fact]
    public void Serialize_ProcessSigner_RoundTripsAsEcsCodeSignatureSubjectName()
    {
        var evt = new SecurityEvent { Kind = EventKinds.ProcessStarted, ProcessName = "setup.exe", ProcessSigner = "Contoso Software Ltd" };

        var json = SecurityEventJson.Serialize(evt);

        using var doc = JsonDocument.Parse(json);
        var process = doc.RootElement.GetProperty("process");
        Assert.Equal("Contoso Software Ltd", process.GetProperty("code_signature").GetProperty("subject_name").GetString());
        Assert.Equal("setup.exe", process.GetProperty("name").GetString());
        Assert.True(SecurityEventJson.TryRead(json, out var read, out var error), error);
        Assert.Equal("Contoso Software Ltd", read.ProcessSigner);
        Assert.True(SecurityEventJson.TryRead("""{"process.code_signature.subject_name":"Flat Signer"}""", out var flat, out _));
        Assert.Equal("Flat Signer", flat.ProcessSigner);
    }

    [Fact]
    public void TryRead_FlatDottedKeys_SetSameFieldsAsNested()
    {
        const string Flat = """{"@timestamp":"2026-01-02T03:04:05Z","source.ip":"10.1.2.3","source.port":"8080","host.name":"web-1","process.parent.pid":7}""";

        Assert.True(SecurityEventJson.TryRead(Flat, out var evt, out _));

        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), evt.SourceIp);
        Assert.Equal(8080, evt.SourcePort);
        Assert.Equal("web-1", evt.HostName);
        Assert.Equal(7, evt.ProcessParentPid);
        Assert.Null(evt.Labels);
    }

    [Fact]
    public void TryRead_ArrayForCanonicalField_TakesFirstAndKeepsAllAsLabel()
    {
        const string Json = """{"host":{"ip":["10.9.9.9","fe80::1"]},"event":{"category":["network"],"type":["connection","start"]}}""";

        Assert.True(SecurityEventJson.TryRead(Json, out var evt, out _));

        Assert.Equal(IPAddress.Parse("10.9.9.9"), evt.HostIp);
        Assert.Equal("network", evt.EventCategory);
        Assert.Equal("connection", evt.EventType);
        Assert.Equal("10.9.9.9,fe80::1", evt.Labels!["host.ip"]);
        Assert.Equal("connection,start", evt.Labels["event.type"]);
        Assert.False(evt.Labels.ContainsKey("event.category"));
    }

    [Fact]
    public void TryRead_UnknownFieldsAndLabels_BecomeLabels()
    {
        const string Json = """{"winlog":{"channel":"Security","opcode":0},"related":{"ip":["1.1.1.1","2.2.2.2"]},"labels":{"site":"hq"},"labels.room":"b12","enabled":true,"gone":null}""";

        Assert.True(SecurityEventJson.TryRead(Json, out var evt, out _));

        Assert.Equal("Security", evt.Labels!["winlog.channel"]);
        Assert.Equal("0", evt.Labels["winlog.opcode"]);
        Assert.Equal("1.1.1.1,2.2.2.2", evt.Labels["related.ip"]);
        Assert.Equal("hq", evt.Labels["site"]);
        Assert.Equal("b12", evt.Labels["room"]);
        Assert.Equal("true", evt.Labels["enabled"]);
        Assert.False(evt.Labels.ContainsKey("gone"));
    }

    [Fact]
    public void TryRead_ValueThatDoesNotFitItsField_KeptAsInvalidLabel()
    {
        const string Json = """{"source.ip":"not-an-ip","destination":{"port":70000},"host.name":"pc-1"}""";

        Assert.True(SecurityEventJson.TryRead(Json, out var evt, out _));

        Assert.Null(evt.SourceIp);
        Assert.Null(evt.DestinationPort);
        Assert.Equal("pc-1", evt.HostName);
        Assert.Equal("not-an-ip", evt.Labels!["invalid.source.ip"]);
        Assert.Equal("70000", evt.Labels["invalid.destination.port"]);
    }

    [Fact]
    public void TryRead_InvalidJson_ErrorNamesLineAndByte()
    {
        Assert.False(SecurityEventJson.TryRead("{\"a\":x}", out var evt, out var error));

        Assert.Null(evt);
        Assert.StartsWith("invalid JSON at line 1, byte 6:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2]", "an array")]
    [InlineData("42", "a number")]
    [InlineData("\"text\"", "a string")]
    public void TryRead_NotAnObject_Refused(string json, string described)
    {
        Assert.False(SecurityEventJson.TryRead(json, out _, out var error));

        Assert.Equal($"expected one JSON object, got {described}", error);
    }

    [Theory]
    [InlineData("{\"a\":\"\\ud800\"}", "invalid JSON string:")]
    [InlineData("{\"\\udc00\":1}", "invalid JSON string:")]
    public void TryRead_LoneSurrogate_RefusedNotThrown(string json, string reason)
    {
        Assert.False(SecurityEventJson.TryRead(json, out _, out var error));

        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_UnescapedLoneSurrogate_RefusedNotThrown()
    {
        Assert.False(SecurityEventJson.TryRead("{\"a\":\"" + (char)0xD800 + "\"}", out _, out var error));

        Assert.StartsWith("invalid text:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_NestedTooDeep_Refused()
    {
        Assert.False(SecurityEventJson.TryRead(new string('[', 100) + new string(']', 100), out _, out var error));

        Assert.StartsWith("invalid JSON at line 1", error, StringComparison.Ordinal);
    }
}
