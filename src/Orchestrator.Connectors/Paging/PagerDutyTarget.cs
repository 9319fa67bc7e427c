using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Connectors.Paging;

/// <summary>
/// Pages through the PagerDuty Events API v2 (<c>POST /v2/enqueue</c>): a trigger opens an alert
/// under the page's dedup key, an acknowledge or resolve with the same key acts on that alert.
/// </summary>
public sealed class PagerDutyTarget : IPagerTarget
{
    // Events API v2 limits: summary up to 1024 characters, dedup_key up to 255.
    private const int MaxSummary = 1024;
    private const int MaxDedupKey = 255;

    private readonly PagerDutyOptions _options;
    private readonly PagerHttpSender _sender;
    private readonly TimeProvider _time;
    private readonly Uri _endpoint;
    private readonly string _described;

    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public PagerDutyTarget(string name, PagerDutyOptions options, PagerHttpSender sender, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(time);
        PagerTargetValidation.ThrowIfInvalid(name, PagerDutyOptions.Validate(options));
        Name = name;
        _options = options with { RoutingKey = options.RoutingKey.Trim() };
        _sender = sender;
        _time = time;
        _endpoint = new Uri(options.BaseUrl, "/v2/enqueue");
        _described = $"pager target '{name}' (PagerDuty)";
    }

    public string Name { get; }

    public async ValueTask<PageReceipt> SendAsync(Page page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (page.DedupKey.Length is 0 or > MaxDedupKey)
        {
            throw new PagingException($"{_described}: the dedup key must be 1 to {MaxDedupKey} characters (it has {page.DedupKey.Length})");
        }

        var body = Body(page).ToJsonString();
        var response = await _sender.SendAsync(
            _described,
            () => new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = PagerJson.Content(body) },
            _options.Timeout,
            [_options.RoutingKey],
            cancellationToken).ConfigureAwait(false);

        // 202 {"status":"success","message":"Event processed","dedup_key":"..."}: the key names the alert.
        return new PageReceipt(response.Status, PagerJson.StringProperty(response.Body, "dedup_key") ?? page.DedupKey, response.Attempts);
    }

    private JsonObject Body(Page page)
    {
        var body = new JsonObject
        {
            ["routing_key"] = _options.RoutingKey,
            ["event_action"] = PagerJson.ActionName(page.Action),
            ["dedup_key"] = page.DedupKey,
        };
        if (page.Action != PageAction.Trigger)
        {
            // Acknowledge and resolve name the alert by its key alone; a payload is not read.
            return body;
        }

        var payload = new JsonObject
        {
            ["summary"] = PagerJson.Truncate(page.Summary, MaxSummary),
            ["source"] = page.Source,
            ["severity"] = page.Severity,
            ["timestamp"] = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
        if (page.Details.Count > 0)
        {
            payload["custom_details"] = PagerJson.ToObject(page.Details);
        }

        body["payload"] = payload;
        body["client"] = "Orchestrator";
        if (page.Link is { } link)
        {
            body["links"] = new JsonArray(new JsonObject { ["href"] = link, ["text"] = "Incident" });
        }

        return body;
    }
}
