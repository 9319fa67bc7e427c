using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Sep;

namespace Orchestrator.Core.Tests.Parsing.Sep;

public class SepSyslogParserTests
{
    internal static readonly DateTimeOffset ReceivedAt = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private const string Rfc3164Risk =
        "<54>Nov 23 10:15:02 sepm01 SymantecServer: Virus found,IP Address: 10.20.30.40,Computer name: WKS-0042,"
        + "Source: Auto-Protect scan,Risk name: W32.Downadup.B,Occurrences: 1,File path: C:\\Users\\jdoe\\Downloads\\setup.exe,"
        + "Description: ,Actual action: Quarantined,Requested action: Cleaned,Secondary action: Quarantined,"
        + "Event time: 2026-11-23 10:14:58,Inserted: 2026-11-23 10:15:00,End: 2026-11-23 10:14:58,Domain: Default,"
        + "Group: My Company\\Workstations,Server: sepm01,User: jdoe,Source computer: WS-0017,Source IP: 10.20.31.7";

    // SEP 14.3 RU1: a host column before "Virus found" and the renamed Risk Tracer labels.
    private const string Sep143Risk =
        "<54>Nov 23 10:16:40 sepm01 SymantecServer: WKS-0099,Virus found,IP Address: 10.20.30.99,Computer name: WKS-0099,"
        + "Source: Heuristic Scan,Risk name: WS.Reputation.1,Occurrences: 1,File path: \\\\FILESRV\\share\\payroll\\q4.xlsm.exe,"
        + "Description: ,Actual action: Deleted,Requested action: Quarantined,Secondary action: Deleted,"
        + "Event time: 2026-11-23 10:16:31,Event Insert Time: 2026-11-23 10:16:40,End Time: 2026-11-23 10:16:31,"
        + "Last update time: 2026-11-23 10:16:40,Domain Name: Default,Group Name: My Company\\Servers,Server Name: sepm01,"
        + "User Name: mkhan,Source Computer Name: cvprdwebbppv002,Source Computer IP: 10.1.2.3,Disposition: Bad,"
        + "Allowed application reason: Not on the allow list";

    private static readonly SepSyslogParser Parser = new();

    internal static SecurityEvent ParseEvent(string line)
    {
        var result = Parser.Parse(new RawInput(line, ReceivedAt));
        Assert.True(result.Outcome == ParseOutcome.Event, $"expected an event, got {result.Outcome}: {result.Error}");
        return result.Event!;
    }

    [Fact]
    public void Parse_Rfc3164RiskWithRiskTracerSource_IsTracedWithSourceAndVictim()
    {
        var evt = ParseEvent(Rfc3164Risk);

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal(IPAddress.Parse("10.20.31.7"), evt.SourceIp);
        Assert.Equal("WS-0017", evt.SourceName);
        Assert.Equal(IPAddress.Parse("10.20.30.40"), evt.HostIp);
        Assert.Equal("WKS-0042", evt.HostName);
        Assert.Equal("W32.Downadup.B", evt.RuleName);
        Assert.Equal("jdoe", evt.UserName);
        Assert.Equal(@"C:\Users\jdoe\Downloads\setup.exe", evt.FilePath);
        Assert.Equal("setup.exe", evt.FileName);
        Assert.Equal("Quarantined", evt.EventAction);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 14, 58, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("sepm01", evt.ObserverName);
        Assert.Equal("alert", evt.EventKind);
        Assert.Equal("malware", evt.EventCategory);
        Assert.Equal("info", evt.EventType);
        Assert.Equal(SepEventBuilder.Provider, evt.EventProvider);
        Assert.Equal(EventFormats.Sep, evt.Format);
        Assert.Equal(Rfc3164Risk, evt.Original);
        Assert.Equal(ReceivedAt, evt.Ingested);
    }

    [Fact]
    public void Parse_Rfc3164RiskWithRiskTracerSource_KeepsUnmappedColumnsAsLabels()
    {
        var labels = ParseEvent(Rfc3164Risk).Labels!;

        Assert.Equal("Auto-Protect scan", labels["Source"]);
        Assert.Equal("1", labels["Occurrences"]);
        Assert.Equal("Cleaned", labels["Requested action"]);
        Assert.Equal("Default", labels["Domain"]);
        Assert.Equal(@"My Company\Workstations", labels["Group"]);
        Assert.Equal("sepm01", labels["Server"]);
        Assert.Equal("Virus found", labels["column1"]);
        Assert.False(labels.ContainsKey("Description"));
        Assert.False(labels.ContainsKey("Source IP"));
    }

    [Fact]
    public void Parse_Sep143Ru1RiskWithLeadingHostColumn_ReadsRenamedSourceLabels()
    {
        var evt = ParseEvent(Sep143Risk);

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("cvprdwebbppv002", evt.SourceName);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), evt.SourceIp);
        Assert.Equal("WKS-0099", evt.HostName);
        Assert.Equal("mkhan", evt.UserName);
        Assert.Equal("WS.Reputation.1", evt.RuleName);
        Assert.Equal("q4.xlsm.exe", evt.FileName);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 16, 31, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("WKS-0099", evt.Labels!["column1"]);
        Assert.Equal("Default", evt.Labels["Domain Name"]);
        Assert.Equal("Not on the allow list", evt.Labels["Allowed application reason"]);
    }

    [Theory]
    [InlineData("Source computer: ,Source IP: ")]
    [InlineData("Source Computer Name: ,Source Computer IP: ")]
    [InlineData("Source computer: ,Source IP:")]
    public void Parse_RiskWithEmptySource_IsDetected(string sourceColumns)
    {
        var line = "<54>Nov 23 10:20:00 sepm01 SymantecServer: Security risk found,IP Address: 10.20.30.41,"
            + "Computer name: WKS-0043,Source: Scheduled scan,Risk name: Adware.Gen,Occurrences: 1,"
            + "Event time: 2026-11-23 10:19:00,User: asmith," + sourceColumns + ",Disposition: Good";

        var evt = ParseEvent(line);

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Null(evt.SourceIp);
        Assert.Null(evt.SourceName);
        Assert.Equal("Good", evt.Labels!["Disposition"]);
    }

    [Theory]
    [InlineData("unknown", "")]
    [InlineData("local host", "")]
    [InlineData("LOCALHOST", "127.0.0.1")]
    [InlineData("", "0.0.0.0")]
    public void Parse_RiskTracerCouldNotTellSource_IsDetectedAndKeepsRawValues(string computer, string ip)
    {
        var line = "<54>Nov 23 10:20:00 sepm01 SymantecServer: Virus found,IP Address: 10.20.30.41,Computer name: WKS-0043,"
            + "Risk name: W32.Ramnit,Event time: 2026-11-23 10:19:00,Source computer: " + computer + ",Source IP: " + ip;

        var evt = ParseEvent(line);

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Null(evt.SourceName);
        Assert.Null(evt.SourceIp);
        if (computer.Length > 0)
        {
            Assert.Equal(computer, evt.Labels!["Source computer"]);
        }

        if (ip.Length > 0)
        {
            Assert.Equal(ip, evt.Labels!["Source IP"]);
        }
    }

    [Fact]
    public void Parse_UnparsableSourceIpWithSourceName_IsTracedByNameAndKeepsTheIpText()
    {
        var line = "<54>Nov 23 10:20:00 sepm01 SymantecServer: Virus found,Computer name: WKS-0043,Risk name: W32.Ramnit,"
            + "Source Computer Name: FILESRV02,Source Computer IP: 10.20.300.1";

        var evt = ParseEvent(line);

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("FILESRV02", evt.SourceName);
        Assert.Null(evt.SourceIp);
        Assert.Equal("10.20.300.1", evt.Labels!["Source Computer IP"]);
    }

    [Theory]
    [InlineData("VIRUS FOUND")]
    [InlineData("potential risk found")]
    [InlineData("Security Risk Found")]
    public void Parse_RiskDescriptionInAnyCase_IsARiskEvent(string description)
    {
        var evt = ParseEvent("Nov 23 10:20:00 sepm01 SymantecServer: " + description + ",Computer name: WKS-1,Source IP: 10.9.8.7");

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("malware", evt.EventCategory);
    }

    [Fact]
    public void Parse_QuotedValuesWithCommas_KeepsThemWhole()
    {
        var line = "<54>Nov 23 10:20:00 sepm01 SymantecServer: Security risk found,IP Address: 10.20.30.41,Computer name: WKS-0043,"
            + "Risk name: PUA.Gen,Occurrences: 2,C:\\Temp\\tool.exe,\"Still contains, 2 infected items\","
            + "Company name: \"Example Tools, Ltd. \"\"EU\"\"\",Application name: Tool,Actual action: Left alone";

        var evt = ParseEvent(line);

        Assert.Equal("Still contains, 2 infected items", evt.Labels!["column7"]);
        Assert.Equal("Example Tools, Ltd. \"EU\"", evt.Labels["Company name"]);
        Assert.Equal("Tool", evt.Labels["Application name"]);
        Assert.Equal("Left alone", evt.EventAction);
        Assert.Equal(@"C:\Temp\tool.exe", evt.FilePath);
        Assert.Equal("tool.exe", evt.FileName);
    }

    [Fact]
    public void Parse_QuotedValueWithDoubledQuotesAmongPlainValues_ReadsEachValueAsWritten()
    {
        var evt = ParseEvent(
            "<54>Nov 23 10:15:02 sepm01 SymantecServer: Virus found,Computer name: WKS-0042,Risk name: W32.Downadup.B,"
            + "Company name: \"Say \"\"hi\"\", Inc.\",Domain: Default,\"Group: My Company\\Lab, East\",Server: sepm01");

        Assert.Equal(["column1", "Company name", "Domain", "Group", "Server"], evt.Labels!.Keys);
        Assert.Equal(["Virus found", "Say \"hi\", Inc.", "Default", "My Company\\Lab, East", "sepm01"], evt.Labels.Values);
        Assert.Contains("\"labels\":{\"column1\":\"Virus found\",\"Company name\":\"Say \\\"hi\\\", Inc.\",\"Domain\":\"Default\"", SecurityEventJson.Serialize(evt), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LabelRepeatedInARow_KeepsItsFirstPlaceAndLastValue()
    {
        var evt = ParseEvent(
            "<54>Nov 23 10:15:02 sepm01 SymantecServer: Virus found,Computer name: WKS-0042,Domain: First,Server: sepm01,Domain: Second");

        Assert.Equal(["column1", "Domain", "Server"], evt.Labels!.Keys);
        Assert.Equal("Second", evt.Labels["Domain"]);
    }

    [Fact]
    public void Parse_RowsOfOneLogType_EachKeepTheirOwnValuesAndLabelsAddedLater()
    {
        var first = ParseEvent(Rfc3164Risk);
        var second = ParseEvent(Rfc3164Risk.Replace("Domain: Default", "Domain: Lab", StringComparison.Ordinal));

        first.SetLabel("triage", "done");

        Assert.Equal("Default", first.Labels!["Domain"]);
        Assert.Equal("Lab", second.Labels!["Domain"]);
        Assert.Equal("done", first.Labels["triage"]);
        Assert.False(second.Labels.ContainsKey("triage"));
        Assert.Equal(first.Labels.Keys.SkipLast(1), second.Labels.Keys);
    }

    [Fact]
    public void Parse_QuoteThatNeverCloses_IsTakenLiterally()
    {
        var line = "<54>Nov 23 10:20:00 sepm01 SymantecServer: Virus found,Computer name: WKS-7,Description: 5\" floppy,"
            + "Company name: \"Broken, Inc.,Source IP: 10.9.8.7";

        var evt = ParseEvent(line);

        Assert.Equal("5\" floppy", evt.Labels!["Description"]);
        Assert.Equal("\"Broken", evt.Labels["Company name"]);
        Assert.Equal(IPAddress.Parse("10.9.8.7"), evt.SourceIp);
    }

    [Fact]
    public void Parse_Rfc5424Header_ReadsObserverAndFallsBackToHeaderTime()
    {
        var line = "<134>1 2026-11-23T10:30:00.123Z sepm02 SymantecServer - - - Virus found,IP Address: 10.20.30.50,"
            + "Computer name: WKS-0050,Risk name: W32.Qakbot,Source computer: WS-0031,Source IP: 10.20.31.31";

        var evt = ParseEvent(line);

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("sepm02", evt.ObserverName);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 30, 0, 123, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(IPAddress.Parse("10.20.31.31"), evt.SourceIp);
        Assert.Equal("WKS-0050", evt.HostName);
    }

    [Fact]
    public void Parse_NoHeaderAndNoEventTime_UsesReceivedAt()
    {
        var evt = ParseEvent("Virus found,IP Address: 10.20.30.51,Computer name: WKS-0051,Risk name: W32.Qakbot");

        Assert.Equal(ReceivedAt, evt.Timestamp);
        Assert.Null(evt.ObserverName);
        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
    }

    [Fact]
    public void Parse_UntaggedLineWithSepColumns_StillParses()
    {
        var evt = ParseEvent("Nov 23 10:20:00 relay01 Site: Site A,Server Name: sepm01,Event Description: Administrator log on failed");

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal("Administrator log on failed", evt.Labels!["Event Description"]);
    }

    [Fact]
    public void Parse_DumpFileVariant_SkipsTimestampAndSeverityColumns()
    {
        var line = "2026-11-23 10:00:31,Critical,WKS-0060,Event Description: [SID: 20521] Web Attack: Example attack blocked,"
            + "Local Host IP: 10.20.30.60,Local Host MAC: 0A1B2C3D4E5F,Remote Host Name: ,Remote Host IP: 203.0.113.9,"
            + "Remote Host MAC: 000000000000,Inbound,TCP,Intrusion ID: 0,Begin: 2026-11-23 09:59:58,End: 2026-11-23 09:59:58,"
            + "Occurrences: 1,Local Port: 443,Remote Port: 51515,CIDS Signature string: Web Attack: Example attack,SHA-256: ,MD-5: ";

        var evt = ParseEvent(line);

        Assert.Equal("Critical", evt.Labels!["Severity"]);
        Assert.Equal("WKS-0060", evt.Labels["column1"]);
        Assert.Equal("WKS-0060", evt.HostName);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 59, 58, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(IPAddress.Parse("203.0.113.9"), evt.SourceIp);
        Assert.Equal(51515, evt.SourcePort);
        Assert.Equal(IPAddress.Parse("10.20.30.60"), evt.DestinationIp);
        Assert.Equal(443, evt.DestinationPort);
        Assert.Equal(MacAddress.Parse("0a:1b:2c:3d:4e:5f"), evt.HostMac);
        Assert.Equal("ingress", evt.NetworkDirection);
        Assert.Equal("tcp", evt.NetworkTransport);
        Assert.Equal("Web Attack: Example attack", evt.RuleName);
        Assert.Equal("intrusion_detection", evt.EventCategory);
        Assert.Equal(EventKinds.Other, evt.Kind);
    }

    [Fact]
    public void Parse_OutboundTrafficLine_IsNetworkConnectionFromTheHost()
    {
        var line = "<54>Nov 23 10:40:00 sepm01 SymantecServer: WKS-0070,Local Host IP: 10.20.30.70,Local Port: 50221,"
            + "Local Host MAC: 0a1b2c3d4e70,Remote Host IP: 198.51.100.20,Remote Host Name: files.example.net,Remote Port: 445,"
            + "Remote Host MAC: 0a1b2c3d4e01,Outbound,TCP,Begin: 2026-11-23 10:39:00,End: 2026-11-23 10:39:05,Occurrences: 3,"
            + "Application: C:/Windows/System32/svchost.exe,Rule: Allow outbound SMB,Location: Office,User: jdoe,Domain: CORP,"
            + "Action: Allowed,SHA-256: D1616B874A96DF2515DA372A90BDDC00792CBFF027F5E097CAFA31D3AEA8B310,MD-5: not-a-hash";

        var evt = ParseEvent(line);

        Assert.Equal(EventKinds.NetworkConnection, evt.Kind);
        Assert.Equal("egress", evt.NetworkDirection);
        Assert.Equal(IPAddress.Parse("10.20.30.70"), evt.SourceIp);
        Assert.Equal(50221, evt.SourcePort);
        Assert.Equal(MacAddress.Parse("0a1b2c3d4e70"), evt.SourceMac);
        Assert.Equal(IPAddress.Parse("198.51.100.20"), evt.DestinationIp);
        Assert.Equal(445, evt.DestinationPort);
        Assert.Equal("files.example.net", evt.DestinationName);
        Assert.Equal(MacAddress.Parse("0a1b2c3d4e01"), evt.DestinationMac);
        Assert.Equal(IPAddress.Parse("10.20.30.70"), evt.HostIp);
        Assert.Equal("WKS-0070", evt.HostName);
        Assert.Equal("C:/Windows/System32/svchost.exe", evt.ProcessExecutable);
        Assert.Equal("svchost.exe", evt.ProcessName);
        Assert.Equal("d1616b874a96df2515da372a90bddc00792cbff027f5e097cafa31d3aea8b310", evt.ProcessHashSha256);
        Assert.Null(evt.ProcessHashMd5);
        Assert.Equal("not-a-hash", evt.Labels!["MD-5"]);
        Assert.Equal("Allow outbound SMB", evt.RuleName);
        Assert.Equal("Allowed", evt.EventAction);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 39, 0, TimeSpan.Zero), evt.Timestamp);
    }

    [Fact]
    public void Parse_TrafficLineWithoutDirection_KeepsRemoteEndAsLabels()
    {
        var line = "<54>Nov 23 10:40:00 sepm01 SymantecServer: WKS-0071,Local Host IP: 10.20.30.71,Local Port: 137,"
            + "Remote Host IP: 10.20.30.255,Remote Port: 137,Unknown,UDP,Action: Blocked";

        var evt = ParseEvent(line);

        Assert.Equal(IPAddress.Parse("10.20.30.71"), evt.HostIp);
        Assert.Null(evt.SourceIp);
        Assert.Null(evt.DestinationIp);
        Assert.Null(evt.NetworkDirection);
        Assert.Equal("10.20.30.255", evt.Labels!["Remote Host IP"]);
        Assert.Equal("137", evt.Labels["Local Port"]);
        Assert.Equal("udp", evt.NetworkTransport);
    }

    [Fact]
    public void Parse_ApplicationHashOfStatedType_GoesToProcessHash()
    {
        var line = "<54>Nov 23 10:20:00 sepm01 SymantecServer: Virus found,Computer name: WKS-7,"
            + "Application hash: 3A0A04E61F20FB39F76198F59DBE3E3A2173107C1F7ADAA020B2E56A8D549877,Hash type: SHA-256";

        var evt = ParseEvent(line);

        Assert.Equal("3a0a04e61f20fb39f76198f59dbe3e3a2173107c1f7adaa020b2e56a8d549877", evt.ProcessHashSha256);
        Assert.Equal("SHA-256", evt.Labels!["Hash type"]);
        Assert.False(evt.Labels.ContainsKey("Application hash"));
    }

    [Theory]
    [InlineData("Hash type: SHA1,Application hash: 3A0A04E61F20FB39F76198F59DBE3E3A2173107C1F7ADAA020B2E56A8D549877")]
    [InlineData("Application hash: 44d7fb7e-8c40-4a17-9aff-9c4aa0b96696,Hash type: SHA1")]
    [InlineData("Application hash: 44d7fb7e8c404a179aff9c4aa0b9669z,Hash type: MD5")]
    public void Parse_ApplicationHashThatIsNotAHashOfItsType_StaysALabel(string columns)
    {
        var evt = ParseEvent("<54>Nov 23 10:20:00 sepm01 SymantecServer: Virus found,Computer name: WKS-7," + columns);

        Assert.Null(evt.ProcessHashSha1);
        Assert.Null(evt.ProcessHashSha256);
        Assert.Null(evt.ProcessHashMd5);
        Assert.True(evt.Labels!.ContainsKey("Application hash"));
    }

    [Fact]
    public void Parse_BenchmarkGeneratorLine_ReadsEventTimeAndSource()
    {
        // A line of shared/bench/gen-sep-risk.py output (N=100000, default seed).
        const string line = "<54>Nov 23 10:00:00 sepm SymantecServer: Virus found,IP Address: 10.1.15.132,Computer name: HOST-3716,"
            + "Source: Manual scan,Risk name: W32.Ramnit,Occurrences: 1,File path: C:\\Users\\peggy\\AppData\\Local\\Temp\\98f629.exe,"
            + "Description: ,Actual action: Cleaned by deletion,Requested action: Cleaned,Secondary action: Quarantined,"
            + "Event time: 2026-11-23 10:00:00,Inserted: 2026-11-23 10:00:00,End: 2026-11-23 10:00:00,Domain: Default,"
            + "Group: My Company\\Kiosks,Server: sepm,User: peggy,Source computer: WS-01272,Source IP: 10.162.181.7";

        var evt = ParseEvent(line);

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal(IPAddress.Parse("10.162.181.7"), evt.SourceIp);
        Assert.Equal("WS-01272", evt.SourceName);
        Assert.Equal(IPAddress.Parse("10.1.15.132"), evt.HostIp);
        Assert.Equal("98f629.exe", evt.FileName);
        Assert.Equal("Cleaned by deletion", evt.EventAction);
        Assert.Equal("sepm", evt.ObserverName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("hello world")]
    [InlineData("<13>Nov 23 10:00:00 host01 sshd[812]: Accepted password for root from 10.0.0.1 port 22 ssh2")]
    [InlineData("{\"event\":{\"kind\":\"alert\"}}")]
    [InlineData("<54>Nov 23 10:00:00 sepm01 SymantecServer: ")]
    public void Parse_NotSep_IsRejectedWithAReason(string line)
    {
        var result = Parser.Parse(new RawInput(line, ReceivedAt));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }

    [Fact]
    public void Parse_EveryPrefixOfARiskLineAtAnyReceiptTime_NeverThrows()
    {
        foreach (var line in new[] { Rfc3164Risk, Sep143Risk, "<134>1 2026-11-23T10:30:00Z h a - - [x@1 a=\"]\"] \"a,\"\"b" })
        {
            for (var i = 0; i <= line.Length; i++)
            {
                foreach (var receivedAt in new[] { ReceivedAt, default, DateTimeOffset.MaxValue })
                {
                    var result = Parser.Parse(new RawInput(line[..i], receivedAt));
                    Assert.True(result.Outcome is ParseOutcome.Event or ParseOutcome.Rejected);
                }
            }
        }
    }

    [Fact]
    public void Parse_VeryWideRowThenNarrowRow_KeepsEveryLabelAndNothingCarriesOver()
    {
        var wide = "<54>Nov 23 10:20:00 sepm01 SymantecServer: Site: Site A,"
            + string.Join(",", Enumerable.Range(1, 150).Select(i => $"Extra {i}: value {i}"));

        var first = ParseEvent(wide);
        var second = ParseEvent("<54>Nov 23 10:20:00 sepm01 SymantecServer: Site: Site B,Event Description: Package properties have been changed");
        var rejected = Parser.Parse(new RawInput("hello world", ReceivedAt));
        var third = ParseEvent("<54>Nov 23 10:20:00 sepm01 SymantecServer: Site: Site C");

        Assert.Equal(151, first.Labels!.Count);
        Assert.Equal("value 150", first.Labels["Extra 150"]);
        Assert.Equal(2, second.Labels!.Count);
        Assert.Equal("Site B", second.Labels["Site"]);
        Assert.Equal(ParseOutcome.Rejected, rejected.Outcome);
        Assert.Equal("Site C", Assert.Single(third.Labels!).Value);
    }

    [Fact]
    public void Parse_LineLongerThan64KCharacters_KeepsValuesOnBothSidesOfTheMark()
    {
        var description = new string('x', 70_000);
        var evt = ParseEvent("<54>Nov 23 10:20:00 sepm01 SymantecServer: Site: Site A,Event Description: " + description + ",Server Name: sepm01");

        Assert.Equal("Site A", evt.Labels!["Site"]);
        Assert.Equal(description, evt.Labels["Event Description"]);
        Assert.Equal("sepm01", evt.Labels["Server Name"]);
    }

    [Theory]
    [InlineData("10.20.31.7", "10.20.31.7")]
    [InlineData("255.255.255.254", "255.255.255.254")]
    [InlineData("fd00:10:20::7", "fd00:10:20::7")]
    [InlineData("10.20.31.7 ", "10.20.31.7")]
    public void Parse_SourceIpForms_AreRead(string text, string expected)
    {
        var evt = ParseEvent("<54>Nov 23 10:20:00 sepm01 SymantecServer: Virus found,Computer name: WKS-7,Source IP: " + text);

        Assert.Equal(IPAddress.Parse(expected), evt.SourceIp);
        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
    }

    [Theory]
    [InlineData("10.20.31")]
    [InlineData("10.20.31.256")]
    [InlineData("10.20.31.7.1")]
    [InlineData("10.20.31.7x")]
    [InlineData("010.20.31.7")]
    [InlineData("n/a")]
    public void Parse_SourceIpThatIsNoAddress_IsKeptAsLabelOnly(string text)
    {
        var evt = ParseEvent("<54>Nov 23 10:20:00 sepm01 SymantecServer: Virus found,Computer name: WKS-7,Source IP: " + text);

        Assert.Null(evt.SourceIp);
        Assert.Equal(text, evt.Labels!["Source IP"]);
        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
    }

    [Fact]
    public void Parse_UrlAndDrivePathColumns_StayPositional()
    {
        var evt = ParseEvent("<54>Nov 23 10:20:00 sepm01 SymantecServer: WKS-7,http://example.test/a,E:/autorun.inf,C:\\x.exe,Rule: Block autorun");

        Assert.Equal("http://example.test/a", evt.Labels!["column2"]);
        Assert.Equal("E:/autorun.inf", evt.Labels["column3"]);
        Assert.Equal("Block autorun", evt.RuleName);
        Assert.Equal(EventKinds.Other, evt.Kind);
    }
}
