using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Core.Tests.Parsing.Sysmon;

/// <summary>The OTRF PsExec LSA secrets dump (Fixtures/samples, MIT) through a sysmon session.</summary>
public class SysmonSampleTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<ParseResult> ParseSample(string format = EventFormats.Sysmon)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "samples", "sysmon-psexec-lateral-movement.ndjson");
        var session = ParserRegistry.CreateDefault().StartSession(format);
        return File.ReadLines(path).Select(line => session.Parse(line, ReceivedAt)).ToList();
    }

    [Fact]
    public void Parse_EverySampleLine_IsAnEvent()
    {
        var results = ParseSample();

        Assert.Equal(286, results.Count);
        Assert.All(results, r => Assert.True(r.Outcome == ParseOutcome.Event, r.Error));
        Assert.All(results, r => Assert.Equal("WORKSTATION5", r.Event!.HostName));
        Assert.All(results, r => Assert.Equal(2020, r.Event!.Timestamp.Year));
    }

    [Fact]
    public void Parse_SampleProcessCreates_ArePsExecChainWithHashes()
    {
        var started = ParseSample().Select(r => r.Event!).Where(e => e.Kind == EventKinds.ProcessStarted).ToList();

        Assert.Equal(4, started.Count);
        Assert.Equal(["PsExec.exe", "PSEXESVC.exe", "reg.exe", "conhost.exe"], started.Select(e => e.ProcessName));
        Assert.Equal(["cmd.exe", "services.exe", "PSEXESVC.exe", "reg.exe"], started.Select(e => e.ProcessParentName));
        Assert.Equal("3337E3875B05E0BFBA69AB926532E3F179E8CFBF162EBB60CE58A0281437A7EF", started[0].ProcessHashSha256);
        Assert.Equal("141B2190F51397DBD0DFDE0E3904B264C91B6F81FEBC823FF0C33DA980B69944", started[1].ProcessHashSha256);
        Assert.Equal("4ED2A27860FA154415F65452FF1F94BD6AF762982E2F3470030C504DC3C8A354", started[2].ProcessHashSha256);
        Assert.Equal("C1E59519B5E5D84AF07AFA6F5A8625F1", started[0].Labels!["IMPHASH"]);
        Assert.Equal(7256, started[0].ProcessPid);
        Assert.Equal("WORKSTATION5", started[0].UserDomain);
        Assert.Equal("wardog", started[0].UserName);
        Assert.Equal(new DateTimeOffset(2020, 10, 19, 7, 30, 46, 251, TimeSpan.Zero), started[0].Timestamp);
        Assert.Contains("save HKLM\\security\\policy\\secrets", started[2].ProcessCommandLine, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SampleNetworkConnects_AreSmbWithDirection()
    {
        var connections = ParseSample().Select(r => r.Event!).Where(e => e.Kind == EventKinds.NetworkConnection).ToList();

        Assert.Equal(2, connections.Count);
        var host = IPAddress.Parse("fe80::90e:17af:263c:5209");
        Assert.All(connections, c =>
        {
            Assert.Equal(445, c.DestinationPort);
            Assert.Equal(58391, c.SourcePort);
            Assert.Equal(host, c.SourceIp);
            Assert.Equal(host, c.DestinationIp);
            Assert.Equal(host, c.HostIp);
            Assert.Equal("tcp", c.NetworkTransport);
            Assert.Equal("System", c.ProcessName);
        });
        Assert.Equal(["egress", "ingress"], connections.Select(c => c.NetworkDirection));
        Assert.Equal(["true", "false"], connections.Select(c => c.Labels!["Initiated"]));
    }

    [Fact]
    public void Parse_SampleSecurityAndOtherSysmonEvents_AreOtherWithEventCode()
    {
        var others = ParseSample().Select(r => r.Event!).Where(e => e.Kind == EventKinds.Other).ToList();

        Assert.Equal(280, others.Count);
        var service = Assert.Single(others, e => e.EventCode == "7045");
        Assert.Equal("Service Control Manager", service.EventProvider);
        Assert.Equal("PSEXESVC", service.Labels!["ServiceName"]);
        Assert.Equal(4, others.Count(e => e.EventCode == "4688" && e.EventProvider == "Microsoft-Windows-Security-Auditing"));
    }

    [Fact]
    public void Parse_SampleInAutoMode_AllWindowsLinesToSysmonParserAndNoneRejected()
    {
        var events = ParseSample(EventFormats.Auto).Select(r => r.Event).ToList();

        Assert.All(events, Assert.NotNull);
        Assert.Equal(286, events.Count(e => e!.Format == EventFormats.Sysmon));
        Assert.Equal(4, events.Count(e => e!.EventCode == "4688"));
        Assert.Equal(4, events.Count(e => e!.Kind == EventKinds.ProcessStarted));
        Assert.Equal(2, events.Count(e => e!.Kind == EventKinds.NetworkConnection));
    }
}
