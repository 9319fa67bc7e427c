using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Epo;

namespace Orchestrator.Core.Tests.Parsing.Epo;

public class EpoParserTests
{
    private static readonly DateTimeOffset Received = new(2024, 5, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "Fixtures", "samples", "epo-syslog-examples.log");

    private const string Prefix = "<29>1 2024-05-01T12:00:00.000Z epo01 EPOEvents - EventFwd [agentInfo@3401 tenantId=\"7\" bpsId=\"1\"] ";

    private readonly EpoParser _parser = new();

    private static string[] SampleLines() => File.ReadAllLines(SamplePath).Where(l => l.Length > 0).ToArray();

    private static string SampleWith(string marker) => SampleLines().Single(l => l.Contains(marker, StringComparison.Ordinal));

    private SecurityEvent ParseOk(string line)
    {
        var result = _parser.Parse(new RawInput(line, Received));
        Assert.True(result.Outcome == ParseOutcome.Event, result.Error);
        return result.Event!;
    }

    [Fact]
    public void Parse_EverySampleLine_ProducesAnEventWithOriginalAndObserver()
    {
        var lines = SampleLines();
        Assert.Equal(6, lines.Length);
        foreach (var line in lines)
        {
            var evt = ParseOk(line);
            Assert.Equal("epo", evt.Format);
            Assert.Equal(line, evt.Original);
            Assert.Equal(Received, evt.Ingested);
            Assert.Equal("epo01", evt.ObserverName);
            Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero), evt.Timestamp);
            Assert.NotNull(evt.HostName);
            Assert.NotNull(evt.HostIp);
        }
    }

    [Fact]
    public void Parse_OnAccessDetection1278_IsInfectionDetectedOnTheMachine()
    {
        var evt = ParseOk(SampleWith("<ThreatEventID>1278<"));

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("DESKTOP-00001", evt.HostName);
        Assert.Equal(IPAddress.Parse("10.222.22.131"), evt.HostIp);
        Assert.Equal(MacAddress.Parse("00:00:11:22:33:11"), evt.HostMac);
        Assert.Equal("SYSTEM", evt.UserName);
        Assert.Equal("EICAR test file", evt.RuleName);
        Assert.Equal("1278", evt.EventCode);
        Assert.Equal(3, evt.EventSeverity);
        Assert.Equal("alert", evt.EventKind);
        Assert.Equal("malware", evt.EventCategory);
        Assert.Equal("IDS_ALERT_ACT_TAK_DEL", evt.EventAction);
        Assert.Equal("McAfee Endpoint Security", evt.EventProvider);
        Assert.Equal(@"C:\Users\admin123.WIN-QFN79SPC5U4.000\Desktop\TEST_SAMPLES_MVS\Standard Test Set\eicar", evt.FilePath);
        Assert.Equal("eicar", evt.FileName);
        Assert.Equal("e7e5fa40569514ec442bbdf755d89c2f", evt.FileHashMd5);
        Assert.Equal(@"C:\Users\admin123.WIN-QFN79SPC5U4.000\Desktop\Tops.exe", evt.ProcessExecutable);
        Assert.Equal("Tops.exe", evt.ProcessName);
        Assert.Equal("DESKTOP-00001", evt.DestinationName);
        Assert.Equal(@"DESKTOP-00001\admin123", evt.DestinationUser);

        // The source host is the detecting machine itself: not a source of infection.
        Assert.Null(evt.SourceName);
        Assert.Null(evt.SourceIp);
        Assert.Equal("DESKTOP-00001", evt.Labels!["SourceHostName"]);
        Assert.Equal("av.detect", evt.Labels["ThreatCategory"]);
        Assert.Equal("1278", evt.Labels["ThreatEventID"]);
        Assert.Equal("4", evt.Labels["AttackVectorType"]);
        Assert.Equal("On-Access Scan", evt.Labels["AnalyzerDetectionMethod"]);
        Assert.Equal("1", evt.Labels["tenantId"]);
    }

    [Fact]
    public void Parse_WebControl18600WithSourceIp_IsDetectionNamingItsSource()
    {
        var evt = ParseOk(SampleWith("<ThreatEventID>18600<"));

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal(IPAddress.Parse("213.211.198.58"), evt.SourceIp);
        Assert.Equal("Web Control Violation", evt.RuleName);
        Assert.Equal("web", evt.EventCategory);
        Assert.Equal("blocked", evt.EventAction);
        Assert.Equal("http://2222.aaaaa.org/download/eicarcom2.zip", evt.UrlOriginal);
        Assert.Equal(@"DESKTOP-00001\admin", evt.SourceUser);
        Assert.Equal("McChHost.exe", evt.ProcessName);
        Assert.Equal("03e33bcdd99853ea8c83407c3ab4599c", evt.ProcessHashMd5);
        Assert.Equal("wp.detect.url", evt.Labels!["ThreatCategory"]);
    }

    [Fact]
    public void Parse_LowerCaseEpoeventRoot_IsReadLikeEpoEvent()
    {
        var line = SampleWith("<ThreatEventID>18600<");
        Assert.Contains("<EPOevent>", line, StringComparison.Ordinal);

        var evt = ParseOk(line);

        Assert.Equal("EPOevent", evt.Labels!["root"]);
        Assert.Equal("DESKTOP-00001", evt.HostName);
        Assert.Equal(IPAddress.Parse("10.222.22.45"), evt.HostIp);
    }

    [Theory]
    [InlineData("<EventID>1120<", "1120")]
    [InlineData("<EventID>1118<", "1118")]
    public void Parse_UpdateOperationEvent_IsOtherWithPlaceholderUserKeptAsLabel(string marker, string code)
    {
        var evt = ParseOk(SampleWith(marker));

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal("event", evt.EventKind);
        Assert.Equal(code, evt.EventCode);
        Assert.Null(evt.RuleName);
        Assert.Null(evt.UserName);
        Assert.Equal("%CTX_DOMAIN_USER%", evt.Labels!["UserName"]);
        Assert.StartsWith("ops.update", evt.Labels["ThreatCategory"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<UpdateEvents>", "UpdateEvents", "2422", "McAfee Agent")]
    [InlineData("<AssessmentResultEvent>", "AssessmentResultEvent", "18905", "Policy Auditor Vulnerability Assessment")]
    public void Parse_OtherRootElements_AreOtherWithMachineInfo(string marker, string root, string code, string provider)
    {
        var evt = ParseOk(SampleWith(marker));

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal(root, evt.Labels!["root"]);
        Assert.Equal("THEMBP1", evt.HostName);
        Assert.Equal(IPAddress.Parse("172.16.23.123"), evt.HostIp);
        Assert.Equal(code, evt.EventCode);
        Assert.Equal(provider, evt.EventProvider);
    }

    [Fact]
    public void Parse_ExternalSourceHostAndThreatEventFields_AreTracedWithDomainUser()
    {
        var line = Prefix + "\uFEFF<?xml version=\"1.0\"?><EPOEvent><MachineInfo><MachineName>PC-7</MachineName>"
            + "<IPAddress>10.0.0.7</IPAddress><UserName>CORP\\alice</UserName><RawMACAddress>aa-bb-cc-dd-ee-ff</RawMACAddress></MachineInfo>"
            + "<SoftwareInfo ProductName=\"VirusScan Enterprise\" ProductVersion=\"8.8\"><Event><EventID>1027</EventID><Severity>4</Severity>"
            + "<GMTTime>2024-04-30T23:10:05</GMTTime><CommonFields><ThreatCategory>av.detect</ThreatCategory><ThreatEventID>1027</ThreatEventID>"
            + "<ThreatName>W32/Worm</ThreatName><SourceHostName>FILESRV-2.corp.local</SourceHostName><SourceIPV4>10.0.0.99</SourceIPV4>"
            + "<TargetIPV4>10.0.0.7</TargetIPV4><TargetPort>445</TargetPort><TargetProtocol>tcp</TargetProtocol></CommonFields>"
            + "<CustomFields target=\"EPExtendedEventMT\"><TargetHash>" + new string('A', 64) + "</TargetHash></CustomFields></Event></SoftwareInfo></EPOEvent>";

        var evt = ParseOk(line);

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("FILESRV-2.corp.local", evt.SourceName);
        Assert.Equal(IPAddress.Parse("10.0.0.99"), evt.SourceIp);
        Assert.Equal(IPAddress.Parse("10.0.0.7"), evt.DestinationIp);
        Assert.Equal(445, evt.DestinationPort);
        Assert.Equal("tcp", evt.NetworkTransport);
        Assert.Equal("alice", evt.UserName);
        Assert.Equal("CORP", evt.UserDomain);
        Assert.Equal(MacAddress.Parse("aa:bb:cc:dd:ee:ff"), evt.HostMac);
        Assert.Equal(new string('a', 64), evt.FileHashSha256);
        Assert.Equal(new DateTimeOffset(2024, 4, 30, 23, 10, 5, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("7", evt.Labels!["tenantId"]);
        Assert.Equal("8.8", evt.Labels["ProductVersion"]);
    }

    [Theory]
    [InlineData("<ThreatEventID>1027</ThreatEventID>", EventKinds.InfectionDetected)]
    [InlineData("<ThreatEventID>1027</ThreatEventID><ThreatCategory>ops.task</ThreatCategory>", EventKinds.Other)]
    [InlineData("<ThreatEventID>2402</ThreatEventID>", EventKinds.Other)]
    [InlineData("<ThreatCategory>ap.block</ThreatCategory>", EventKinds.InfectionDetected)]
    public void Parse_ThreatEventIdWithoutCategory_DecidesDetection(string commonFields, string kind)
    {
        var evt = ParseOk(Prefix + "<EPOEvent><MachineInfo><MachineName>PC-1</MachineName></MachineInfo><SoftwareInfo ProductName=\"VSE\"><Event>"
            + "<EventID>1000</EventID><CommonFields><ThreatName>_</ThreatName>" + commonFields + "</CommonFields></Event></SoftwareInfo></EPOEvent>");

        Assert.Equal(kind, evt.Kind);
    }

    [Fact]
    public void Parse_SourceIpEqualToHostIp_IsNotAnExternalSource()
    {
        var line = Prefix + "<EPOEvent><MachineInfo><MachineName>PC-7</MachineName><IPAddress>10.0.0.7</IPAddress></MachineInfo>"
            + "<SoftwareInfo ProductName=\"ENS\"><Event><EventID>1278</EventID><CommonFields><ThreatCategory>av.detect</ThreatCategory>"
            + "<ThreatName>Trojan.X</ThreatName><SourceIPV4>10.0.0.7</SourceIPV4><SourceHostName>pc-7</SourceHostName></CommonFields></Event></SoftwareInfo></EPOEvent>";

        var evt = ParseOk(line);

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Null(evt.SourceIp);
        Assert.Equal("10.0.0.7", evt.Labels!["SourceIPV4"]);
    }

    [Fact]
    public void Parse_NoSyslogHeaderAndNoEventTime_UsesReceivedAtAndNoObserver()
    {
        var evt = ParseOk("<EPOEvent><MachineInfo><MachineName>PC-9</MachineName><IPAddress>not-an-ip</IPAddress><RawMACAddress>zz</RawMACAddress></MachineInfo></EPOEvent>");

        Assert.Equal(Received, evt.Timestamp);
        Assert.Null(evt.ObserverName);
        Assert.Equal("PC-9", evt.HostName);
        Assert.Null(evt.HostIp);
        Assert.Equal("not-an-ip", evt.Labels!["IPAddress"]);
        Assert.Equal("zz", evt.Labels["RawMACAddress"]);
    }

    [Fact]
    public void Parse_DoctypeWithExternalEntity_IsRefused()
    {
        var line = Prefix + "<?xml version=\"1.0\"?><!DOCTYPE EPOEvent [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
            + "<EPOEvent><MachineInfo><MachineName>&xxe;</MachineName></MachineInfo></EPOEvent>";

        var result = _parser.Parse(new RawInput(line, Received));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Contains("DOCTYPE", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BillionLaughs_IsRefusedWithoutExpansion()
    {
        var entities = string.Concat(Enumerable.Range(1, 9).Select(i => $"<!ENTITY l{i} \"&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};\">"));
        var line = Prefix + "<?xml version=\"1.0\"?><!doctype lolz [<!ENTITY l0 \"lol\">" + entities + "]><EPOEvent><MachineInfo><MachineName>&l9;</MachineName></MachineInfo></EPOEvent>";

        var result = _parser.Parse(new RawInput(line, Received));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Contains("DTDs are refused", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UndeclaredEntityReference_IsRejectedAsMalformed()
    {
        var result = _parser.Parse(new RawInput(Prefix + "<EPOEvent><MachineInfo><MachineName>&xxe;</MachineName></MachineInfo></EPOEvent>", Received));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.StartsWith("malformed ePO XML at line 1", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedSampleLines_AreRejectedNotThrown()
    {
        foreach (var line in SampleLines())
        {
            for (var i = 0; i < line.Length; i += 11)
            {
                var result = _parser.Parse(new RawInput(line[..i], Received));
                Assert.True(result.Outcome is ParseOutcome.Event or ParseOutcome.Rejected, line[..i]);
            }
        }
    }

    [Fact]
    public void Parse_MissingMachineNameAndProductAttributes_FallsBackToAnalyzerFields()
    {
        var evt = ParseOk(Prefix + "<EPOEvent><SoftwareInfo><CommonFields><AnalyzerName>Host IPS</AnalyzerName><AnalyzerHostName>PC-3</AnalyzerHostName></CommonFields>"
            + "<Event><EventID>18000</EventID><CommonFields><ThreatCategory>hip.bo</ThreatCategory><ThreatName>Buffer overflow</ThreatName></CommonFields></Event></SoftwareInfo></EPOEvent>");

        Assert.Equal("PC-3", evt.HostName);
        Assert.Equal("Host IPS", evt.EventProvider);
        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("intrusion_detection", evt.EventCategory);
    }

    [Theory]
    [InlineData("<29>1 2024-05-01T12:00:00.000Z epo01 EPOEvents - EventFwd - no xml here", "no XML document")]
    [InlineData("<29>1 2024-05-01T12:00:00.000Z epo01 EPOEvents - EventFwd - <EPOEvent><MachineInfo>", "malformed ePO XML")]
    [InlineData("", "empty line")]
    public void Parse_BadInput_IsRejectedWithReason(string line, string reason)
    {
        var result = _parser.Parse(new RawInput(line, Received));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }
}
