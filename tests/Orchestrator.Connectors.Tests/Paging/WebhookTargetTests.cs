using System.Text.Json.Nodes;
using Orchestrator.Connectors.Paging;
using static Orchestrator.Connectors.Tests.Paging.PagerTestKit;

namespace Orchestrator.Connectors.Tests.Paging;

public class WebhookTargetTests
{
    private const string Secret = "whsec-5f0c2b7e9a1d";

    [Fact]
    public async Task SendAsync_WithSecret_ReceiverVerifiesTheSignature()
    {
        await using var server = await StandIn.StartAsync(new SignedWebhookVendor(Secret).Handle);
        using var http = PagerHttpSender.CreateHttpClient();
        var time = new InstantTimeProvider();

        var receipt = await Target(server, http, time, new WebhookOptions { Secret = Secret }).SendAsync(Page(), CancellationToken.None);

        Assert.Equal(200, receipt.Status);
        var request = Assert.Single(server.Requests);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Header("X-Orchestrator-Timestamp"));
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal(("trigger", "incident-7", "critical", "3"), ((string?)body["action"], (string?)body["dedup_key"], (string?)body["severity"], (string?)body["details"]!["victims"]));
    }

    [Fact]
    public async Task SendAsync_WrongSecret_RefusedWithoutRetryAndTheSecretIsNotShown()
    {
        await using var server = await StandIn.StartAsync(new SignedWebhookVendor("the-receivers-secret").Handle);
        using var http = PagerHttpSender.CreateHttpClient();

        var error = await Assert.ThrowsAsync<PagingException>(
            () => Target(server, http, new InstantTimeProvider(), new WebhookOptions { Secret = Secret }).SendAsync(Page(), CancellationToken.None).AsTask());

        Assert.Single(server.Requests);
        Assert.Contains("HTTP 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("signature mismatch", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_BodyTemplate_RendersPageFieldsAndSendsConfiguredHeaders()
    {
        await using var server = await StandIn.StartAsync(_ => new Reply(204));
        using var http = PagerHttpSender.CreateHttpClient();
        var options = new WebhookOptions
        {
            BodyTemplate = """{"title": {{ page.summary | json }}, "host": "{{ page.source }}", "victims": {{ page.details.victims }}, "state": "{{ page.action }}"}""",
            Headers = new Dictionary<string, string> { ["X-Team"] = "soc" },
        };

        await Target(server, http, new InstantTimeProvider(), options).SendAsync(Page(summary: "pc-042 \"patient zero\""), CancellationToken.None);

        var request = Assert.Single(server.Requests);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal(("pc-042 \"patient zero\"", "pc-042", 3, "trigger"), ((string?)body["title"], (string?)body["host"], (int?)body["victims"], (string?)body["state"]));
        Assert.Equal("soc", request.Header("X-Team"));
        Assert.Null(request.Header("X-Orchestrator-Signature"));
    }

    [Fact]
    public async Task SendAsync_TemplateRendersInvalidJson_FailsWithoutSending()
    {
        await using var server = await StandIn.StartAsync(_ => new Reply(200));
        using var http = PagerHttpSender.CreateHttpClient();
        var options = new WebhookOptions { BodyTemplate = """{"title": "{{ page.summary }}"}""" };

        var error = await Assert.ThrowsAsync<PagingException>(
            () => Target(server, http, new InstantTimeProvider(), options).SendAsync(Page(summary: "say \"hi\""), CancellationToken.None).AsTask());

        Assert.Empty(server.Requests);
        Assert.Contains("did not render valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ReceiverNeverAnswers_FailsAfterTheTimeoutOnEachAttempt()
    {
        await using var server = await StandIn.StartAsync(_ => Reply.Hang);
        using var http = PagerHttpSender.CreateHttpClient();
        var target = new WebhookTarget(
            "hook",
            new WebhookOptions { Url = new Uri(server.Url, "/hooks/orchestrator?token=t0k3n-abcdef"), Timeout = TimeSpan.FromMilliseconds(300) },
            Sender(http, new InstantTimeProvider(), attempts: 2),
            new InstantTimeProvider());

        var error = await Assert.ThrowsAsync<PagingException>(() => target.SendAsync(Page(), CancellationToken.None).AsTask());

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("pager target 'hook' (webhook): gave up after 2 attempt(s): no answer within 0.3 s", error.Message);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_ThrowsCancelledNotAPagingFailure()
    {
        await using var server = await StandIn.StartAsync(_ => Reply.Hang);
        using var http = PagerHttpSender.CreateHttpClient();
        using var cancel = new CancellationTokenSource();
        var target = Target(server, http, new InstantTimeProvider(), new WebhookOptions { Timeout = TimeSpan.FromMinutes(1) });

        var sending = target.SendAsync(Page(), cancel.Token).AsTask();
        while (server.Requests.Count == 0)
        {
            await Task.Delay(10);
        }

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        Assert.Single(server.Requests);
    }

    [Fact]
    public void Validate_BadTemplateReservedHeaderAndFtpUrl_NamesEachField()
    {
        var errors = WebhookOptions.Validate(new WebhookOptions
        {
            Url = new Uri("ftp://files.example.org/in"),
            BodyTemplate = "{{ page.summary ",
            Headers = new Dictionary<string, string> { ["X-Orchestrator-Signature"] = "forged" },
        });

        Assert.Equal(3, errors.Count);
        Assert.Equal("url: must be an absolute http:// or https:// URL", errors[0]);
        Assert.StartsWith("body: is not a valid Liquid template", errors[1], StringComparison.Ordinal);
        Assert.Equal("headers.X-Orchestrator-Signature: is set by the webhook itself and cannot be configured", errors[2]);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheTarget()
    {
        using var http = PagerHttpSender.CreateHttpClient();

        var error = Assert.Throws<ArgumentException>(() => new WebhookTarget("hook", new WebhookOptions(), Sender(http, TimeProvider.System), TimeProvider.System));

        Assert.Equal("pager target 'hook': url: is required", error.Message);
    }

    private static WebhookTarget Target(StandIn server, HttpClient http, TimeProvider time, WebhookOptions options) =>
        new("hook", options with { Url = new Uri(server.Url, "/hooks/orchestrator") }, Sender(http, time), time);
}
