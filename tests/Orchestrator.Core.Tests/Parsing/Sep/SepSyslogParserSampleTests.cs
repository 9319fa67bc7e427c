using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Sep;

namespace Orchestrator.Core.Tests.Parsing.Sep;

/// <summary>The real SEPM lines of SC4S's tests (Fixtures/samples/sep-syslog-examples.log).</summary>
public class SepSyslogParserSampleTests
{
    private static readonly string[] Lines =
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "samples", "sep-syslog-examples.log"));

    private static SecurityEvent Sample(string startsWith) =>
        SepSyslogParserTests.ParseEvent(Lines.Single(l => l.Contains(startsWith, StringComparison.Ordinal)));

    [Fact]
    public void Parse_EverySampleLine_IsAnEvent()
    {
        Assert.Equal(20, Lines.Length);
        var parser = new SepSyslogParser();
        foreach (var line in Lines)
        {
            var result = parser.Parse(new RawInput(line, SepSyslogParserTests.ReceivedAt));
            Assert.True(result.Outcome == ParseOutcome.Event, $"{result.Error}: {line}");
            Assert.Equal(line, result.Event!.Original);
            Assert.NotEmpty(result.Event.Labels!);
        }
    }

    [Fact]
    public void Parse_EverySampleLine_GivesTheEventJsonRecordedBeforeLabelValuesWereSlices()
    {
        // Recorded when every label value was made a string while parsing; values read from the
        // line are now slices of it, and the events must not differ.
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "expected", "sep-syslog-examples.events.ndjson"));
        var parser = new SepSyslogParser();

        Assert.Equal(Lines.Length, expected.Length);
        for (var i = 0; i < Lines.Length; i++)
        {
            var evt = parser.Parse(new RawInput(Lines[i], SepSyslogParserTests.ReceivedAt)).Event!;
            Assert.Equal(expected[i], SecurityEventJson.Serialize(evt));
            foreach (var (key, value) in evt.Labels!)
            {
                Assert.Equal(value, evt.Labels[key]);
            }
        }
    }

    [Fact]
    public void Parse_SampleLinesThatAreNotRiskOrTraffic_AreOtherWithLabels()
    {
        var parser = new SepSyslogParser();
        var kinds = Lines.Select(l => parser.Parse(new RawInput(l, SepSyslogParserTests.ReceivedAt)).Event!.Kind).ToList();

        Assert.Equal(2, kinds.Count(k => k == EventKinds.InfectionDetected));
        Assert.Equal(3, kinds.Count(k => k == EventKinds.NetworkConnection));
        Assert.Equal(15, kinds.Count(k => k == EventKinds.Other));
    }

    [Fact]
    public void Parse_SecurityRiskSample_IsTracedToHhhhhAt10041()
    {
        var evt = Sample("Security risk found");

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal(IPAddress.Parse("10.0.4.1"), evt.SourceIp);
        Assert.Equal("hhhhh", evt.SourceName);
        Assert.Equal(IPAddress.Parse("10.0.3.1"), evt.HostIp);
        Assert.Equal("qqqqq", evt.HostName);
        Assert.Equal("Backdoor.Joggver", evt.RuleName);
        Assert.Equal("user_h", evt.UserName);
        Assert.Equal(@"e:\resharper 9.1 + keygen\resharper.8.x.keygen.exe", evt.FilePath);
        Assert.Equal("resharper.8.x.keygen.exe", evt.FileName);
        Assert.Equal("Quarantined", evt.EventAction);
        Assert.Equal(new DateTimeOffset(2020, 5, 6, 8, 29, 27, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("dummyhost", evt.ObserverName);
        Assert.Equal("Still contains, 2 infected items", evt.Labels!["column8"]);
        Assert.Equal("Sample Inc. a wholly owned subsidiary of Dummy, Inc.", evt.Labels["Company name"]);
        Assert.Equal("Realtime deferred scanning", evt.Labels["Certificate issuer"]);
        Assert.Equal("SomeComp", evt.Labels["Domain"]);
        // The sample's "hash" is a GUID, not a SHA-1.
        Assert.Null(evt.ProcessHashSha1);
        Assert.Equal("44d7fb7e-8c40-4a17-9aff-9c4aa0b96696", evt.Labels["Application hash"]);
    }

    [Fact]
    public void Parse_PotentialRiskSample_IsTracedToFffffAt10092()
    {
        var evt = Sample("Potential risk found");

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal(IPAddress.Parse("10.0.9.2"), evt.SourceIp);
        Assert.Equal("fffff", evt.SourceName);
        Assert.Equal("Trojan.Gen.2", evt.RuleName);
        Assert.Equal("ooooo", evt.HostName);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), evt.HostIp);
        Assert.Equal("Left alone", evt.EventAction);
        Assert.Equal(new DateTimeOffset(2020, 5, 4, 6, 57, 2, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("System Change HostFile", evt.Labels!["Detection type"]);
        Assert.Equal("KKK.", evt.Labels["Company name"]);
        // "PolicyZZZ" follows Occurrences but is no path, so it is not taken as the file.
        Assert.Null(evt.FilePath);
        Assert.Contains("PolicyZZZ", evt.Labels.Values);
    }

    [Fact]
    public void Parse_InboundIntrusionSample_MapsRemoteAsSource()
    {
        var evt = Sample("Fake Scan Webpage 7\",Local Host IP");

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal("intrusion_detection", evt.EventCategory);
        Assert.Equal("Web Attack: Fake Scan Webpage 7", evt.Labels!["Event Description"]);
        Assert.Equal(IPAddress.Parse("10.0.3.6"), evt.SourceIp);
        Assert.Equal(46926, evt.SourcePort);
        Assert.Equal("eeeee", evt.SourceName);
        Assert.Equal(MacAddress.Parse("ad31ccfd3eff"), evt.SourceMac);
        Assert.Equal(IPAddress.Parse("10.0.3.4"), evt.DestinationIp);
        Assert.Equal(1991, evt.DestinationPort);
        Assert.Equal(IPAddress.Parse("10.0.3.4"), evt.HostIp);
        Assert.Equal(MacAddress.Parse("c1411f5f9502"), evt.HostMac);
        Assert.Equal("ingress", evt.NetworkDirection);
        Assert.Equal("tcp", evt.NetworkTransport);
        Assert.Equal("Web Attack: Fake Scan Webpage 7", evt.RuleName);
        Assert.Equal("6d2fe32dc4249ef7e7359c6d874fffbbf335e832e49a2681236e1b686af78794", evt.ProcessHashSha256);
        Assert.Equal("70270ca63a3de2d8905a9181a0245e58", evt.ProcessHashMd5);
        Assert.Equal(new DateTimeOffset(2020, 5, 6, 9, 6, 9, TimeSpan.Zero), evt.Timestamp);
    }

    [Fact]
    public void Parse_InboundBlockedTrafficSample_IsNetworkConnection()
    {
        var evt = Sample("nnnnn,Local Host IP");

        Assert.Equal(EventKinds.NetworkConnection, evt.Kind);
        Assert.Equal(IPAddress.Parse("10.0.9.2"), evt.SourceIp);
        Assert.Equal(58999, evt.SourcePort);
        Assert.Equal("lllll", evt.SourceName);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), evt.DestinationIp);
        Assert.Equal(10456, evt.DestinationPort);
        Assert.Equal(MacAddress.Parse("b9:e9:0f:5c:3a:c4"), evt.HostMac);
        Assert.Equal("nnnnn", evt.HostName);
        Assert.Equal("Blocked", evt.EventAction);
        Assert.Equal("Block all other IP traffic and log", evt.RuleName);
        Assert.Equal("user_f", evt.UserName);
        Assert.Equal("others", evt.Labels!["column9"]);
    }

    [Fact]
    public void Parse_ScanSample_TakesBeginAsTimeAndKeepsScanColumns()
    {
        var evt = Sample("Scan ID: 1581582179");

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal(new DateTimeOffset(2020, 4, 14, 10, 1, 4, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("yyyyyyy", evt.HostName);
        Assert.Equal(IPAddress.Parse("1.1.1.1"), evt.HostIp);
        Assert.Equal("1581582179", evt.Labels!["Scan ID"]);
        Assert.Equal("Risks: 0   Scanned: 1062   Files/Folders/Drives Omitted: 0 Trusted Files Skipped: 698", evt.Labels["Scan Complete"]);
        Assert.Equal("Completed", evt.Labels["column4"]);
        Assert.Equal("Not a command scan ()", evt.Labels["Command"]);
    }

    [Fact]
    public void Parse_AdminSampleWithWholeQuotedColumn_SplitsLabelInsideQuotes()
    {
        var evt = Sample("Changed Console mode");

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal("Policy has been edited: Changed Console mode at [Default]", evt.Labels!["Event Description"]);
        Assert.Equal("Client Policy", evt.Labels["column6"]);
        Assert.Equal("Admin_B", evt.Labels["Admin"]);
        // No time in the payload: the RFC 3164 header's, in the year before ReceivedAt.
        Assert.Equal(new DateTimeOffset(2026, 4, 14, 10, 10, 10, TimeSpan.Zero), evt.Timestamp);
    }

    [Fact]
    public void Parse_SampleWithoutHostname_HasNoObserver()
    {
        var evt = Sample("server started with paid license");

        Assert.Null(evt.ObserverName);
        Assert.Equal("xxx", evt.Labels!["column1"]);
        Assert.Equal("Site_D", evt.Labels["Site"]);
        Assert.Equal(new DateTimeOffset(2026, 4, 14, 9, 7, 42, TimeSpan.Zero), evt.Timestamp);
    }

    [Fact]
    public void Parse_IntrusionSampleWithUnknownDirection_IsIntrusionWithRemoteKept()
    {
        var evt = Sample("Mass Iframe Injection Website 17");

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal("intrusion_detection", evt.EventCategory);
        Assert.Equal("Informational: HTTP PE Download", evt.RuleName);
        Assert.Null(evt.SourceIp);
        Assert.Null(evt.NetworkDirection);
        Assert.Equal("AB7R7F9G9-GHSIW9", evt.Labels!["Remote Host Name"]);
        Assert.Equal("44770", evt.Labels["Remote Port"]);
        Assert.Equal("Unknown", evt.Labels["column10"]);
    }
}
