using System.Net;
using System.Text.Json;
using Orchestrator.Tests.EndToEnd;

namespace Orchestrator.Tests.Api;

/// <summary>Runs and incidents over HTTP against the real service: events in, a run waits, a person answers.</summary>
public sealed class RunEndpointsTests(ResponseServer server) : IClassFixture<ResponseServer>
{
    private static JsonElement Step(JsonElement run, string id) =>
        run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

    private static List<string> AuditTexts(JsonElement owner) =>
        [.. owner.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("text").GetString()!)];

    [Fact]
    public async Task Approve_WaitingRun_RunFinishesAndAuditNamesKeyAndComment()
    {
        var runId = await server.StartWaitingRunAsync("PC-APPROVE");

        var (status, run) = await server.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/approve", body: """{"comment": "ticket 42"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("test-admin", Step(run, "approval").GetProperty("decided_by").GetString());

        // The answer returns at once; the rest of the run goes on in the background.
        await OrchestratorProcess.WaitUntilAsync(async () => (await server.SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}")).Body.GetProperty("status").GetString() == "succeeded", "the approved run has finished");
        (_, run) = await server.SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}");
        var isolate = Step(run, "isolate");
        Assert.Equal("succeeded", isolate.GetProperty("status").GetString());
        Assert.Equal(1, isolate.GetProperty("attempts").GetInt32());
        Assert.Equal("isolating PC-APPROVE", isolate.GetProperty("parameters").GetProperty("message").GetString());
        Assert.EndsWith("Z", isolate.GetProperty("finished_at").GetString(), StringComparison.Ordinal);

        var (_, shown) = await server.SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}");
        Assert.Equal("succeeded", shown.GetProperty("status").GetString());
        Assert.Contains("approved by test-admin: ticket 42", AuditTexts(shown));
        Assert.Contains(AuditTexts(shown), t => t.StartsWith(ResponseServer.PlaybookId + " fired for PC-APPROVE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartRun_ByHandWithDryRun_OneSimulatedRunAndBadRequestsRefused()
    {
        var evt = """{"@timestamp":"2026-11-23T11:00:00Z","event":{"category":"malware"},"host":{"name":"PC-MANUAL"},"rule":{"name":"W32.Benign"}}""";
        var (_, posted) = await server.SendAsync(HttpMethod.Post, "/api/v1/events", ResponseServer.IngestKey, evt);
        var eventId = posted.GetProperty("first_id").GetInt64();

        var (status, run) = await server.SendAsync(HttpMethod.Post, $"/api/v1/playbooks/{ResponseServer.PlaybookId}/runs", body: $$"""{"event_id": {{eventId}}, "dry_run": true}""");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.True(run.GetProperty("dry_run").GetBoolean());
        Assert.Equal(eventId, run.GetProperty("event_id").GetInt64());
        Assert.Contains(AuditTexts(run), t => t == $"started by hand by test-admin for event {eventId} (dry run)");
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Post, "/api/v1/playbooks/no-such/runs", body: $$"""{"event_id": {{eventId}}}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Post, $"/api/v1/playbooks/{ResponseServer.PlaybookId}/runs", body: """{"event_id": 999999}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.SendAsync(HttpMethod.Post, $"/api/v1/playbooks/{ResponseServer.PlaybookId}/runs", body: """{"dry_run": true}""")).Status);
    }

    [Fact]
    public async Task Deny_WaitingRun_AbortedAndLaterStepNeverRuns()
    {
        var runId = await server.StartWaitingRunAsync("PC-DENY");

        var (status, run) = await server.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/deny");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("aborted", run.GetProperty("status").GetString());
        Assert.Equal("step 'approval' denied by test-admin", run.GetProperty("error").GetString());
        Assert.DoesNotContain(run.GetProperty("steps").EnumerateArray(), s => s.GetProperty("id").GetString() == "isolate" && s.GetProperty("status").GetString() == "succeeded");

        var (again, conflict) = await server.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/approve");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Contains("is not waiting for an approval (it is aborted)", conflict.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_WaitingRun_CancelledThenSecondCancelIs409()
    {
        var runId = await server.StartWaitingRunAsync("PC-CANCEL");

        var (status, run) = await server.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/cancel", body: """{"comment":"false positive"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cancelled", run.GetProperty("status").GetString());
        Assert.Contains("cancelled by test-admin: false positive", AuditTexts(run));
        var (again, conflict) = await server.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/cancel");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Contains("is already cancelled", conflict.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_KeyNotAmongApprovers_403RunStillWaitingAndRefusalAudited()
    {
        var runId = await server.StartWaitingRunAsync("PC-FORBIDDEN");

        var (status, error) = await server.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/approve", ResponseServer.OtherAdminKey);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("other-admin may not answer step 'approval'", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        var (_, run) = await server.SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}");
        Assert.Equal("waiting_approval", run.GetProperty("status").GetString());
        Assert.Equal("approval", run.GetProperty("waiting").GetProperty("step_id").GetString());
        Assert.DoesNotContain(AuditTexts(run), t => t.StartsWith("approved", StringComparison.Ordinal));
        Assert.Contains(run.GetProperty("audit").EnumerateArray(), a => a.GetProperty("kind").GetString() == "refusal" && a.GetProperty("actor").GetString() == "other-admin");
    }

    [Fact]
    public async Task UnknownIds_404AndBadFilters_400NamingTheParameter()
    {
        foreach (var path in new[] { "/api/v1/runs/nope/approve", "/api/v1/runs/nope/deny", "/api/v1/runs/nope/cancel", "/api/v1/incidents/nope/resolve" })
        {
            var (status, error) = await server.SendAsync(HttpMethod.Post, path);
            Assert.True(status == HttpStatusCode.NotFound, path);
            Assert.Contains("nope", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Get, "/api/v1/runs/nope")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Get, "/api/v1/incidents/nope")).Status);
        var (badStatus, statusError) = await server.SendAsync(HttpMethod.Get, "/api/v1/runs?status=stuck");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.StartsWith("status: unknown run status 'stuck' (known: running, waiting_approval,", statusError.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.SendAsync(HttpMethod.Get, "/api/v1/runs?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.SendAsync(HttpMethod.Post, "/api/v1/runs/nope/approve", body: "{oops")).Status);
    }

    [Fact]
    public async Task IngestKey_CannotReadOrAnswerRuns()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await server.SendAsync(HttpMethod.Get, "/api/v1/runs", ResponseServer.IngestKey)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.SendAsync(HttpMethod.Post, "/api/v1/runs/x/approve", ResponseServer.IngestKey)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(HttpMethod.Get, "/api/v1/incidents", "wrong")).Status);
    }

    [Fact]
    public async Task Incidents_ListedWithTheirRun_ShownWithAudit_ThenResolvedOnce()
    {
        var runId = await server.StartWaitingRunAsync("PC-INCIDENT");

        var (_, list) = await server.SendAsync(HttpMethod.Get, "/api/v1/incidents?open=true");
        var incident = list.GetProperty("incidents").EnumerateArray().Single(i => i.GetProperty("run_ids").EnumerateArray().Any(r => r.GetString() == runId));
        Assert.Equal("open", incident.GetProperty("status").GetString());
        Assert.Contains("PC-INCIDENT", incident.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        var incidentId = incident.GetProperty("id").GetString()!;

        var (_, shown) = await server.SendAsync(HttpMethod.Get, $"/api/v1/incidents/{incidentId}");
        Assert.Equal("waiting_approval", shown.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("id").GetString() == runId).GetProperty("status").GetString());
        Assert.Contains(AuditTexts(shown), t => t.Contains("fired for PC-INCIDENT", StringComparison.Ordinal));
        var (_, run) = await server.SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}");
        Assert.Equal(incidentId, run.GetProperty("incident_id").GetString());

        var (status, resolved) = await server.SendAsync(HttpMethod.Post, $"/api/v1/incidents/{incidentId}/resolve", body: """{"comment":"reimaged"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.Equal("test-admin", resolved.GetProperty("resolved_by").GetString());
        Assert.Contains("resolved by test-admin: reimaged", AuditTexts(resolved));
        Assert.Equal(HttpStatusCode.Conflict, (await server.SendAsync(HttpMethod.Post, $"/api/v1/incidents/{incidentId}/resolve")).Status);
        var (_, open) = await server.SendAsync(HttpMethod.Get, "/api/v1/incidents?open=true");
        Assert.DoesNotContain(open.GetProperty("incidents").EnumerateArray(), i => i.GetProperty("id").GetString() == incidentId);
    }

    [Fact]
    public async Task Incident_AcknowledgedOnce_ThenStillOpenAndResolvable()
    {
        var runId = await server.StartWaitingRunAsync("PC-ACK");
        var (_, list) = await server.SendAsync(HttpMethod.Get, "/api/v1/incidents?open=true");
        var incidentId = list.GetProperty("incidents").EnumerateArray()
            .Single(i => i.GetProperty("run_ids").EnumerateArray().Any(r => r.GetString() == runId)).GetProperty("id").GetString()!;

        var (status, acked) = await server.SendAsync(HttpMethod.Post, $"/api/v1/incidents/{incidentId}/ack", body: """{"comment":"on it"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("open", acked.GetProperty("status").GetString());
        Assert.Equal("test-admin", acked.GetProperty("acknowledged_by").GetString());
        Assert.Equal(JsonValueKind.String, acked.GetProperty("acknowledged_at").ValueKind);
        Assert.Contains("acknowledged by test-admin: on it", AuditTexts(acked));
        Assert.Equal(HttpStatusCode.Conflict, (await server.SendAsync(HttpMethod.Post, $"/api/v1/incidents/{incidentId}/ack")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Post, "/api/v1/incidents/nope/ack")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.SendAsync(HttpMethod.Post, $"/api/v1/incidents/{incidentId}/ack", ResponseServer.IngestKey)).Status);
        var (_, resolved) = await server.SendAsync(HttpMethod.Post, $"/api/v1/incidents/{incidentId}/resolve");
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
    }
}
