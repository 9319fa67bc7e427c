using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Cef;

namespace Orchestrator.Core.Tests.Parsing.Cef;

public class LeefParserTests
{
    private static readonly DateTimeOffset Received = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly LeefParser _parser = new();

    private SecurityEvent ParseOk(string line)
    {
        var result = _parser.Parse(new RawInput(line, Received));
        Assert.True(result.Outcome == ParseOutcome.Event, result.Error);
        return result.Event!;
    }

    [Fact]
    public void Parse_Leef2WithCaretDelimiter_MapsPredefinedKeys()
    {
        const string Line = "LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21^usrName=joe";

        var evt = ParseOk(Line);

        Assert.Equal("leef", evt.Format);
        Assert.Equal(Line, evt.Original);
        Assert.Equal(Received, evt.Ingested);
        Assert.Equal(Received, evt.Timestamp);
        Assert.Equal("Lancope StealthWatch", evt.EventProvider);
        Assert.Equal("41", evt.EventCode);
        Assert.Equal(IPAddress.Parse("10.0.1.8"), evt.SourceIp);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), evt.DestinationIp);
        Assert.Equal(81, evt.SourcePort);
        Assert.Equal(21, evt.DestinationPort);
        Assert.Equal(5, evt.EventSeverity);
        Assert.Equal("joe", evt.UserName);
        Assert.Equal(EventKinds.NetworkConnection, evt.Kind);
    }

    [Fact]
    public void Parse_Leef1WithTabsAndSyslogHeader_ReadsDevTimeAndHeader()
    {
        var evt = ParseOk("<13>Mar 1 11:00:00 qradar-src LEEF:1.0|IBM|Guardium|10|Login|\tdevTime=Feb 29 2024 10:15:30.500 UTC\tsrc=192.0.2.4\tproto=6\tcat=auth\tsrcMAC=00:11:22:33:44:55\tcustom=value with spaces");

        Assert.Equal("qradar-src", evt.ObserverName);
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 10, 15, 30, 500, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(IPAddress.Parse("192.0.2.4"), evt.SourceIp);
        Assert.Equal("tcp", evt.NetworkTransport);
        Assert.Equal(MacAddress.Parse("00:11:22:33:44:55"), evt.SourceMac);
        Assert.Equal("auth", evt.Labels!["cat"]);
        Assert.Equal("value with spaces", evt.Labels["custom"]);
        Assert.Equal(EventKinds.Other, evt.Kind);
    }

    [Fact]
    public void Parse_DevTimeFormat_IsUsedToReadDevTime()
    {
        var evt = ParseOk("LEEF:2.0|Acme|Box|1|7|x09|devTimeFormat=dd/MM/yyyy HH:mm:ss.SSS Z\tdevTime=28/02/2024 23:30:00.000 +0200");

        Assert.Equal(new DateTimeOffset(2024, 2, 28, 21, 30, 0, TimeSpan.Zero), evt.Timestamp);
    }

    [Theory]
    [InlineData("LEEF:2.0|Acme|Box|1|7|0x7C|src=10.0.0.1|dst=10.0.0.2", '|')]
    [InlineData("LEEF:2.0|Acme|Box|1|7|x5E|src=10.0.0.1^dst=10.0.0.2", '^')]
    [InlineData("LEEF:2.0|Acme|Box|1|7||src=10.0.0.1\tdst=10.0.0.2", '\t')]
    [InlineData("LEEF:2.0|Acme|Box|1|7|src=10.0.0.1\tdst=10.0.0.2", '\t')]
    public void Parse_Leef2DelimiterSpellings_SplitAttributes(string line, char delimiter)
    {
        var evt = ParseOk(line);

        Assert.Equal(IPAddress.Parse("10.0.0.1"), evt.SourceIp);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), evt.DestinationIp);
        Assert.Contains(delimiter, line);
    }

    [Fact]
    public void Parse_MalwareEventWithoutSource_IsInfectionDetected()
    {
        var evt = ParseOk("LEEF:1.0|Acme|EDR|2|MalwareDetected|\tdst=10.0.0.9\tidentHostName=pc-9\tidentSrc=10.0.0.9\tidentMAC=aabbccddeeff\tsev=9\tdevTime=1709290800000");

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("alert", evt.EventKind);
        Assert.Equal("pc-9", evt.HostName);
        Assert.Equal(IPAddress.Parse("10.0.0.9"), evt.HostIp);
        Assert.Equal(MacAddress.Parse("aa:bb:cc:dd:ee:ff"), evt.HostMac);
        Assert.Equal(9, evt.EventSeverity);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1709290800000), evt.Timestamp);
    }

    [Fact]
    public void Parse_PieceWithoutEquals_IsJoinedToPreviousValue()
    {
        var evt = ParseOk("LEEF:2.0|Acme|Box|1|7|^|msg=a^b^src=10.0.0.1");

        Assert.Equal("a^b", evt.Labels!["msg"]);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), evt.SourceIp);
    }

    [Fact]
    public void Parse_EveryTruncation_NeverThrows()
    {
        const string Line = "<13>Mar 1 11:00:00 q LEEF:2.0|Acme|Box|1|7|x5E|devTimeFormat=yyyy-MM-dd HH:mm:ss^devTime=2024-02-28 23:30:00 -0100^src=10.0.0.1^srcMAC=zz";
        for (var i = 0; i <= Line.Length; i++)
        {
            foreach (var variant in new[] { Line[..i], Line[i..] })
            {
                var result = _parser.Parse(new RawInput(variant, Received));
                Assert.True(result.Outcome is ParseOutcome.Event or ParseOutcome.Rejected, variant);
            }
        }

        Assert.Equal(new DateTimeOffset(2024, 2, 29, 0, 30, 0, TimeSpan.Zero), ParseOk(Line).Timestamp);
    }

    [Theory]
    [InlineData("", "empty line")]
    [InlineData("<13>Mar 1 11:00:00 host CEF:0|a|b|c|d|e|1|", "no 'LEEF:' marker")]
    [InlineData("LEEF:1.0|Acme|Box|1", "has 3 of the 5")]
    [InlineData("LEEF:v|Acme|Box|1|7|", "LEEF version 'v' is not a number")]
    public void Parse_BadInput_IsRejectedWithReason(string line, string reason)
    {
        var result = _parser.Parse(new RawInput(line, Received));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }
}
