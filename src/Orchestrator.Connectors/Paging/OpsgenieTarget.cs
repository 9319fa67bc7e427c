using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Orchestrator.Connectors.Paging;

/// <summary>
/// Pages through the Opsgenie Alert API: a trigger creates an alert (<c>POST /v2/alerts</c>) whose
/// alias is the page's dedup key; acknowledge and resolve act on that alias
/// (<c>POST /v2/alerts/{alias}/acknowledge|close?identifierType=alias</c>).
/// </summary>
public sealed class OpsgenieTarget : IPagerTarget
{
    // Alert API limits: message up to 130 characters, alias up to 512, description up to 15000.
    private const int MaxMessage = 130;
    private const int MaxAlias = 512;
    private const int MaxDescription = 15000;
    private const string Source = "Orchestrator";

    private readonly OpsgenieOptions _options;
    private readonly PagerHttpSender _sender;
    private readonly string _described;

    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public OpsgenieTarget(string name, OpsgenieOptions options, PagerHttpSender sender)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sender);
        PagerTargetValidation.ThrowIfInvalid(name, OpsgenieOptions.Validate(options));
        Name = name;
        _options = options with { ApiKey = options.ApiKey.Trim() };
        _sender = sender;
        _described = $"pager target '{name}' (Opsgenie)";
    }

    public string Name { get; }

    public async ValueTask<PageReceipt> SendAsync(Page page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (page.DedupKey.Length is 0 or > MaxAlias)
        {
            throw new PagingException($"{_described}: the dedup key (the alert's alias) must be 1 to {MaxAlias} characters (it has {page.DedupKey.Length})");
        }

        var alias = Uri.EscapeDataString(page.DedupKey);
        var (path, body) = page.Action switch
        {
            PageAction.Trigger => ("/v2/alerts", CreateBody(page)),
            PageAction.Acknowledge => ($"/v2/alerts/{alias}/acknowledge?identifierType=alias", StateBody(page)),
            _ => ($"/v2/alerts/{alias}/close?identifierType=alias", StateBody(page)),
        };
        var endpoint = new Uri(_options.BaseUrl, path);
        var json = body.ToJsonString();
        var response = await _sender.SendAsync(
            _described,
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = PagerJson.Content(json) };
                request.Headers.Authorization = new AuthenticationHeaderValue("GenieKey", _options.ApiKey);
                return request;
            },
            _options.Timeout,
            [_options.ApiKey],
            cancellationToken).ConfigureAwait(false);

        // 202 {"result":"Request will be processed","took":0.1,"requestId":"..."}: the request id tracks the asynchronous work.
        return new PageReceipt(response.Status, PagerJson.StringProperty(response.Body, "requestId"), response.Attempts);
    }

    private JsonObject CreateBody(Page page)
    {
        var body = new JsonObject
        {
            ["message"] = PagerJson.Truncate(page.Summary, MaxMessage),
            ["alias"] = page.DedupKey,
            ["description"] = PagerJson.Truncate(page.Link is null ? page.Summary : $"{page.Summary}\n\n{page.Link}", MaxDescription),
            ["priority"] = Priority(page.Severity),
            ["source"] = Source,
            ["entity"] = page.Source,
            ["tags"] = new JsonArray("orchestrator", page.Severity),
        };
        if (page.Details.Count > 0)
        {
            // Opsgenie details are a string-to-string map.
            var details = new JsonObject();
            foreach (var (key, value) in page.Details)
            {
                details[key] = PagerJson.ToText(value);
            }

            body["details"] = details;
        }

        if (_options.Responders.Count > 0)
        {
            body["responders"] = new JsonArray([.. _options.Responders.Select(r => (JsonNode)new JsonObject
            {
                ["type"] = r.Type,
                [r.Type == "user" ? "username" : "name"] = r.Name,
            })]);
        }

        return body;
    }

    private static JsonObject StateBody(Page page) => new()
    {
        ["source"] = Source,
        ["note"] = page.Summary,
    };

    /// <summary>critical → P1, error → P2, warning → P3, info → P5 (P4 is left to people).</summary>
    private static string Priority(string severity) => severity switch
    {
        "critical" => "P1",
        "error" => "P2",
        "warning" => "P3",
        "info" => "P5",
        _ => "P3",
    };
}
