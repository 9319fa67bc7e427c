using System.Text.Json.Nodes;
using Orchestrator.Connectors.Paging;
using static Orchestrator.Connectors.Tests.Paging.PagerTestKit;

namespace Orchestrator.Connectors.Tests.Paging;

public class OpsgenieTargetTests
{
    [Fact]
    public async Task SendAsync_TriggerAcknowledgeResolve_CreateAcknowledgeAndCloseOneAlertByAlias()
    {
        var vendor = new OpsgenieVendor(GenieKey);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = PagerHttpSender.CreateHttpClient();
        var target = Target(server, http);
        var states = new List<string>();
        var receipts = new List<PageReceipt>();

        foreach (var action in (PageAction[])[PageAction.Trigger, PageAction.Acknowledge, PageAction.Resolve])
        {
            receipts.Add(await target.SendAsync(Page(action, dedupKey: "worm/10.0.0.5"), CancellationToken.None));
            states.Add(vendor.AlertStates["worm/10.0.0.5"]);
        }

        Assert.Equal(["open", "acked", "closed"], states);
        Assert.Equal(
            ["/v2/alerts", "/v2/alerts/worm%2F10.0.0.5/acknowledge?identifierType=alias", "/v2/alerts/worm%2F10.0.0.5/close?identifierType=alias"],
            server.Requests.Select(r => r.Path + r.Query));
        Assert.Equal(vendor.RequestIds, receipts.Select(r => r.ServiceId));
        Assert.All(receipts, r => Assert.Equal(202, r.Status));
    }

    [Fact]
    public async Task SendAsync_Trigger_SendsTheDocumentedAlert()
    {
        var vendor = new OpsgenieVendor(GenieKey);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = PagerHttpSender.CreateHttpClient();
        var page = Page(summary: new string('s', 200)) with { Details = new Dictionary<string, object?> { ["victims"] = new List<object?> { "pc-1", "pc-2" }, ["count"] = 2 } };

        await Target(server, http, [new OpsgenieResponder("team", "soc"), new OpsgenieResponder("user", "ann@example.org")]).SendAsync(page, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("GenieKey " + GenieKey, request.Header("Authorization"));
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal(130, ((string?)body["message"])!.Length);
        Assert.Equal(200, ((string?)body["description"])!.Length);
        Assert.Equal(("incident-7", "P1", "pc-042"), ((string?)body["alias"], (string?)body["priority"], (string?)body["entity"]));
        Assert.Equal("""["pc-1","pc-2"]""", (string?)body["details"]!["victims"]);
        Assert.Equal("2", (string?)body["details"]!["count"]);
        Assert.Equal("""[{"type":"team","name":"soc"},{"type":"user","username":"ann@example.org"}]""", body["responders"]!.ToJsonString());
        Assert.Equal("open", vendor.AlertStates["incident-7"]);
    }

    [Fact]
    public async Task SendAsync_WrongKey_NotRetriedAndCarriesOpsgeniesMessageNotTheKey()
    {
        await using var server = await StandIn.StartAsync(new OpsgenieVendor("another-key-entirely").Handle);
        using var http = PagerHttpSender.CreateHttpClient();

        var error = await Assert.ThrowsAsync<PagingException>(() => Target(server, http).SendAsync(Page(), CancellationToken.None).AsTask());

        Assert.Single(server.Requests);
        Assert.Contains("HTTP 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("Could not authenticate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GenieKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingKeyAndUnknownResponderType_NamesEachField()
    {
        var errors = OpsgenieOptions.Validate(new OpsgenieOptions { Responders = [new OpsgenieResponder("group", "soc")] });

        Assert.Equal(["api_key: is required (the key of an Opsgenie API integration)", "responders[0].type: 'group' is not one of team, user, escalation, schedule"], errors);
    }

    [Fact]
    public void BaseUrlOf_Regions_GiveTheUsAndEuServices()
    {
        Assert.Equal(
            [new Uri("https://api.opsgenie.com"), new Uri("https://api.eu.opsgenie.com"), null],
            new[] { "us", "EU", "mars" }.Select(OpsgenieOptions.BaseUrlOf));
    }

    private static OpsgenieTarget Target(StandIn server, HttpClient http, IReadOnlyList<OpsgenieResponder>? responders = null) =>
        new("ops", new OpsgenieOptions { ApiKey = GenieKey, BaseUrl = server.Url, Responders = responders ?? [] }, Sender(http, new InstantTimeProvider()));
}
