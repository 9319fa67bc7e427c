using System.Net;
using System.Text.Json;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Tests.Email;
using Orchestrator.Connectors.Tests.Firewalls.Http;
using Orchestrator.Connectors.Tests.Paging;
using Orchestrator.Tests.Cli;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>
/// The repository's example playbooks, read from <c>playbooks/</c> as shipped, in the real service: a first-seen
/// executable mails the SOC (through a real aiosmtpd) and pages the on-call (a stand-in that checks PagerDuty's
/// documented format); an outbreak source is blocked on the core firewall (a stand-in OPNsense), its failed
/// quarantine (no switch in the inventory) does not stop the run, and the SOC is told.
/// </summary>
public sealed class ExamplePlaybookTests : IAsyncLifetime
{
    private const string RoutingKeyVariable = "ORCH_E2E_PLAYBOOKS_ROUTING_KEY";
    private const string RoutingKey = "ExamplePlaybooksRoutingKey012345";
    private const string OpnKeyVariable = "ORCH_E2E_PLAYBOOKS_OPN_KEY";
    private const string OpnSecretVariable = "ORCH_E2E_PLAYBOOKS_OPN_SECRET";
    private const string OpnKey = "e2e-opn-key-0123456789";
    private const string OpnSecret = "e2e-opn-secret-0123456789";

    private static readonly DateTimeOffset Morning = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private readonly PagerDutyVendor _pagerDuty = new(RoutingKey);
    private readonly OpnSenseVendor _opnsense = new(OpnKey, OpnSecret, OpnSenseDriver.DefaultAlias);
    private SmtpTestServer _smtp = null!;
    private StandIn _pager = null!;
    private StandIn _firewall = null!;
    private InProcessService _service = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpTestServer.StartAsync();
        _pager = await StandIn.StartAsync(_pagerDuty.Handle);
        _firewall = await StandIn.StartAsync(_opnsense.Handle);
        Environment.SetEnvironmentVariable(RoutingKeyVariable, RoutingKey);
        Environment.SetEnvironmentVariable(OpnKeyVariable, OpnKey);
        Environment.SetEnvironmentVariable(OpnSecretVariable, OpnSecret);

        _service = InProcessService.Create();
        foreach (var id in new[] { "unknown-process-alert", "outbreak-contain" })
        {
            File.Copy(TestCommandTests.Playbook(id), Path.Combine(_service.Playbooks, id + ".yaml"));
        }

        // What the two playbooks name: the list in outbreak-contain's condition and the firewall core-fw. No switch,
        // so switch.quarantine fails (and the playbook goes on).
        await File.WriteAllTextAsync(Path.Combine(_service.Playbooks, "inventory.yaml"), $$"""
            lists:
              protected_networks: [10.0.0.0/24]
            protected:
              lists: [protected_networks]
            devices:
              core-fw:
                driver: opnsense
                address: 127.0.0.1:{{_firewall.Url.Port}}
                credentials: { api_key: "${env:{{OpnKeyVariable}}}", api_secret: "${env:{{OpnSecretVariable}}}" }
                options: { scheme: http }
            """);
        // Retention ages events by event time: the sample's 2020 process start must not go while the test runs.
        await _service.StartAsync($$"""
            retention:
              max_age: null
            response:
              playbooks: {{_service.Playbooks}}
              dry_run: false
              blast_radius: { global: 10, per_playbook: 10, window: 10m }
            alerting:
              smtp: { host: 127.0.0.1, port: {{_smtp.Port}}, security: none, from: orchestrator@example.org, retry_backoff: 10ms }
              pagers:
                soc-oncall: { kind: pagerduty, routing_key: "${env:{{RoutingKeyVariable}}}", base_url: "{{_pager.Url}}" }
              notify:
                email: [soc@example.org]
            """);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _firewall.DisposeAsync();
        await _pager.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task UnknownProcessAlert_RegExeFirstSeenInTheFleet_MailsHostAndHash_AndPagesInPagerDutyFormat()
    {
        var regStart = Assert.Single(TestEvents.SampleProcessStarts, l => l.Contains(@"""Image"":""C:\\Windows\\System32\\reg.exe""", StringComparison.Ordinal));
        var sha256 = TestEvents.SampleExecutables[@"C:\Windows\System32\reg.exe"];

        var eventId = await _service.PostAsync(regStart, "sysmon");

        var run = await FinishedRunAsync("unknown-process-alert");
        Assert.True(Status(run) == "succeeded", run.ToString());
        Assert.Equal(["succeeded", "succeeded"], Steps(run).Select(s => s.GetProperty("status").GetString()));
        var unknown = Assert.Single(await _service.EventsAsync("process.unknown"));
        Assert.Equal(InProcessService.Field(unknown, "orchestrator.id"), run.GetProperty("event_id").GetRawText());
        Assert.Equal(eventId.ToString(System.Globalization.CultureInfo.InvariantCulture), InProcessService.Label(unknown, "orchestrator.derived_from"));

        var email = Assert.Single(_smtp.Received());
        var message = email.Parse();
        Assert.Equal(["soc@example.org"], email.RcptTos);
        Assert.Equal("New executable on WORKSTATION5: reg.exe", message.Subject);
        Assert.Contains("WORKSTATION5 (address unknown) ran C:\\Windows\\System32\\reg.exe\nfor the first time in the fleet", message.TextBody!.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains(@"Parent: C:\Windows\PSEXESVC.exe", message.TextBody, StringComparison.Ordinal);
        Assert.Contains(@"User: NT AUTHORITY\SYSTEM", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("SHA-256: " + sha256, message.TextBody, StringComparison.OrdinalIgnoreCase);

        var page = JsonDocument.Parse(Assert.Single(_pager.Requests).Body).RootElement;
        Assert.Equal("/v2/enqueue", _pager.Requests[0].Path);
        Assert.Equal(RoutingKey, page.GetProperty("routing_key").GetString());
        Assert.Equal("trigger", page.GetProperty("event_action").GetString());
        Assert.Equal("New executable reg.exe on WORKSTATION5", page.GetProperty("payload").GetProperty("summary").GetString());
        Assert.Equal("warning", page.GetProperty("payload").GetProperty("severity").GetString());
        Assert.Equal("trigger", _pagerDuty.AlertStates[page.GetProperty("dedup_key").GetString()!]);
    }

    [Fact]
    public async Task OutbreakContain_ThreeVictimsTracedToOneSource_BlocksItOnCoreFw_AndTellsTheSoc()
    {
        string[] victims = ["PC-A", "PC-B", "PC-C"];
        await _service.PostAsync(string.Join('\n', victims.Select((v, i) =>
            TestEvents.InboundConnection(v, $"10.63.0.{21 + i}", "PC-WORM", "10.63.0.5", 445, Morning.AddMinutes(i)))), "sysmon");
        foreach (var (victim, i) in victims.Select((v, i) => (v, i)))
        {
            await _service.PostAsync(TestEvents.Detection(victim, Morning.AddMinutes(i).AddSeconds(30)));
        }

        var run = await FinishedRunAsync("outbreak-contain");

        var outbreak = Assert.Single(await _service.EventsAsync("outbreak.source"));
        Assert.Equal(InProcessService.Field(outbreak, "orchestrator.id"), run.GetProperty("event_id").GetRawText());
        var steps = Steps(run).ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.True(steps["quarantine"].GetProperty("status").GetString() == "failed", run.ToString());
        Assert.StartsWith("no switch in the inventory", steps["quarantine"].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(steps["block"].GetProperty("status").GetString() == "succeeded", run.ToString());
        Assert.Equal("succeeded", Status(run));
        var notify = Assert.Single(Steps(run), s => s.GetProperty("type").GetString() == "notify");
        Assert.Equal("succeeded", notify.GetProperty("status").GetString());

        Assert.Equal(["10.63.0.5"], _opnsense.Blocked());
        var (status, ledger) = await _service.AdminAsync(HttpMethod.Get, "/api/v1/containments?active=true");
        Assert.Equal(HttpStatusCode.OK, status);
        var containment = Assert.Single(ledger.GetProperty("containments").EnumerateArray());
        Assert.Equal(("active", "firewall.block", "10.63.0.5", "core-fw", "outbreak-contain"), (
            containment.GetProperty("status").GetString(), containment.GetProperty("action").GetString(), containment.GetProperty("ip").GetString(),
            containment.GetProperty("device").GetString(), containment.GetProperty("playbook_id").GetString()));

        var told = await InProcessService.EventuallyAsync(
            () => Task.FromResult(_smtp.Received().FirstOrDefault(e => e.Parse().Subject?.Contains("Outbreak source", StringComparison.Ordinal) == true)),
            "mail from the notify step");
        var message = told.Parse();
        Assert.Contains("PC-WORM contained", message.Subject, StringComparison.Ordinal);
        Assert.Contains("(10.63.0.5) infected 3 hosts within 1h: PC-A,PC-B,PC-C", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Quarantine: failed; blocked on core-fw until", message.TextBody, StringComparison.Ordinal);
    }

    /// <summary>Waits for the first run of <paramref name="playbookId"/> to end or stop for an approval; returns it in full.</summary>
    private async Task<JsonElement> FinishedRunAsync(string playbookId)
    {
        var runId = await InProcessService.EventuallyAsync(async () =>
        {
            var (_, runs) = await _service.AdminAsync(HttpMethod.Get, $"/api/v1/runs?playbook={playbookId}");
            return runs.GetProperty("runs").EnumerateArray()
                .Where(r => r.GetProperty("status").GetString() != "running")
                .Select(r => r.GetProperty("id").GetString()).FirstOrDefault();
        }, $"finished run of {playbookId}");
        var (_, run) = await _service.AdminAsync(HttpMethod.Get, $"/api/v1/runs/{runId}");
        return run;
    }

    private static string? Status(JsonElement run) => run.GetProperty("status").GetString();

    private static List<JsonElement> Steps(JsonElement run) => [.. run.GetProperty("steps").EnumerateArray()];
}
