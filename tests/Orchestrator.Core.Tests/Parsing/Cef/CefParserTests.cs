using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Cef;

namespace Orchestrator.Core.Tests.Parsing.Cef;

public class CefParserTests
{
    private static readonly DateTimeOffset Received = new(2023, 2, 10, 0, 0, 0, TimeSpan.Zero);

    private const string EsmLine = "<134>2023-02-09T23:56:54.610Z 10.45.200.3 CEF:0|ESM|ESM|11.6.2|38-2001117|Some name|3|start=1675986973000 end=1675986973000 rt=1675986974000 cnt=1 deviceExternalId=x externalId=123 cat=Misc act=allowed proto=17 deviceDirection=0 dst=10.1.2.3 dpt=53 src=10.4.5.6 spt=51234";

    private readonly CefParser _parser = new();

    private SecurityEvent ParseOk(string line)
    {
        var result = _parser.Parse(new RawInput(line, Received));
        Assert.True(result.Outcome == ParseOutcome.Event, result.Error);
        return result.Event!;
    }

    [Fact]
    public void Parse_McAfeeEsmForward_MapsHeaderAndExtension()
    {
        var evt = ParseOk(EsmLine);

        Assert.Equal("cef", evt.Format);
        Assert.Equal(EsmLine, evt.Original);
        Assert.Equal(Received, evt.Ingested);
        Assert.Equal("10.45.200.3", evt.ObserverName);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1675986974000), evt.Timestamp);
        Assert.Equal("ESM", evt.EventProvider);
        Assert.Equal("38-2001117", evt.EventCode);
        Assert.Equal("Some name", evt.RuleName);
        Assert.Equal(3, evt.EventSeverity);
        Assert.Equal(IPAddress.Parse("10.4.5.6"), evt.SourceIp);
        Assert.Equal(51234, evt.SourcePort);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), evt.DestinationIp);
        Assert.Equal(53, evt.DestinationPort);
        Assert.Equal("udp", evt.NetworkTransport);
        Assert.Equal("ingress", evt.NetworkDirection);
        Assert.Equal("allowed", evt.EventAction);
        Assert.Equal(EventKinds.NetworkConnection, evt.Kind);
        Assert.Equal("network", evt.EventCategory);
        Assert.Equal("Misc", evt.Labels!["cat"]);
        Assert.Equal("123", evt.Labels["externalId"]);
        Assert.Equal("x", evt.Labels["deviceExternalId"]);
        Assert.Equal("1", evt.Labels["cnt"]);
        Assert.Equal("1675986973000", evt.Labels["start"]);
        Assert.Equal("11.6.2", evt.Labels["deviceVersion"]);
    }

    [Fact]
    public void Parse_EscapedPipeAndBackslashInHeader_AreUnescaped()
    {
        var evt = ParseOk(@"CEF:0|Acme\|Corp|Fire\\Wall|1.0|100|Drop a\|b|5|src=10.0.0.1");

        Assert.Equal(@"Acme|Corp", evt.Labels!["deviceVendor"]);
        Assert.Equal(@"Fire\Wall", evt.Labels["deviceProduct"]);
        Assert.Equal("Acme|Corp Fire\\Wall", evt.EventProvider);
        Assert.Equal("Drop a|b", evt.RuleName);
        Assert.Equal(5, evt.EventSeverity);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), evt.SourceIp);
    }

    [Fact]
    public void Parse_ExtensionEscapesAndSpaces_AreUnescapedAndValuesKeepSpaces()
    {
        var evt = ParseOk(@"CEF:0|Acme|Gate|1|7|Login|Low|msg=User logged in with a\=b and c\\d|e\nnext line suser=bob smith filePath=C:\\Temp\\x y.exe shost=ws-01  dhost=srv");

        Assert.Equal("User logged in with a=b and c\\d|e\nnext line", evt.Labels!["msg"]);
        Assert.Equal("bob smith", evt.SourceUser);
        Assert.Equal(@"C:\Temp\x y.exe", evt.FilePath);
        Assert.Equal("x y.exe", evt.FileName);
        Assert.Equal("ws-01", evt.SourceName);
        Assert.Equal("srv", evt.DestinationName);
        Assert.Equal(3, evt.EventSeverity);
        Assert.Equal(EventKinds.Other, evt.Kind);
    }

    [Fact]
    public void Parse_CustomStringPairs_AreLabelledByTheirLabelValue()
    {
        var evt = ParseOk("CEF:0|Acme|Gate|1|7|x|1|cs1=gold cs1Label=Policy Tier cn1=42 cn1Label=Score cs2=orphan");

        Assert.Equal("gold", evt.Labels!["Policy Tier"]);
        Assert.Equal("42", evt.Labels["Score"]);
        Assert.Equal("orphan", evt.Labels["cs2"]);
        Assert.False(evt.Labels.ContainsKey("cs1Label"));
        Assert.False(evt.Labels.ContainsKey("cs1"));
    }

    [Fact]
    public void Parse_MalwareCategoryWithSource_IsDetectionNamingItsSource()
    {
        var evt = ParseOk("<14>Feb 10 09:00:00 av-srv CEF:0|Kaspersky Lab|KSC|13|GNRL_EV_VIRUS_FOUND|Virus found|High|src=10.9.9.9 shost=infected-pc dst=10.0.0.5 dhost=victim fname=evil.exe fileHash=D41D8CD98F00B204E9800998ECF8427E act=quarantined proto=6 smac=00-11-22-33-44-55 dvchost=ksc01");

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("alert", evt.EventKind);
        Assert.Equal("malware", evt.EventCategory);
        Assert.Equal("Kaspersky Lab KSC", evt.EventProvider);
        Assert.Equal(8, evt.EventSeverity);
        Assert.Equal("infected-pc", evt.SourceName);
        Assert.Equal("evil.exe", evt.FileName);
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", evt.FileHashMd5);
        Assert.Equal("tcp", evt.NetworkTransport);
        Assert.Equal(MacAddress.Parse("00:11:22:33:44:55"), evt.SourceMac);
        Assert.Equal("ksc01", evt.ObserverName);
        Assert.Equal(new DateTimeOffset(2023, 2, 10, 9, 0, 0, TimeSpan.Zero), evt.Timestamp);
    }

    [Fact]
    public void Parse_VirusWithoutSource_IsInfectionDetected()
    {
        var evt = ParseOk("CEF:0|Acme|AV|1|1|Virus found|Very-High|dhost=victim dproc=C:\\\\Windows\\\\evil.exe dpid=4242");

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal(10, evt.EventSeverity);
        Assert.Equal(@"C:\Windows\evil.exe", evt.ProcessExecutable);
        Assert.Equal("evil.exe", evt.ProcessName);
        Assert.Equal(4242, evt.ProcessPid);
        Assert.Equal(Received, evt.Timestamp);
    }

    [Theory]
    [InlineData("rt=Feb 09 2023 23:56:54", 2023, 2, 9, 23, 56, 54, 0)]
    [InlineData("rt=Feb 09 2023 23:56:54.250 UTC", 2023, 2, 9, 23, 56, 54, 250)]
    [InlineData("rt=Feb 09 2023 23:56:54 +0100", 2023, 2, 9, 22, 56, 54, 0)]
    [InlineData("rt=Feb 9 23:56:54", 2023, 2, 9, 23, 56, 54, 0)]
    [InlineData("end=2023-02-09T23:56:54Z", 2023, 2, 9, 23, 56, 54, 0)]
    [InlineData("start=1675986973", 2023, 2, 9, 23, 56, 13, 0)]
    public void Parse_TimeFormats_SetUtcTimestamp(string extension, int y, int mo, int d, int h, int mi, int s, int ms)
    {
        var evt = ParseOk("CEF:0|Acme|Gate|1|7|x|1|" + extension + " act=x");

        Assert.Equal(new DateTimeOffset(y, mo, d, h, mi, s, ms, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(TimeSpan.Zero, evt.Timestamp.Offset);
    }

    [Fact]
    public void Parse_UnparsableValues_AreKeptAsLabels()
    {
        var evt = ParseOk("CEF:0|Acme|Gate|1|7|x|11|src=not-an-ip spt=99999 smac=zz deviceDirection=2 rt=yesterday proto=GRE");

        Assert.Null(evt.SourceIp);
        Assert.Null(evt.SourcePort);
        Assert.Null(evt.SourceMac);
        Assert.Null(evt.EventSeverity);
        Assert.Equal("not-an-ip", evt.Labels!["src"]);
        Assert.Equal("99999", evt.Labels["spt"]);
        Assert.Equal("zz", evt.Labels["smac"]);
        Assert.Equal("2", evt.Labels["deviceDirection"]);
        Assert.Equal("yesterday", evt.Labels["rt"]);
        Assert.Equal("11", evt.Labels["severity"]);
        Assert.Equal("gre", evt.NetworkTransport);
        Assert.Equal(Received, evt.Timestamp);
    }

    [Fact]
    public void Parse_TimeOutOfRangeAfterZone_FallsBackToHeaderTime()
    {
        var evt = ParseOk("<134>2023-02-09T23:56:54.610Z esm CEF:0|Acme|Gate|1|7|x|1|rt=Jan 01 0001 00:00:00 +0100 act=x");

        Assert.Equal(new DateTimeOffset(2023, 2, 9, 23, 56, 54, 610, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("Jan 01 0001 00:00:00 +0100", evt.Labels!["rt"]);
    }

    [Fact]
    public void Parse_UnparsableRtWithStart_UsesStartAndKeepsRtAsLabel()
    {
        var evt = ParseOk("CEF:0|Acme|Gate|1|7|x|1|rt=soon start=1675986973000");

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1675986973000), evt.Timestamp);
        Assert.Equal("soon", evt.Labels!["rt"]);
    }

    [Fact]
    public void Parse_ReceivedAtWithOffsetAndNoEventTime_StoresUtc()
    {
        var received = new DateTimeOffset(2023, 2, 10, 2, 0, 0, TimeSpan.FromHours(2));

        var evt = _parser.Parse(new RawInput("CEF:0|Acme|Gate|1|7|x|1|act=y", received)).Event!;

        Assert.Equal(received, evt.Timestamp);
        Assert.Equal(TimeSpan.Zero, evt.Timestamp.Offset);
        Assert.Equal(TimeSpan.Zero, evt.Ingested.Offset);
    }

    [Fact]
    public void Parse_EveryTruncationAndMutation_NeverThrows()
    {
        var random = new Random(5424);
        const string Alphabet = "|\\= \t\nx0Z+-:.[]";
        foreach (var line in new[] { EsmLine, @"CEF:0|Acme\|Corp|Fire\\Wall|1.0|100|Drop|5|msg=a\=b c\\d\n rt=Feb 09 2023 23:56:54 +0100 cs1=v cs1Label=L" })
        {
            var variants = Enumerable.Range(0, line.Length + 1).SelectMany(i => new[] { line[..i], line[i..] })
                .Concat(Enumerable.Range(0, 500).Select(_ =>
                {
                    var chars = line.ToCharArray();
                    chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
                    chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
                    return new string(chars);
                }));
            foreach (var variant in variants)
            {
                var result = _parser.Parse(new RawInput(variant, Received));
                Assert.True(result.Outcome is ParseOutcome.Event or ParseOutcome.Rejected, variant);
                Assert.True(result.Outcome == ParseOutcome.Rejected || result.Event!.Timestamp.Offset == TimeSpan.Zero, variant);
            }
        }
    }

    [Fact]
    public void Parse_Rfc5424HeaderAndOutboundDirection_AreRead()
    {
        var evt = ParseOk("<134>1 2023-02-09T10:00:00Z fw01 app - - - CEF:1|Acme|Gate|1|7|conn|2|deviceDirection=1 request=https://x.test/a?b=c app=HTTPS");

        Assert.Equal("fw01", evt.ObserverName);
        Assert.Equal(new DateTimeOffset(2023, 2, 9, 10, 0, 0, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("egress", evt.NetworkDirection);
        Assert.Equal("https://x.test/a?b=c", evt.UrlOriginal);
        Assert.Equal("https", evt.NetworkProtocol);
    }

    [Fact]
    public void Parse_TextBeforeFirstKey_IsKeptAsExtensionLabel()
    {
        var evt = ParseOk("CEF:0|Acme|Gate|1|7|x|1|stray words src=10.0.0.1");

        Assert.Equal("stray words", evt.Labels!["extension"]);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), evt.SourceIp);
    }

    [Fact]
    public void Parse_EmptyExtension_IsAnOtherEvent()
    {
        var evt = ParseOk("CEF:0|Acme|Gate|1|7|Heartbeat|Unknown|");

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal("Heartbeat", evt.RuleName);
        Assert.Null(evt.EventSeverity);
    }

    [Theory]
    [InlineData("", "empty line")]
    [InlineData("<134>Feb 9 23:56:54 host hello world", "no 'CEF:' marker")]
    [InlineData("CEF:0|Acme|Gate|1|7|only six", "has 5 of the 7")]
    [InlineData(@"CEF:0|Acme\|Gate|1|7|x|1", "has 5 of the 7")]
    [InlineData("CEF:x|Acme|Gate|1|7|x|1|", "CEF version 'x' is not a number")]
    public void Parse_BadInput_IsRejectedWithReason(string line, string reason)
    {
        var result = _parser.Parse(new RawInput(line, Received));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }
}
