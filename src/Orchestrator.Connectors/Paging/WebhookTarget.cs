using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid;

namespace Orchestrator.Connectors.Paging;

/// <summary>
/// Pages by POSTing JSON to any URL: the configured Liquid body template rendered with <c>page</c>,
/// or a default body. With a secret, each attempt is signed: <c>X-Orchestrator-Timestamp</c> holds
/// Unix seconds and <c>X-Orchestrator-Signature</c> is <c>sha256=</c> and the lowercase hex
/// HMAC-SHA256 of <c>timestamp + "." + body</c> under the secret, so a receiver can refuse replays.
/// </summary>
public sealed class WebhookTarget : IPagerTarget
{
    public const string SignatureHeader = "X-Orchestrator-Signature";
    public const string TimestampHeader = "X-Orchestrator-Timestamp";

    /// <summary>Headers the target sets itself; configuration may not override them.</summary>
    public static readonly IReadOnlySet<string> ReservedHeaders = new HashSet<string>(
        ["Content-Type", "Content-Length", "Host", SignatureHeader, TimestampHeader],
        StringComparer.OrdinalIgnoreCase);

    private readonly WebhookOptions _options;
    private readonly PagerHttpSender _sender;
    private readonly TimeProvider _time;
    private readonly WebhookBody? _template;
    private readonly byte[]? _key;
    private readonly string[] _secrets;
    private readonly string _described;

    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public WebhookTarget(string name, WebhookOptions options, PagerHttpSender sender, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(time);
        PagerTargetValidation.ThrowIfInvalid(name, WebhookOptions.Validate(options));
        Name = name;
        _options = options;
        _sender = sender;
        _time = time;
        if (options.BodyTemplate is { } template && WebhookBody.TryParse(template, out var body, out _))
        {
            _template = body;
        }

        _key = options.Secret is { } secret ? Encoding.UTF8.GetBytes(secret) : null;
        // A webhook URL often carries its token in the path or query, and headers often carry credentials.
        _secrets = [.. PagerHttpSender.UrlSecrets(options.Url!), .. options.Headers.Values, .. options.Secret is null ? Array.Empty<string>() : [options.Secret]];
        _described = $"pager target '{name}' (webhook)";
    }

    public string Name { get; }

    public async ValueTask<PageReceipt> SendAsync(Page page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var body = Body(page);
        var response = await _sender.SendAsync(_described, () => Request(body), _options.Timeout, _secrets, cancellationToken).ConfigureAwait(false);
        return new PageReceipt(response.Status, null, response.Attempts);
    }

    /// <summary>The HMAC-SHA256 signature header value for <paramref name="body"/> sent at <paramref name="timestamp"/> (Unix seconds).</summary>
    public static string Sign(byte[] key, string timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(body);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(timestamp + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    private HttpRequestMessage Request(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = PagerJson.Content(body) };
        foreach (var (name, value) in _options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (_key is not null)
        {
            // Signed per attempt, so a retry after a long Retry-After carries a fresh timestamp.
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.Add(TimestampHeader, timestamp);
            request.Headers.Add(SignatureHeader, Sign(_key, timestamp, body));
        }

        return request;
    }

    private string Body(Page page)
    {
        if (_template is null)
        {
            return DefaultBody(page).ToJsonString();
        }

        var rendered = _template.Render(page);
        try
        {
            using var _ = JsonDocument.Parse(rendered);
        }
        catch (JsonException e)
        {
            throw new PagingException($"{_described}: the body template did not render valid JSON ({e.Message}); use the json filter for values: {{{{ page.summary | json }}}}");
        }

        return rendered;
    }

    private static JsonObject DefaultBody(Page page) => new()
    {
        ["action"] = PagerJson.ActionName(page.Action),
        ["dedup_key"] = page.DedupKey,
        ["summary"] = page.Summary,
        ["severity"] = page.Severity,
        ["source"] = page.Source,
        ["link"] = page.Link,
        ["details"] = PagerJson.ToObject(page.Details),
    };
}

/// <summary>A webhook body template: Liquid, parsed once, rendered with the page's fields under <c>page</c>.</summary>
internal sealed class WebhookBody
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = new() { CultureInfo = CultureInfo.InvariantCulture, TimeZone = TimeZoneInfo.Utc };

    private readonly IFluidTemplate _template;

    private WebhookBody(IFluidTemplate template) => _template = template;

    public static bool TryParse(string source, out WebhookBody? body, out string error)
    {
        body = null;
        if (!Parser.TryParse(source, out var template, out error))
        {
            error = error.Split('\n')[0].TrimEnd();
            return false;
        }

        body = new WebhookBody(template);
        return true;
    }

    public string Render(Page page)
    {
        var context = new TemplateContext(Options);
        context.SetValue("page", new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["action"] = PagerJson.ActionName(page.Action),
            ["dedup_key"] = page.DedupKey,
            ["summary"] = page.Summary,
            ["severity"] = page.Severity,
            ["source"] = page.Source,
            ["link"] = page.Link,
            ["details"] = page.Details,
        });
        return _template.Render(context);
    }
}
