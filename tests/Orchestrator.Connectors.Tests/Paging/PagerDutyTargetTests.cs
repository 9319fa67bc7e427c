using System.Text.Json.Nodes;
using Orchestrator.Connectors.Paging;
using static Orchestrator.Connectors.Tests.Paging.PagerTestKit;

namespace Orchestrator.Connectors.Tests.Paging;

public class PagerDutyTargetTests
{
    [Fact]
    public async Task SendAsync_TriggerAcknowledgeResolve_ActOnOneAlertByDedupKey()
    {
        var vendor = new PagerDutyVendor(RoutingKey);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = PagerHttpSender.CreateHttpClient();
        var target = Target(server, http, new InstantTimeProvider());

        var receipts = new List<PageReceipt>();
        foreach (var action in (PageAction[])[PageAction.Trigger, PageAction.Acknowledge, PageAction.Resolve])
        {
            receipts.Add(await target.SendAsync(Page(action), CancellationToken.None));
        }

        Assert.All(receipts, r => Assert.Equal((202, "incident-7", 1), (r.Status, r.ServiceId, r.Attempts)));
        var bodies = server.Requests.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(["trigger", "acknowledge", "resolve"], bodies.Select(b => (string?)b["event_action"]));
        Assert.All(bodies, b => Assert.Equal("incident-7", (string?)b["dedup_key"]));
        Assert.Equal("resolve", Assert.Single(vendor.AlertStates).Value);
    }

    [Fact]
    public async Task SendAsync_Trigger_SendsTheDocumentedPayload()
    {
        var vendor = new PagerDutyVendor(RoutingKey);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = PagerHttpSender.CreateHttpClient();
        var page = Page() with { Link = "https://orchestrator.example/incidents/7", Summary = new string('x', 1500) };

        await Target(server, http, new InstantTimeProvider()).SendAsync(page, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        var payload = JsonNode.Parse(request.Body)!["payload"]!;
        Assert.Equal(1024, ((string?)payload["summary"])!.Length);
        Assert.Equal(("pc-042", "critical", "2026-03-14T09:26:53.000Z"), ((string?)payload["source"], (string?)payload["severity"], (string?)payload["timestamp"]));
        Assert.Equal("3", (string?)payload["custom_details"]!["victims"]);
        Assert.Equal("https://orchestrator.example/incidents/7", (string?)JsonNode.Parse(request.Body)!["links"]![0]!["href"]);
    }

    [Fact]
    public async Task SendAsync_TooManyRequestsWithRetryAfter_WaitsThatLongThenSendsAgain()
    {
        var vendor = new PagerDutyVendor(RoutingKey);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        server.Then(new Reply(429, """{"status":"throttle event","message":"Requests for this service are arriving too quickly."}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "1" }));
        using var http = PagerHttpSender.CreateHttpClient();
        var time = new InstantTimeProvider();

        var receipt = await Target(server, http, time).SendAsync(Page(), CancellationToken.None);

        Assert.Equal((202, 2), (receipt.Status, receipt.Attempts));
        Assert.Equal([1, 2], server.Requests.Select(r => r.Number));
        Assert.Equal(server.Requests[0].Body, server.Requests[1].Body);
        Assert.Equal([TimeSpan.FromSeconds(1)], time.Waits);
        Assert.Equal("trigger", vendor.AlertStates["incident-7"]);
    }

    [Fact]
    public async Task SendAsync_RetryAfterAsHttpDate_WaitsUntilThatDate()
    {
        var time = new InstantTimeProvider();
        await using var server = await StandIn.StartAsync(new PagerDutyVendor(RoutingKey).Handle);
        server.Then(new Reply(429, "{}", Headers: new Dictionary<string, string> { ["Retry-After"] = time.GetUtcNow().AddSeconds(30).ToString("r") }));
        using var http = PagerHttpSender.CreateHttpClient();

        await Target(server, http, time).SendAsync(Page(), CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(30)], time.Waits);
    }

    [Fact]
    public async Task SendAsync_RetryAfterOfAnHour_IsCappedAtFiveMinutes()
    {
        var time = new InstantTimeProvider();
        await using var server = await StandIn.StartAsync(new PagerDutyVendor(RoutingKey).Handle);
        server.Then(new Reply(429, "{}", Headers: new Dictionary<string, string> { ["Retry-After"] = "3600" }));
        using var http = PagerHttpSender.CreateHttpClient();

        await Target(server, http, time).SendAsync(Page(), CancellationToken.None);

        Assert.Equal([TimeSpan.FromMinutes(5)], time.Waits);
    }

    [Fact]
    public async Task SendAsync_ServerErrorOnce_RetriedAfterBackoff()
    {
        var time = new InstantTimeProvider();
        await using var server = await StandIn.StartAsync(new PagerDutyVendor(RoutingKey).Handle);
        server.Then(new Reply(500, """{"status":"error","message":"Internal error"}"""));
        using var http = PagerHttpSender.CreateHttpClient();

        var receipt = await Target(server, http, time).SendAsync(Page(), CancellationToken.None);

        Assert.Equal((202, 2), (receipt.Status, receipt.Attempts));
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(1)], time.Waits);
    }

    [Fact]
    public async Task SendAsync_ServerErrorsEveryTime_GivesUpAfterTheLastAttempt()
    {
        var time = new InstantTimeProvider();
        await using var server = await StandIn.StartAsync(_ => new Reply(503, """{"status":"error","message":"Service unavailable"}"""));
        using var http = PagerHttpSender.CreateHttpClient();

        var error = await Assert.ThrowsAsync<PagingException>(() => Target(server, http, time).SendAsync(Page(), CancellationToken.None).AsTask());

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], time.Waits);
        Assert.Contains("gave up after 3 attempt(s): HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Contains("Service unavailable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_InvalidEvent_NotRetriedAndCarriesPagerDutysMessageNotTheKey()
    {
        var vendor = new PagerDutyVendor(RoutingKey);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = PagerHttpSender.CreateHttpClient();

        var error = await Assert.ThrowsAsync<PagingException>(
            () => Target(server, http, new InstantTimeProvider()).SendAsync(Page(severity: "fatal"), CancellationToken.None).AsTask());

        Assert.Single(server.Requests);
        Assert.Contains("HTTP 400", error.Message, StringComparison.Ordinal);
        Assert.Contains("'payload.severity' is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("pager target 'oncall' (PagerDuty)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RoutingKey, error.Message, StringComparison.Ordinal);
        Assert.Empty(vendor.AlertStates);
    }

    [Fact]
    public async Task SendAsync_VendorEchoesTheKey_KeyIsCutFromTheMessage()
    {
        await using var server = await StandIn.StartAsync(_ => new Reply(400, $$"""{"status":"invalid event","message":"Unknown routing key {{RoutingKey}}"}"""));
        using var http = PagerHttpSender.CreateHttpClient();

        var error = await Assert.ThrowsAsync<PagingException>(
            () => Target(server, http, new InstantTimeProvider()).SendAsync(Page(), CancellationToken.None).AsTask());

        Assert.Contains("Unknown routing key [redacted]", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RoutingKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortKeyAndRelativeUrl_NamesEachFieldWithoutTheKey()
    {
        var errors = PagerDutyOptions.Validate(new PagerDutyOptions { RoutingKey = "secret-but-short", BaseUrl = new Uri("/v2", UriKind.Relative) });

        Assert.Equal(2, errors.Count);
        Assert.StartsWith("routing_key: must be the 32-character", errors[0], StringComparison.Ordinal);
        Assert.Equal("base_url: must be an absolute http:// or https:// URL", errors[1]);
        Assert.DoesNotContain("secret-but-short", string.Join(" ", errors), StringComparison.Ordinal);
    }

    private static PagerDutyTarget Target(StandIn server, HttpClient http, TimeProvider time) =>
        new("oncall", new PagerDutyOptions { RoutingKey = RoutingKey, BaseUrl = server.Url }, Sender(http, time), time);
}
