namespace Orchestrator.Connectors.Paging;

/// <summary>A PagerDuty Events API v2 integration: its routing (integration) key, and where to send.</summary>
public sealed record PagerDutyOptions
{
    /// <summary>The US service; EU accounts use <c>https://events.eu.pagerduty.com</c>.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://events.pagerduty.com");

    /// <summary>The integration key, already resolved from its secret reference.</summary>
    public string RoutingKey { get; init; } = "";

    public Uri BaseUrl { get; init; } = DefaultBaseUrl;

    public TimeSpan Timeout { get; init; } = PagerTargetValidation.DefaultTimeout;

    /// <summary>The problems that make these options unusable, each naming the field; empty when they are fine.</summary>
    public static IReadOnlyList<string> Validate(PagerDutyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        // The Events API refuses any other length ("Length of 'routing_key' is incorrect").
        if (options.RoutingKey.Trim().Length != 32)
        {
            errors.Add($"routing_key: must be the 32-character integration key of an Events API v2 integration (it has {options.RoutingKey.Trim().Length})");
        }

        PagerTargetValidation.CheckUrl(errors, "base_url", options.BaseUrl);
        PagerTargetValidation.CheckTimeout(errors, options.Timeout);
        return errors;
    }
}

/// <summary>An Opsgenie API integration: its API key, region or base URL, and who is notified.</summary>
public sealed record OpsgenieOptions
{
    public static readonly Uri UsBaseUrl = new("https://api.opsgenie.com");
    public static readonly Uri EuBaseUrl = new("https://api.eu.opsgenie.com");

    /// <summary>The API integration key, already resolved from its secret reference.</summary>
    public string ApiKey { get; init; } = "";

    /// <summary><see cref="UsBaseUrl"/> (default), <see cref="EuBaseUrl"/>, or another for tests.</summary>
    public Uri BaseUrl { get; init; } = UsBaseUrl;

    /// <summary>Teams, users, escalations or schedules to notify; none lets the integration's own routing decide.</summary>
    public IReadOnlyList<OpsgenieResponder> Responders { get; init; } = [];

    public TimeSpan Timeout { get; init; } = PagerTargetValidation.DefaultTimeout;

    /// <summary>The base URL for a region name (<c>us</c> or <c>eu</c>), or null for another name.</summary>
    public static Uri? BaseUrlOf(string region) => region.Trim().ToUpperInvariant() switch
    {
        "US" => UsBaseUrl,
        "EU" => EuBaseUrl,
        _ => null,
    };

    /// <summary>The problems that make these options unusable, each naming the field; empty when they are fine.</summary>
    public static IReadOnlyList<string> Validate(OpsgenieOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            errors.Add("api_key: is required (the key of an Opsgenie API integration)");
        }

        PagerTargetValidation.CheckUrl(errors, "base_url", options.BaseUrl);
        PagerTargetValidation.CheckTimeout(errors, options.Timeout);
        for (var i = 0; i < options.Responders.Count; i++)
        {
            var responder = options.Responders[i];
            if (!OpsgenieResponder.Types.Contains(responder.Type))
            {
                errors.Add($"responders[{i}].type: '{responder.Type}' is not one of {string.Join(", ", OpsgenieResponder.Types)}");
            }

            if (string.IsNullOrWhiteSpace(responder.Name))
            {
                errors.Add($"responders[{i}].name: is required (the team, user, escalation or schedule name)");
            }
        }

        return errors;
    }
}

/// <summary>Who Opsgenie notifies: a team, user (by username), escalation or schedule, by name.</summary>
public sealed record OpsgenieResponder(string Type, string Name)
{
    public static readonly IReadOnlyList<string> Types = ["team", "user", "escalation", "schedule"];
}

/// <summary>
/// A generic webhook: the URL, an optional shared secret for the HMAC-SHA256 signature, an optional
/// Liquid body template (it sees <c>page</c>), extra headers, and the per-request timeout.
/// </summary>
public sealed record WebhookOptions
{
    public Uri? Url { get; init; }

    /// <summary>Signs each request when set (<c>X-Orchestrator-Signature</c>); already resolved from its secret reference.</summary>
    public string? Secret { get; init; }

    /// <summary>A Liquid template that renders the JSON body from <c>page</c>; a default JSON body when null.</summary>
    public string? BodyTemplate { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public TimeSpan Timeout { get; init; } = PagerTargetValidation.DefaultTimeout;

    /// <summary>The problems that make these options unusable, each naming the field; empty when they are fine.</summary>
    public static IReadOnlyList<string> Validate(WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        PagerTargetValidation.CheckUrl(errors, "url", options.Url);
        PagerTargetValidation.CheckTimeout(errors, options.Timeout);
        if (options.Secret is { } secret && secret.Length == 0)
        {
            errors.Add("secret: is empty; leave it out to send unsigned requests");
        }

        if (options.BodyTemplate is { } template && !WebhookBody.TryParse(template, out _, out var templateError))
        {
            errors.Add($"body: is not a valid Liquid template: {templateError}");
        }

        foreach (var name in options.Headers.Keys)
        {
            if (WebhookTarget.ReservedHeaders.Contains(name))
            {
                errors.Add($"headers.{name}: is set by the webhook itself and cannot be configured");
            }
        }

        return errors;
    }
}

/// <summary>
/// A chat incoming webhook (Slack; Microsoft Teams through a Workflows "when a webhook request is
/// received" flow or a legacy incoming webhook). The URL is the secret: it never appears in a message or log.
/// </summary>
public sealed record ChatWebhookOptions
{
    public Uri? Url { get; init; }

    public TimeSpan Timeout { get; init; } = PagerTargetValidation.DefaultTimeout;

    /// <summary>The problems that make these options unusable, each naming the field; empty when they are fine.</summary>
    public static IReadOnlyList<string> Validate(ChatWebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        PagerTargetValidation.CheckUrl(errors, "url", options.Url);
        PagerTargetValidation.CheckTimeout(errors, options.Timeout);
        return errors;
    }
}

/// <summary>The checks every target's options share.</summary>
internal static class PagerTargetValidation
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    // The URL itself is not repeated: for Slack and Teams it is the secret.
    public static void CheckUrl(List<string> errors, string field, Uri? url)
    {
        if (url is null)
        {
            errors.Add($"{field}: is required");
        }
        else if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{field}: must be an absolute http:// or https:// URL");
        }
    }

    public static void CheckTimeout(List<string> errors, TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"timeout: must be more than 0 and at most 5m (it is {timeout})");
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing <paramref name="errors"/> when there are any.</summary>
    public static void ThrowIfInvalid(string targetName, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new ArgumentException($"pager target '{targetName}': {string.Join("; ", errors)}");
        }
    }
}
