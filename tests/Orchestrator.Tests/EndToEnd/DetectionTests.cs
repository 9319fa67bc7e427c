using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Detection.FirstSeen;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>
/// Issue 7 through the real service: the OTRF Sysmon sample of PsExec run against WORKSTATION5 posted to the
/// API raises the executables it ran as first seen in the fleet (once, also across a restart), a detection
/// on WORKSTATION5 is traced to its own SMB connection, a detection elsewhere to the remote host that
/// connected over SMB, and three victims of one source make one outbreak source.
/// </summary>
public sealed class DetectionTests : IAsyncLifetime
{
    private const string PsExec = @"C:\Users\wardog\Downloads\PSTools\PsExec.exe";
    private const string PsExecService = @"C:\Windows\PSEXESVC.exe";
    private const string Reg = @"C:\Windows\System32\reg.exe";

    private static readonly DateTimeOffset Morning = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private InProcessService _service = null!;

    public Task InitializeAsync()
    {
        _service = InProcessService.Create();
        return _service.StartAsync(TestEvents.SampleServiceSections(_service));
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task SysmonSample_RaisesEachExecutableOnceAsFirstSeenInTheFleet_PsExecServiceAndTheRegExeItLaunched()
    {
        await _service.PostAsync(TestEvents.SysmonSample, "sysmon");
        await _service.TraceOfAsync(await _service.PostAsync(TestEvents.Detection("WORKSTATION5", TestEvents.DetectionOnWorkstation5)));

        var unknown = await _service.EventsAsync("process.unknown");

        Assert.Equal(4, TestEvents.SampleExecutables.Count);
        Assert.Equal(
            TestEvents.SampleExecutables.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value.ToUpperInvariant())),
            unknown.Select(e => (InProcessService.Field(e, "process.executable")!, InProcessService.Field(e, "process.hash.sha256")!.ToUpperInvariant())).OrderBy(e => e.Item1, StringComparer.Ordinal));
        Assert.All(unknown, e =>
        {
            Assert.Equal(FirstSeenRegistry.FleetScope, InProcessService.Label(e, FirstSeenRegistry.ScopeLabel));
            Assert.Equal("WORKSTATION5", InProcessService.Field(e, "host.name"));
        });
        var service = Unknown(unknown, PsExecService);
        Assert.Equal("141B2190F51397DBD0DFDE0E3904B264C91B6F81FEBC823FF0C33DA980B69944", InProcessService.Field(service, "process.hash.sha256")!.ToUpperInvariant());
        Assert.Equal(@"C:\Windows\System32\services.exe", InProcessService.Field(service, "process.parent.executable"));
        Assert.Equal("2020-10-19T07:30:46.4350000Z", InProcessService.Label(service, FirstSeenRegistry.FirstSeenLabel));
        var reg = Unknown(unknown, Reg);
        Assert.Equal("4ED2A27860FA154415F65452FF1F94BD6AF762982E2F3470030C504DC3C8A354", InProcessService.Field(reg, "process.hash.sha256")!.ToUpperInvariant());
        Assert.Equal(PsExecService, InProcessService.Field(reg, "process.parent.executable"));
        Assert.Equal("SYSTEM", InProcessService.Field(reg, "user.name"));
        var psexec = Unknown(unknown, PsExec);
        Assert.Equal("3337E3875B05E0BFBA69AB926532E3F179E8CFBF162EBB60CE58A0281437A7EF", InProcessService.Field(psexec, "process.hash.sha256")!.ToUpperInvariant());
        Assert.Equal(@"C:\Windows\System32\cmd.exe", InProcessService.Field(psexec, "process.parent.executable"));
    }

    [Fact]
    public async Task DetectionOnWorkstation5_IsTracedToItsOwnSmbConnection_AsTheLocalHost()
    {
        await _service.PostAsync(TestEvents.SysmonSample, "sysmon");

        var traced = await _service.TraceOfAsync(await _service.PostAsync(TestEvents.Detection("WORKSTATION5", TestEvents.DetectionOnWorkstation5)));

        Assert.Equal("local_host", InProcessService.Label(traced, "trace.source"));
        Assert.Equal("WORKSTATION5", InProcessService.Field(traced, "source.name"));
        Assert.Equal("fe80::90e:17af:263c:5209", InProcessService.Field(traced, "source.ip"));
        Assert.Equal("fe80::90e:17af:263c:5209", InProcessService.Label(traced, "trace.victim"));
        Assert.Equal("1", InProcessService.Label(traced, "trace.candidates"));
        Assert.Equal("445", InProcessService.Label(traced, "trace.candidate.1.ports"));
        Assert.Equal("true", InProcessService.Label(traced, "trace.candidate.1.local"));
        Assert.Equal("true", InProcessService.Label(traced, "trace.candidate.1.file_sharing"));
        Assert.Equal("2020-10-19T07:30:46.3190000Z", InProcessService.Label(traced, "trace.candidate.1.last_seen"));
        Assert.Equal("W32.Changeup", InProcessService.Field(traced, "rule.name"));
    }

    [Fact]
    public async Task Restart_ThenTheSameSampleAgain_RaisesNoNewUnknownProcess()
    {
        await _service.PostAsync(TestEvents.SysmonSample, "sysmon");
        await _service.TraceOfAsync(await _service.PostAsync(TestEvents.Detection("WORKSTATION5", TestEvents.DetectionOnWorkstation5)));
        var before = await _service.EventsAsync("process.unknown");
        Assert.Equal(4, before.Count);

        await _service.RestartAsync();
        var again = await _service.PostAsync(TestEvents.SysmonSample, "sysmon");
        await _service.TraceOfAsync(await _service.PostAsync(TestEvents.Detection("WORKSTATION5", TestEvents.DetectionOnWorkstation5.AddSeconds(1))));

        Assert.True(again > before.Max(Id), "the sample posted again is stored as new events");
        var after = await _service.EventsAsync("process.unknown");
        Assert.Equal(before.Select(Id), after.Select(Id));
    }

    [Fact]
    public async Task DetectionNamingNoSource_IsTracedToTheRemoteHostThatConnectedOverSmb()
    {
        await _service.PostAsync(string.Join('\n',
            TestEvents.InboundConnection("PC-VICTIM", "10.61.0.20", "PC-WORM", "10.61.0.5", 445, Morning),
            TestEvents.InboundConnection("PC-VICTIM", "10.61.0.20", "PC-WORM", "10.61.0.5", 445, Morning.AddSeconds(20)),
            // A later connection on a port that is not file sharing ranks after the SMB one.
            TestEvents.InboundConnection("PC-VICTIM", "10.61.0.20", "PC-PRINTER", "10.61.0.9", 9100, Morning.AddSeconds(40))), "sysmon");

        var traced = await _service.TraceOfAsync(await _service.PostAsync(TestEvents.Detection("PC-VICTIM", Morning.AddMinutes(1))));

        Assert.Equal("10.61.0.5", InProcessService.Field(traced, "source.ip"));
        Assert.Equal("PC-WORM", InProcessService.Field(traced, "source.name"));
        Assert.Equal("connections", InProcessService.Label(traced, "trace.source"));
        Assert.Equal(("445", "2", "false"), (InProcessService.Label(traced, "trace.candidate.1.ports"), InProcessService.Label(traced, "trace.candidate.1.connections"), InProcessService.Label(traced, "trace.candidate.1.local")));
        Assert.Equal("10.61.0.9", InProcessService.Label(traced, "trace.candidate.2.ip"));
    }

    [Fact]
    public async Task SmbConnectionShippedAfterTheDetection_TheDetectionWaitsAndIsTracedToItWhenEventTimeMovesOn()
    {
        // The fleet sends connection telemetry, but the batch that holds PC-LATE's comes after the antivirus' alert.
        await _service.PostAsync(TestEvents.InboundConnection("PC-OTHER", "10.63.0.30", "PC-PRINTER", "10.63.0.9", 9100, Morning), "sysmon");
        var detection = await _service.PostAsync(TestEvents.Detection("PC-LATE", Morning.AddMinutes(1)));
        await _service.PostAsync(TestEvents.InboundConnection("PC-LATE", "10.63.0.20", "PC-WORM", "10.63.0.5", 445, Morning.AddSeconds(50)), "sysmon");

        // Any event two minutes (late_telemetry) after the detection ends its wait.
        await _service.PostAsync(TestEvents.InboundConnection("PC-OTHER", "10.63.0.30", "PC-PRINTER", "10.63.0.9", 9100, Morning.AddMinutes(3)), "sysmon");
        var traced = await _service.TraceOfAsync(detection);

        Assert.Equal("10.63.0.5", InProcessService.Field(traced, "source.ip"));
        Assert.Equal("PC-WORM", InProcessService.Field(traced, "source.name"));
        Assert.Equal(("connections", "true"), (InProcessService.Label(traced, "trace.source"), InProcessService.Label(traced, "trace.late_telemetry")));
        Assert.Equal("10.63.0.20", InProcessService.Label(traced, "trace.victim"));
        var metrics = await _service.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("orchestrator_detection_waiting_for_late_telemetry 0\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThreeVictimsTracedToOneSource_RaiseExactlyOneOutbreakSourceWithThreeVictims()
    {
        string[] victims = ["PC-A", "PC-B", "PC-C", "PC-D"];
        await _service.PostAsync(string.Join('\n', victims.Select((v, i) =>
            TestEvents.InboundConnection(v, $"10.62.0.{21 + i}", "PC-WORM", "10.62.0.5", 445, Morning.AddMinutes(i)))), "sysmon");

        long last = 0;
        for (var i = 0; i < victims.Length; i++)
        {
            last = await _service.PostAsync(TestEvents.Detection(victims[i], Morning.AddMinutes(i).AddSeconds(30)));
        }

        // The fourth victim's trace is stored after everything the detections before it derived.
        await _service.TraceOfAsync(last);
        var outbreak = Assert.Single(await _service.EventsAsync("outbreak.source"));
        Assert.Equal("10.62.0.5", InProcessService.Field(outbreak, "source.ip"));
        Assert.Equal("3", InProcessService.Label(outbreak, "outbreak.victims"));
        Assert.Equal("PC-A,PC-B,PC-C", InProcessService.Label(outbreak, "outbreak.victim_list"));
        Assert.Equal("PC-C", InProcessService.Field(outbreak, "host.name"));
        var traced = await _service.EventsAsync("infection.traced");
        Assert.Equal(4, traced.Count);
        Assert.All(traced, t => Assert.Equal("10.62.0.5", InProcessService.Field(t, "source.ip")));

        // The outbreak view of the API: the source first with its four victims, and the chain in Mermaid.
        var range = $"since={Uri.EscapeDataString(Morning.AddHours(-1).ToString("O"))}&until={Uri.EscapeDataString(Morning.AddHours(1).ToString("O"))}";
        var (status, view) = await _service.AdminAsync(HttpMethod.Get, "api/v1/outbreak?" + range);
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        var top = view.GetProperty("sources")[0];
        Assert.Equal("10.62.0.5", top.GetProperty("ip").GetString());
        Assert.Equal(4, top.GetProperty("distinct_victims").GetInt32());
        Assert.Equal(4, view.GetProperty("chain").GetProperty("edges").GetArrayLength());
        using var mermaid = new HttpRequestMessage(HttpMethod.Get, "api/v1/outbreak?format=mermaid&" + range);
        mermaid.Headers.Add("X-Api-Key", InProcessService.AdminKey);
        using var answer = await _service.Http.SendAsync(mermaid);
        var text = await answer.Content.ReadAsStringAsync();
        Assert.StartsWith("graph LR", text, StringComparison.Ordinal);
        Assert.Equal(4, text.Split('\n').Count(l => l.Contains("-->", StringComparison.Ordinal)));
        var (badStatus, bad) = await _service.AdminAsync(HttpMethod.Get, "api/v1/outbreak?format=svg");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("format: 'svg'", bad.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static JsonElement Unknown(List<JsonElement> events, string executable) =>
        Assert.Single(events, e => InProcessService.Field(e, "process.executable") == executable);

    private static long Id(JsonElement evt) => evt.GetProperty("orchestrator").GetProperty("id").GetInt64();
}
