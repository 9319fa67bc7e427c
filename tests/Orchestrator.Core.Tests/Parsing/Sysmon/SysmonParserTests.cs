using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Sysmon;

namespace Orchestrator.Core.Tests.Parsing.Sysmon;

public class SysmonParserTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 2, 3, 4, 5, 6, TimeSpan.Zero);

    private const string ProcessCreateFlat =
        """{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","SourceName":"Microsoft-Windows-Sysmon","Hostname":"LABPC07","UtcTime":"2026-02-03 01:02:03.456","TimeCreated":"2026-02-02 20:02:03.500","RuleName":"-","ProcessGuid":"{aaaa-0001}","ProcessId":"5120","Image":"C:\\Tools\\dropper.exe","CommandLine":"dropper.exe -q","User":"LAB\\alice","IntegrityLevel":"High","Hashes":"SHA1=1111,MD5=2222,SHA256=3333,IMPHASH=4444","ParentProcessGuid":"{aaaa-0000}","ParentProcessId":"880","ParentImage":"C:\\Windows\\explorer.exe","ParentCommandLine":"explorer.exe","Message":"Process Create: long rendered text"}""";

    private const string ProcessCreateWinlogbeat =
        """{"@timestamp":"2026-02-03T01:02:03.456Z","host":{"name":"labpc07.lab.local"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":"1","provider_name":"Microsoft-Windows-Sysmon","computer_name":"labpc07.lab.local","event_data":{"Image":"C:\\Tools\\dropper.exe","ProcessId":"5120","User":"LAB\\alice","Hashes":"MD5=2222,SHA256=3333","ParentImage":"C:\\Windows\\explorer.exe","ParentProcessId":"880","IntegrityLevel":"High"}}}""";

    private static string NetworkConnect(string srcIp, int srcPort, string srcHost, string dstIp, int dstPort, string dstHost, string initiated, string host = "FILESRV2") =>
        $$"""{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","SourceName":"Microsoft-Windows-Sysmon","Hostname":"{{host}}","UtcTime":"2026-02-03 01:10:00.000","Image":"System","ProcessId":"4","User":"NT AUTHORITY\\SYSTEM","Protocol":"tcp","Initiated":"{{initiated}}","SourceIp":"{{srcIp}}","SourceHostname":"{{srcHost}}","SourcePort":"{{srcPort}}","DestinationIp":"{{dstIp}}","DestinationHostname":"{{dstHost}}","DestinationPort":"{{dstPort}}"}""";

    private static SecurityEvent ParseEvent(string line)
    {
        var result = new SysmonParser().Parse(new RawInput(line, ReceivedAt));
        Assert.True(result.Outcome == ParseOutcome.Event, result.Error);
        return result.Event!;
    }

    [Fact]
    public void Parse_ProcessCreateFlat_MapsProcessFields()
    {
        var evt = ParseEvent(ProcessCreateFlat);

        Assert.Equal(EventKinds.ProcessStarted, evt.Kind);
        Assert.Equal("sysmon", evt.Format);
        Assert.Equal("process", evt.EventCategory);
        Assert.Equal("start", evt.EventType);
        Assert.Equal("1", evt.EventCode);
        Assert.Equal("Microsoft-Windows-Sysmon", evt.EventProvider);
        Assert.Equal("LABPC07", evt.HostName);
        Assert.Equal(new DateTimeOffset(2026, 2, 3, 1, 2, 3, 456, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal(@"C:\Tools\dropper.exe", evt.ProcessExecutable);
        Assert.Equal("dropper.exe", evt.ProcessName);
        Assert.Equal(5120, evt.ProcessPid);
        Assert.Equal("{aaaa-0001}", evt.ProcessEntityId);
        Assert.Equal("dropper.exe -q", evt.ProcessCommandLine);
        Assert.Equal("LAB", evt.UserDomain);
        Assert.Equal("alice", evt.UserName);
        Assert.Equal("1111", evt.ProcessHashSha1);
        Assert.Equal("2222", evt.ProcessHashMd5);
        Assert.Equal("3333", evt.ProcessHashSha256);
        Assert.Equal("explorer.exe", evt.ProcessParentName);
        Assert.Equal(880, evt.ProcessParentPid);
        Assert.Equal("{aaaa-0000}", evt.ProcessParentEntityId);
        Assert.Equal("explorer.exe", evt.ProcessParentCommandLine);
        Assert.Null(evt.RuleName);
        Assert.Equal(ProcessCreateFlat, evt.Original);
    }

    [Fact]
    public void Parse_ProcessCreateFlat_KeepsUnmappedFieldsAsLabelsButNotMessage()
    {
        var labels = ParseEvent(ProcessCreateFlat).Labels!;

        Assert.Equal("4444", labels["IMPHASH"]);
        Assert.Equal("High", labels["IntegrityLevel"]);
        Assert.Equal("Microsoft-Windows-Sysmon/Operational", labels["Channel"]);
        Assert.Equal("2026-02-02 20:02:03.500", labels["TimeCreated"]);
        Assert.False(labels.ContainsKey("Message"));
        Assert.False(labels.ContainsKey("Image"));
        Assert.False(labels.ContainsKey("EventID"));
    }

    [Fact]
    public void Parse_ProcessCreateWinlogbeat_ReadsEventDataWithSameMapping()
    {
        var evt = ParseEvent(ProcessCreateWinlogbeat);

        Assert.Equal(EventKinds.ProcessStarted, evt.Kind);
        Assert.Equal("1", evt.EventCode);
        Assert.Equal("labpc07.lab.local", evt.HostName);
        Assert.Equal(new DateTimeOffset(2026, 2, 3, 1, 2, 3, 456, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("dropper.exe", evt.ProcessName);
        Assert.Equal(5120, evt.ProcessPid);
        Assert.Equal("alice", evt.UserName);
        Assert.Equal("3333", evt.ProcessHashSha256);
        Assert.Equal("explorer.exe", evt.ProcessParentName);
        Assert.Equal("High", evt.Labels!["IntegrityLevel"]);
    }

    [Fact]
    public void Parse_EventDataObject_ReadLikeWinlogEventData()
    {
        const string Line = """{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"LABPC08","EventData":{"UtcTime":"2026-02-03 05:00:00.000","Image":"C:\\x\\a.exe","ProcessId":"9"}}""";

        var evt = ParseEvent(Line);

        Assert.Equal(EventKinds.ProcessStarted, evt.Kind);
        Assert.Equal("LABPC08", evt.HostName);
        Assert.Equal("a.exe", evt.ProcessName);
        Assert.Equal(new DateTimeOffset(2026, 2, 3, 5, 0, 0, TimeSpan.Zero), evt.Timestamp);
    }

    [Fact]
    public void Parse_NetworkConnectInitiated_LocalHostIsSourceEgress()
    {
        var evt = ParseEvent(NetworkConnect("10.60.1.20", 50321, "WKS20", "10.60.1.5", 445, "FILESRV", "true", host: "WKS20"));

        Assert.Equal(EventKinds.NetworkConnection, evt.Kind);
        Assert.Equal("network", evt.EventCategory);
        Assert.Equal("connection", evt.EventType);
        Assert.Equal("tcp", evt.NetworkTransport);
        Assert.Equal("egress", evt.NetworkDirection);
        Assert.Equal(IPAddress.Parse("10.60.1.20"), evt.SourceIp);
        Assert.Equal(50321, evt.SourcePort);
        Assert.Equal("WKS20", evt.SourceName);
        Assert.Equal(IPAddress.Parse("10.60.1.5"), evt.DestinationIp);
        Assert.Equal(445, evt.DestinationPort);
        Assert.Equal(IPAddress.Parse("10.60.1.20"), evt.HostIp);
        Assert.Equal("true", evt.Labels!["Initiated"]);
    }

    [Fact]
    public void Parse_InboundWithRemotePeerAsSource_KeepsOrderIngress()
    {
        // OTRF WORKSTATION6 shape: 172.18.39.5:62782 → 172.18.39.6:445, Initiated=false.
        var evt = ParseEvent(NetworkConnect("10.60.1.77", 62782, "-", "10.60.1.5", 445, "-", "false"));

        Assert.Equal("ingress", evt.NetworkDirection);
        Assert.Equal(IPAddress.Parse("10.60.1.77"), evt.SourceIp);
        Assert.Equal(62782, evt.SourcePort);
        Assert.Equal(IPAddress.Parse("10.60.1.5"), evt.DestinationIp);
        Assert.Equal(445, evt.DestinationPort);
        Assert.Equal(IPAddress.Parse("10.60.1.5"), evt.HostIp);
        Assert.False(evt.Labels!.ContainsKey("orchestrator.swapped_endpoints"));
    }

    [Fact]
    public void Parse_InboundWithLocalHostAsSource_SwapsSoSourceIsInitiator()
    {
        // EVTX-ATTACK IEWIN7 shape: 10.0.2.18:445 → 10.0.2.19:33801, Initiated=false.
        var evt = ParseEvent(NetworkConnect("10.60.2.18", 445, "-", "10.60.2.19", 33801, "-", "false"));

        Assert.Equal("ingress", evt.NetworkDirection);
        Assert.Equal(IPAddress.Parse("10.60.2.19"), evt.SourceIp);
        Assert.Equal(33801, evt.SourcePort);
        Assert.Equal(IPAddress.Parse("10.60.2.18"), evt.DestinationIp);
        Assert.Equal(445, evt.DestinationPort);
        Assert.Equal(IPAddress.Parse("10.60.2.18"), evt.HostIp);
        Assert.Equal("true", evt.Labels!["orchestrator.swapped_endpoints"]);
        Assert.Equal("false", evt.Labels["Initiated"]);
    }

    [Fact]
    public void Parse_InboundHostnameMatchesSource_HostnameBeatsPortRule()
    {
        // Both ports are high; the Source hostname is the logging host, so the Source is local.
        var evt = ParseEvent(NetworkConnect("10.60.3.4", 5985, "FILESRV2.lab.local", "10.60.3.9", 1500, "-", "false"));

        Assert.Equal(IPAddress.Parse("10.60.3.9"), evt.SourceIp);
        Assert.Equal(IPAddress.Parse("10.60.3.4"), evt.DestinationIp);
        Assert.Equal("FILESRV2.lab.local", evt.DestinationName);
        Assert.Equal(IPAddress.Parse("10.60.3.4"), evt.HostIp);
    }

    [Fact]
    public void Parse_WinlogbeatInboundWithHostIp_HostIpDecidesLocalEnd()
    {
        const string Line = """{"@timestamp":"2026-02-03T01:10:00Z","host":{"name":"srv9","ip":["fe80::5","10.70.0.9"]},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":3,"event_data":{"Protocol":"tcp","Initiated":"false","SourceIp":"10.70.0.9","SourcePort":"8443","DestinationIp":"10.70.0.33","DestinationPort":"8080"}}}""";

        var evt = ParseEvent(Line);

        Assert.Equal(EventKinds.NetworkConnection, evt.Kind);
        Assert.Equal(IPAddress.Parse("10.70.0.33"), evt.SourceIp);
        Assert.Equal(8080, evt.SourcePort);
        Assert.Equal(IPAddress.Parse("10.70.0.9"), evt.DestinationIp);
        Assert.Equal("ingress", evt.NetworkDirection);
    }

    [Fact]
    public void Parse_OtherSysmonEvent_KindOtherWithLabelsAndCommonFields()
    {
        const string Line = """{"EventID":11,"Channel":"Microsoft-Windows-Sysmon/Operational","SourceName":"Microsoft-Windows-Sysmon","Hostname":"LABPC07","UtcTime":"2026-02-03 01:02:04.000","Image":"C:\\Tools\\dropper.exe","ProcessId":"5120","TargetFilename":"C:\\Windows\\payload.dll","CreationUtcTime":"2026-02-03 01:02:04.000"}""";

        var evt = ParseEvent(Line);

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal("11", evt.EventCode);
        Assert.Null(evt.EventCategory);
        Assert.Equal("dropper.exe", evt.ProcessName);
        Assert.Equal(@"C:\Windows\payload.dll", evt.FilePath);
        Assert.Equal("payload.dll", evt.FileName);
        Assert.Equal("2026-02-03 01:02:04.000", evt.Labels!["CreationUtcTime"]);
    }

    [Fact]
    public void Parse_SecurityEvent_KindOtherWithFieldsAsLabels()
    {
        const string Line = """{"EventID":5156,"Channel":"Security","SourceName":"Microsoft-Windows-Security-Auditing","Hostname":"LABPC07","TimeCreated":"2026-02-03 01:02:05.000","SourceAddress":"10.60.1.20","DestAddress":"10.60.1.1","DestPort":"53","Message":"The Windows Filtering Platform has permitted a connection."}""";

        var evt = ParseEvent(Line);

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal("5156", evt.EventCode);
        Assert.Equal("Microsoft-Windows-Security-Auditing", evt.EventProvider);
        Assert.Equal("LABPC07", evt.HostName);
        Assert.Equal(new DateTimeOffset(2026, 2, 3, 1, 2, 5, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("10.60.1.20", evt.Labels!["SourceAddress"]);
        Assert.Equal("53", evt.Labels["DestPort"]);
        Assert.Equal("Security", evt.Labels["Channel"]);
        Assert.Null(evt.SourceIp);
        Assert.False(evt.Labels.ContainsKey("Message"));
    }

    [Fact]
    public void Parse_NoTimeAtAll_UsesReceivedAt()
    {
        Assert.Equal(ReceivedAt, ParseEvent("""{"EventID":4624,"Channel":"Security","Hostname":"dc1"}""").Timestamp);
    }

    [Theory]
    [InlineData("""{"host":{"name":"x"}}""", "not a Windows event record")]
    [InlineData("""{"EventID":1,""", "invalid JSON at line 1")]
    [InlineData("[1]", "expected one JSON object")]
    [InlineData("{\"EventID\":1,\"Channel\":\"Security\",\"\\ud800\":\"x\"}", "invalid JSON string")]
    public void Parse_NotAWindowsEvent_Rejected(string line, string reason)
    {
        var result = new SysmonParser().Parse(new RawInput(line, ReceivedAt));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyFields_LabelsCapped()
    {
        var fields = string.Join(',', Enumerable.Range(0, 100).Select(i => $"\"F{i}\":\"v\""));
        var evt = ParseEvent("{\"EventID\":4688,\"Channel\":\"Security\"," + fields + "}");

        Assert.Equal(SysmonParser.MaxLabels, evt.Labels!.Count);
    }
}
