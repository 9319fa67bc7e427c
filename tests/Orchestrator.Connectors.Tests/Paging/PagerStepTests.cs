using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Connectors.Paging;
using Orchestrator.Core.Events;
using Orchestrator.Core.Runs;
using static Orchestrator.Connectors.Tests.Paging.PagerTestKit;

namespace Orchestrator.Connectors.Tests.Paging;

public sealed class PagerStepTests : IAsyncLifetime
{
    private readonly PagerDutyVendor _vendor = new(RoutingKey);
    private readonly HttpClient _http = PagerHttpSender.CreateHttpClient();
    private StandIn _server = null!;
    private PagerStep _step = null!;

    public async Task InitializeAsync()
    {
        _server = await StandIn.StartAsync(_vendor.Handle);
        var time = new InstantTimeProvider();
        var sender = Sender(_http, time);
        _step = new PagerStep(new Dictionary<string, IPagerTarget>
        {
            ["oncall"] = new PagerDutyTarget("oncall", new PagerDutyOptions { RoutingKey = RoutingKey, BaseUrl = _server.Url }, sender, time),
            ["chat"] = new SlackTarget("chat", new ChatWebhookOptions { Url = new Uri(_server.Url, "/services/T/B/x") }, sender),
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task ExecuteAsync_UnknownTarget_FailsNamingTheConfiguredOnes()
    {
        var result = await _step.ExecuteAsync(Context(new() { ["target"] = "soc-oncall", ["summary"] = "x" }), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("no pager target 'soc-oncall' (configured: chat, oncall)", result.Error);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ExecuteAsync_Trigger_OutputsWhatPagerDutyAnswered()
    {
        var result = await _step.ExecuteAsync(
            Context(new() { ["target"] = "oncall", ["summary"] = "pc-042 infected 3 hosts", ["severity"] = "error", ["dedup_key"] = "worm-10.0.0.5", ["details"] = new Dictionary<string, object?> { ["victims"] = "3" } }),
            CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(("oncall", "trigger", "worm-10.0.0.5", 202, "worm-10.0.0.5"), (result.Outputs["target"], result.Outputs["action"], result.Outputs["dedup_key"], result.Outputs["status"], result.Outputs["service_id"]));
        var payload = JsonNode.Parse(Assert.Single(_server.Requests).Body)!["payload"]!;
        Assert.Equal(("error", "3"), ((string?)payload["severity"], (string?)payload["custom_details"]!["victims"]));
    }

    [Fact]
    public async Task ExecuteAsync_NoDedupKey_UsesTheRunIdSoTheResolveClosesTheTrigger()
    {
        await _step.ExecuteAsync(Context(new() { ["target"] = "oncall", ["summary"] = "pc-042 infected 3 hosts" }), CancellationToken.None);
        var resolved = await _step.ExecuteAsync(Context(new() { ["target"] = "oncall", ["action"] = "resolve" }), CancellationToken.None);

        Assert.Equal("run-0193", resolved.Outputs["dedup_key"]);
        Assert.Equal(("run-0193", "resolve"), (Assert.Single(_vendor.AlertStates).Key, _vendor.AlertStates["run-0193"]));
    }

    [Fact]
    public async Task ExecuteAsync_NoSource_UsesTheEventsHost()
    {
        await _step.ExecuteAsync(Context(new() { ["target"] = "oncall", ["summary"] = "x" }), CancellationToken.None);

        Assert.Equal("pc-042", (string?)JsonNode.Parse(Assert.Single(_server.Requests).Body)!["payload"]!["source"]);
    }

    [Fact]
    public async Task ExecuteAsync_DryRun_SendsNothingAndSaysWhatItWouldSend()
    {
        var result = await _step.ExecuteAsync(Context(new() { ["target"] = "chat", ["summary"] = "pc-042 infected 3 hosts", ["severity"] = "warning" }, dryRun: true), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Empty(_server.Requests);
        Assert.Equal((false, "chat", "trigger", "pc-042 infected 3 hosts", "warning", "pc-042"),
            (result.Outputs["sent"], result.Outputs["target"], result.Outputs["action"], result.Outputs["summary"], result.Outputs["severity"], result.Outputs["source"]));
    }

    [Fact]
    public async Task ExecuteAsync_TriggerWithoutSummary_FailsBeforeSending()
    {
        var result = await _step.ExecuteAsync(Context(new() { ["target"] = "oncall" }), CancellationToken.None);

        Assert.Equal("summary is required to trigger a page", result.Error);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ExecuteAsync_UnknownSeverityOrAction_FailsSayingWhatIsAllowed()
    {
        var severity = await _step.ExecuteAsync(Context(new() { ["target"] = "oncall", ["summary"] = "x", ["severity"] = "fatal" }), CancellationToken.None);
        var action = await _step.ExecuteAsync(Context(new() { ["target"] = "oncall", ["action"] = "close" }), CancellationToken.None);

        Assert.Equal("severity 'fatal' is not critical, error, warning or info", severity.Error);
        Assert.Equal("action 'close' is not trigger, acknowledge or resolve", action.Error);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ExecuteAsync_ServiceRefuses_FailsWithTheServicesMessage()
    {
        var result = await _step.ExecuteAsync(Context(new() { ["target"] = "chat", ["summary"] = "x" }), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("pager target 'chat' (Slack): refused: HTTP 404 Not Found: {\"status\":\"not found\"}", result.Error);
    }

    [Fact]
    public void Definition_DeclaresTheParametersTheStepReads()
    {
        Assert.Equal("pager", PagerStep.Definition.Name);
        Assert.Equal(["target", "escalation", "action", "summary", "severity", "source", "dedup_key", "details", "link"], PagerStep.Definition.Parameters.Select(p => p.Name));
        Assert.DoesNotContain(PagerStep.Definition.Parameters, p => p.Required); // target or escalation: the step says which is missing
    }

    [Fact]
    public async Task ExecuteAsync_RunWithAnIncident_KeysThePageOnTheIncident_AndRecordsIt()
    {
        var paging = new RecordingPaging();
        var step = new PagerStep(new Dictionary<string, IPagerTarget> { ["oncall"] = Target() }, paging);

        var result = await step.ExecuteAsync(Context(new() { ["target"] = "oncall", ["summary"] = "pc-042 infected 3 hosts" }, incidentId: "inc-7"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("inc-7", result.Outputs["dedup_key"]);
        Assert.Equal("trigger", _vendor.AlertStates["inc-7"]);
        Assert.Equal(("inc-7", "oncall", "inc-7"), Assert.Single(paging.Paged));
    }

    [Fact]
    public async Task ExecuteAsync_Escalation_GoesThroughThePolicy_NotATarget()
    {
        var paging = new RecordingPaging();
        var step = new PagerStep(new Dictionary<string, IPagerTarget> { ["oncall"] = Target() }, paging);

        var result = await step.ExecuteAsync(Context(new() { ["escalation"] = "soc", ["summary"] = "worm on pc-042" }, incidentId: "inc-8"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(("inc-8", "soc", "inc-8", "worm on pc-042"), Assert.Single(paging.Escalated));
        Assert.Equal("soc", result.Outputs["escalation"]);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("soc", "oncall", null, "give either target")]
    [InlineData("nope", null, "inc-9", "no escalation policy 'nope' is configured")]
    [InlineData("soc", null, null, "escalation needs the run's incident")]
    public async Task ExecuteAsync_BadEscalation_FailsAndSendsNothing(string policy, string? target, string? incidentId, string error)
    {
        var step = new PagerStep(new Dictionary<string, IPagerTarget> { ["oncall"] = Target() }, new RecordingPaging());
        var parameters = new Dictionary<string, object?> { ["escalation"] = policy, ["summary"] = "x" };
        if (target is not null)
        {
            parameters["target"] = target;
        }

        var result = await step.ExecuteAsync(Context(parameters, incidentId: incidentId), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.StartsWith(error, result.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    private PagerDutyTarget Target()
    {
        var time = new InstantTimeProvider();
        return new PagerDutyTarget("oncall", new PagerDutyOptions { RoutingKey = RoutingKey, BaseUrl = _server.Url }, Sender(_http, time), time);
    }

    private static StepContext Context(Dictionary<string, object?> parameters, bool dryRun = false, string? incidentId = null) =>
        new("run-0193", "share-worm-source", "page", "pager", parameters, "run-0193/page", 1, dryRun,
            new SecurityEvent { HostName = "pc-042", SourceIp = IPAddress.Parse("10.0.0.5") }, incidentId);

    /// <summary>Records what the step hands to incident paging (escalation is tested on a real scheduler in Orchestrator.Tests).</summary>
    private sealed class RecordingPaging : IIncidentPaging
    {
        public List<(string Incident, string Target, string DedupKey)> Paged { get; } = [];

        public List<(string Incident, string Policy, string DedupKey, string Summary)> Escalated { get; } = [];

        public bool HasPolicy(string policy) => policy == "soc";

        public ValueTask PagedAsync(string incidentId, string target, Page page, CancellationToken cancellationToken)
        {
            Paged.Add((incidentId, target, page.DedupKey));
            return ValueTask.CompletedTask;
        }

        public ValueTask<PageReceipt> EscalateAsync(string incidentId, string policy, Page page, CancellationToken cancellationToken)
        {
            Escalated.Add((incidentId, policy, page.DedupKey, page.Summary));
            return ValueTask.FromResult(new PageReceipt(202, null, 1));
        }
    }
}
