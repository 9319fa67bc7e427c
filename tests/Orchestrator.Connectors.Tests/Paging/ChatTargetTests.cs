using System.Text.Json.Nodes;
using Orchestrator.Connectors.Paging;
using static Orchestrator.Connectors.Tests.Paging.PagerTestKit;

namespace Orchestrator.Connectors.Tests.Paging;

public class ChatTargetTests
{
    private const string SlackPath = "/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX";

    [Fact]
    public async Task SlackSendAsync_TriggerThenResolve_PostsMessagesSlackAccepts()
    {
        await using var server = await StandIn.StartAsync(SlackVendor.Handle);
        using var http = PagerHttpSender.CreateHttpClient();
        var target = Slack(server, http, new InstantTimeProvider());

        var triggered = await target.SendAsync(Page(), CancellationToken.None);
        var resolved = await target.SendAsync(Page(PageAction.Resolve, summary: "pc-042 cleaned"), CancellationToken.None);

        Assert.Equal((200, 200), (triggered.Status, resolved.Status));
        var texts = server.Requests.Select(r => (string?)JsonNode.Parse(r.Body)!["text"]).ToList();
        Assert.StartsWith("*CRITICAL* pc-042 infected 3 hosts over SMB\nSource: pc-042 · Key: incident-7", texts[0], StringComparison.Ordinal);
        Assert.StartsWith("*Resolved* pc-042 cleaned", texts[1], StringComparison.Ordinal);
        Assert.All(server.Requests, r => Assert.Equal(SlackPath, r.Path));
    }

    [Fact]
    public async Task SlackSendAsync_RateLimited_HonoursRetryAfter()
    {
        var time = new InstantTimeProvider();
        await using var server = await StandIn.StartAsync(SlackVendor.Handle);
        server.Then(new Reply(429, "rate_limited", "text/plain", new Dictionary<string, string> { ["Retry-After"] = "2" }));
        using var http = PagerHttpSender.CreateHttpClient();

        var receipt = await Slack(server, http, time).SendAsync(Page(), CancellationToken.None);

        Assert.Equal((200, 2), (receipt.Status, receipt.Attempts));
        Assert.Equal([1, 2], server.Requests.Select(r => r.Number));
        Assert.Equal([TimeSpan.FromSeconds(2)], time.Waits);
    }

    [Fact]
    public async Task SlackSendAsync_RevokedWebhook_FailsWithSlacksErrorAndNeverTheUrl()
    {
        await using var server = await StandIn.StartAsync(_ => Reply.Text(404, "no_service"));
        using var http = PagerHttpSender.CreateHttpClient();

        var error = await Assert.ThrowsAsync<PagingException>(() => Slack(server, http, new InstantTimeProvider()).SendAsync(Page(), CancellationToken.None).AsTask());

        Assert.Single(server.Requests);
        Assert.Equal("pager target 'chat' (Slack): refused: HTTP 404 Not Found: no_service", error.Message);
    }

    [Fact]
    public async Task SlackSendAsync_NothingListening_FailsWithoutTheUrl()
    {
        // A port that was just free: bound by the stand-in, then closed.
        var server = await StandIn.StartAsync(SlackVendor.Handle);
        var url = server.Url;
        await server.DisposeAsync();
        using var http = PagerHttpSender.CreateHttpClient();
        var target = new SlackTarget("chat", new ChatWebhookOptions { Url = new Uri(url, SlackPath) }, Sender(http, new InstantTimeProvider(), attempts: 2));

        var error = await Assert.ThrowsAsync<PagingException>(() => target.SendAsync(Page(), CancellationToken.None).AsTask());

        Assert.StartsWith("pager target 'chat' (Slack): gave up after 2 attempt(s): request failed (ConnectionError)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("XXXXXXXX", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TeamsSendAsync_Trigger_PostsAnAdaptiveCardTeamsAccepts()
    {
        await using var server = await StandIn.StartAsync(TeamsVendor.Handle);
        using var http = PagerHttpSender.CreateHttpClient();
        var target = new TeamsTarget("teams", new ChatWebhookOptions { Url = new Uri(server.Url, "/workflows/abc/triggers/manual/run?sig=s3cr3t") }, Sender(http, new InstantTimeProvider()));

        var receipt = await target.SendAsync(Page() with { Link = "https://orchestrator.example/incidents/7" }, CancellationToken.None);

        Assert.Equal(202, receipt.Status);
        var card = JsonNode.Parse(Assert.Single(server.Requests).Body)!["attachments"]![0]!["content"]!;
        Assert.Equal("CRITICAL", (string?)card["body"]![0]!["text"]);
        Assert.Equal("pc-042 infected 3 hosts over SMB", (string?)card["body"]![1]!["text"]);
        Assert.Equal(["Severity", "Source", "Key", "victims", "rule"], card["body"]![2]!["facts"]!.AsArray().Select(f => (string?)f!["title"]));
        Assert.Equal("https://orchestrator.example/incidents/7", (string?)card["actions"]![0]!["url"]);
    }

    [Fact]
    public async Task TeamsSendAsync_Refused_MessageHasTeamsReasonNotTheSignedUrl()
    {
        await using var server = await StandIn.StartAsync(_ => Reply.Text(400, "Invalid request: sig=s3cr3t-signature is expired"));
        using var http = PagerHttpSender.CreateHttpClient();
        var target = new TeamsTarget("teams", new ChatWebhookOptions { Url = new Uri(server.Url, "/workflows/abc/run?sig=s3cr3t-signature") }, Sender(http, new InstantTimeProvider()));

        var error = await Assert.ThrowsAsync<PagingException>(() => target.SendAsync(Page(PageAction.Acknowledge), CancellationToken.None).AsTask());

        Assert.Contains("Invalid request", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
    }

    private static SlackTarget Slack(StandIn server, HttpClient http, TimeProvider time) =>
        new("chat", new ChatWebhookOptions { Url = new Uri(server.Url, SlackPath) }, Sender(http, time));
}
