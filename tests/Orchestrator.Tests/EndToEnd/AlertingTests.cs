using System.Net;
using System.Text.Json;
using Orchestrator.Connectors.Tests.Email;
using Orchestrator.Connectors.Tests.Paging;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>
/// The whole alerting path in the service: a detection fires a playbook that emails (through a real
/// aiosmtpd) and pages with escalation (to a stand-in that checks PagerDuty's documented event shape);
/// the page is keyed on the incident, and acknowledging and resolving the incident reach the page.
/// </summary>
public sealed class AlertingTests : IAsyncLifetime
{
    private const string AdminKey = "alerting-admin-key-0123456789abcdef";
    private const string IngestKey = "alerting-ingest-key-0123456789abcdef";
    private const string RoutingKeyVariable = "ORCH_TEST_PAGERDUTY_ROUTING_KEY";
    private const string RoutingKey = "AlertingTestRoutingKey0123456789";

    private readonly InProcessService _service = InProcessService.Create("orch-alerting-", [("siem", "ingest", IngestKey), ("alice", "admin", AdminKey)]);
    private readonly PagerDutyVendor _pagerDuty = new(RoutingKey);
    private SmtpTestServer _smtp = null!;
    private StandIn _pager = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpTestServer.StartAsync();
        _pager = await StandIn.StartAsync(_pagerDuty.Handle);
        Environment.SetEnvironmentVariable(RoutingKeyVariable, RoutingKey);
        var playbooks = _service.Playbooks;
        await File.WriteAllTextAsync(Path.Combine(playbooks, "ransomware.yaml"), """
            id: ransomware-alert
            on: infection.detected
            when: event.rule.name matches '(?i)ransom'
            steps:
              - id: mail
                email:
                  to: [soc@example.org]
                  subject: "Ransomware on {{ event.host.name }}"
                  body: "{{ event.rule.name }} on {{ event.host.name }}"
              - id: page
                pager:
                  escalation: soc
                  summary: "Ransomware on {{ event.host.name }}"
            """);
        await File.WriteAllTextAsync(Path.Combine(playbooks, "refused.yaml"), """
            id: refused-mail
            on: infection.detected
            when: event.rule.name == 'Test.Refused'
            steps:
              - id: mail
                email: { to: [refuse-me@example.org], subject: "never delivered", body: "x" }
            on_failure:
              - id: fallback
                log: { message: "mail to the SOC failed: {{ event.host.name }}", level: error }
            """);
        await File.WriteAllTextAsync(Path.Combine(playbooks, "twice.yaml"), """
            id: twice-on-a-host
            on: infection.detected
            when: event.rule.name == 'Test.Twice'
            group_by: event.host.name
            threshold: { count: 2, within: 10m }
            steps:
              - email: { to: [soc@example.org], subject: "twice on {{ event.host.name }}: {{ window.count }} events", body: "{{ window.event_ids }}" }
            """);
        await _service.StartAsync($$"""
            response:
              playbooks: {{playbooks}}
              dry_run: false
            alerting:
              smtp: { host: 127.0.0.1, port: {{_smtp.Port}}, security: none, from: orchestrator@example.org, retry_backoff: 10ms }
              pagers:
                oncall: { kind: pagerduty, routing_key: "${env:{{RoutingKeyVariable}}}", base_url: "{{_pager.Url}}" }
                managers: { kind: pagerduty, routing_key: "${env:{{RoutingKeyVariable}}}", base_url: "{{_pager.Url}}" }
              escalation:
                soc:
                  - target: oncall
                  - after: 1h
                    target: managers
            """);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _pager.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task Detection_EmailsAndPagesKeyedOnItsIncident_ThenAckAndResolveReachThePage()
    {
        var (status, _) = await SendAsync(HttpMethod.Post, "/api/v1/events", IngestKey,
            """{"@timestamp":"2026-11-23T10:00:00Z","event":{"category":"malware"},"host":{"name":"PC-0042"},"rule":{"name":"Ransom.WannaCry"}}""");
        Assert.Equal(HttpStatusCode.Accepted, status);

        var email = await Eventually(() => _smtp.Received().SingleOrDefault(), "an email");
        var message = email.Parse();
        Assert.Equal("Ransomware on PC-0042", message.Subject);
        Assert.Equal(["soc@example.org"], email.RcptTos);
        Assert.Contains("Ransom.WannaCry on PC-0042", message.TextBody, StringComparison.Ordinal);
        Assert.Contains(message.Attachments, a => a.ContentDisposition?.FileName == "event.json");

        await Eventually(() => Events().Count > 0 ? "paged" : null, "a page");
        var trigger = Assert.Single(Events());
        var run = await Eventually(async () =>
        {
            var (_, runs) = await SendAsync(HttpMethod.Get, "/api/v1/runs?playbook=ransomware-alert", AdminKey);
            return runs.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("status").GetString() != "running").Select(r => r.GetRawText()).FirstOrDefault();
        }, "a finished run");
        Assert.True(JsonDocument.Parse(run).RootElement.GetProperty("status").GetString() == "succeeded", run);
        Assert.Equal("trigger", trigger.GetProperty("event_action").GetString());
        Assert.Equal("Ransomware on PC-0042", trigger.GetProperty("payload").GetProperty("summary").GetString());
        var incidentId = trigger.GetProperty("dedup_key").GetString()!;
        var (_, incident) = await SendAsync(HttpMethod.Get, $"/api/v1/incidents/{incidentId}", AdminKey);
        Assert.Equal(incidentId, incident.GetProperty("id").GetString());
        Assert.Equal([("oncall", 0)], incident.GetProperty("pages").EnumerateArray().Select(p => (p.GetProperty("target").GetString(), p.GetProperty("level").GetInt32())));

        var (acked, ackedIncident) = await SendAsync(HttpMethod.Post, $"/api/v1/incidents/{incidentId}/ack", AdminKey);
        Assert.Equal(HttpStatusCode.OK, acked);
        Assert.Equal("alice", ackedIncident.GetProperty("acknowledged_by").GetString());
        Assert.Contains(ackedIncident.GetProperty("audit").EnumerateArray(), a => a.GetProperty("text").GetString() == "escalation stopped: acknowledged");
        var acknowledge = Events()[1];
        Assert.Equal(("acknowledge", incidentId), (acknowledge.GetProperty("event_action").GetString(), acknowledge.GetProperty("dedup_key").GetString()));

        var (resolved, _) = await SendAsync(HttpMethod.Post, $"/api/v1/incidents/{incidentId}/resolve", AdminKey);
        Assert.Equal(HttpStatusCode.OK, resolved);
        var resolve = Events()[2];
        Assert.Equal(("resolve", incidentId), (resolve.GetProperty("event_action").GetString(), resolve.GetProperty("dedup_key").GetString()));
        Assert.All(_pager.Requests, r => Assert.Equal("/v2/enqueue", r.Path));
    }

    [Fact]
    public async Task RefusedEmail_FailsTheStep_AndOnFailureRuns()
    {
        var (status, posted) = await SendAsync(HttpMethod.Post, "/api/v1/events", IngestKey,
            """{"@timestamp":"2026-11-23T11:00:00Z","event":{"category":"malware"},"host":{"name":"PC-0099"},"rule":{"name":"Test.Refused"}}""");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var eventId = posted.GetProperty("first_id").GetInt64();

        var runId = await Eventually(async () =>
        {
            var (_, runs) = await SendAsync(HttpMethod.Get, "/api/v1/runs?playbook=refused-mail&status=failed", AdminKey);
            return runs.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("event_id").GetInt64() == eventId).Select(r => r.GetProperty("id").GetString()).FirstOrDefault();
        }, "a failed run");

        var (_, run) = await SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}", AdminKey);
        var steps = run.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal("failed", steps["mail"].GetProperty("status").GetString());
        Assert.Contains("550", steps["mail"].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("succeeded", steps["fallback"].GetProperty("status").GetString());
        Assert.DoesNotContain(_smtp.Received(), e => e.RcptTos.Contains("refuse-me@example.org"));
    }

    [Fact]
    public async Task ThresholdDecision_AttachesEveryEventOfItsWindow()
    {
        foreach (var (at, path) in new[] { ("12:00:00", "/share/a.exe"), ("12:01:00", "/share/b.exe") })
        {
            var (status, _) = await SendAsync(HttpMethod.Post, "/api/v1/events", IngestKey,
                $$$"""{"@timestamp":"2026-11-23T{{{at}}}Z","event":{"category":"malware"},"host":{"name":"PC-0123"},"rule":{"name":"Test.Twice"},"file":{"path":"{{{path}}}"}}""");
            Assert.Equal(HttpStatusCode.Accepted, status);
        }

        var email = await Eventually(() => _smtp.Received().SingleOrDefault(), "an email");

        var message = email.Parse();
        Assert.Equal("twice on PC-0123: 2 events", message.Subject);
        var attachments = message.Attachments.OfType<MimeKit.MimePart>().ToDictionary(a => a.FileName ?? "");
        Assert.Equal(["event.json", "window-events.json"], attachments.Keys.Order());
        using var content = new MemoryStream();
        await attachments["window-events.json"].Content!.DecodeToAsync(content);
        var window = JsonDocument.Parse(content.ToArray()).RootElement;
        Assert.Equal(["/share/a.exe", "/share/b.exe"], window.EnumerateArray().Select(e => e.GetProperty("file").GetProperty("path").GetString()));
    }

    private List<JsonElement> Events() => [.. _pager.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.Clone())];

    private Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string key, string? body = null) =>
        InProcessService.SendAsync(_service.Http, method, path, key, body);

    private static Task<T> Eventually<T>(Func<T?> probe, string what) => InProcessService.EventuallyAsync(() => Task.FromResult(probe()), what);

    private static Task<T> Eventually<T>(Func<Task<T?>> probe, string what) => InProcessService.EventuallyAsync(probe, what);
}
