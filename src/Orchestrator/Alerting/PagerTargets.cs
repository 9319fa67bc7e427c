using Orchestrator.Configuration;
using Orchestrator.Connectors.Paging;
using Orchestrator.Core.Configuration;

namespace Orchestrator.Alerting;

/// <summary>Builds the configured pager targets, their secrets resolved; every problem is reported with its key.</summary>
public static class PagerTargets
{
    public static IReadOnlyList<string> Kinds { get; } = ["pagerduty", "opsgenie", "webhook", "slack", "teams"];

    /// <summary>The targets by name; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static IReadOnlyDictionary<string, IPagerTarget> Build(AlertingConfig alerting, PagerHttpSender sender, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(alerting);
        var errors = new List<string>();
        var targets = new Dictionary<string, IPagerTarget>(StringComparer.Ordinal);
        foreach (var (name, config) in alerting.Pagers)
        {
            var at = $"alerting.pagers.{name}";
            var problems = new List<string>();
            var target = Build(name, config, at, sender, time, problems);
            errors.AddRange(problems.Select(p => p.StartsWith(at, StringComparison.Ordinal) ? p : $"{at}.{p}"));
            if (target is not null && problems.Count == 0)
            {
                targets[name] = target;
            }
        }

        return errors.Count > 0 ? throw new ConfigException(string.Join(Environment.NewLine, errors)) : targets;
    }

    private static IPagerTarget? Build(string name, PagerTargetConfig config, string at, PagerHttpSender sender, TimeProvider time, List<string> errors)
    {
        if (!Durations.TryParse(config.Timeout, out var timeout) || timeout <= TimeSpan.Zero)
        {
            errors.Add($"{at}.timeout: '{config.Timeout}' is not a duration like 10s");
            return null;
        }

        switch (config.Kind)
        {
            case "pagerduty":
                var pagerDuty = new PagerDutyOptions { RoutingKey = Secret(at, "routing_key", config.RoutingKey, errors), Timeout = timeout };
                if (Url(at, "base_url", config.BaseUrl, errors) is { } pagerDutyBase)
                {
                    pagerDuty = pagerDuty with { BaseUrl = pagerDutyBase };
                }

                return Valid(PagerDutyOptions.Validate(pagerDuty), errors) ? new PagerDutyTarget(name, pagerDuty, sender, time) : null;
            case "opsgenie":
                var opsgenie = new OpsgenieOptions
                {
                    ApiKey = Secret(at, "api_key", config.ApiKey, errors),
                    Responders = [.. config.Responders.Select(r => new OpsgenieResponder(r.Type, r.Name))],
                    Timeout = timeout,
                };
                if (config.Region is { } region)
                {
                    if (OpsgenieOptions.BaseUrlOf(region) is { } regional)
                    {
                        opsgenie = opsgenie with { BaseUrl = regional };
                    }
                    else
                    {
                        errors.Add($"{at}.region: '{region}' is not us or eu");
                    }
                }

                if (Url(at, "base_url", config.BaseUrl, errors) is { } opsgenieBase)
                {
                    opsgenie = opsgenie with { BaseUrl = opsgenieBase };
                }

                return Valid(OpsgenieOptions.Validate(opsgenie), errors) ? new OpsgenieTarget(name, opsgenie, sender) : null;
            case "webhook":
                var webhook = new WebhookOptions
                {
                    Url = Url(at, "url", config.Url is null ? null : Plain(at, config.Url), errors),
                    Secret = config.Secret is null ? null : Secret(at, "secret", config.Secret, errors),
                    BodyTemplate = config.Body,
                    Headers = config.Headers,
                    Timeout = timeout,
                };
                return Valid(WebhookOptions.Validate(webhook), errors) ? new WebhookTarget(name, webhook, sender, time) : null;
            case "slack" or "teams":
                var chat = new ChatWebhookOptions { Url = Url(at, "url", config.Url is null ? null : Plain(at, config.Url), errors), Timeout = timeout };
                return !Valid(ChatWebhookOptions.Validate(chat), errors) ? null
                    : config.Kind == "slack" ? new SlackTarget(name, chat, sender) : new TeamsTarget(name, chat, sender);
            default:
                errors.Add($"{at}.kind: '{config.Kind}' is not one of {string.Join(", ", Kinds)}");
                return null;
        }
    }

    private static bool Valid(IReadOnlyList<string> problems, List<string> errors)
    {
        errors.AddRange(problems);
        return problems.Count == 0;
    }

    // A key or token must be a reference; a URL may be written out (a webhook) or referenced (Slack, Teams: the URL is the secret).
    private static string Secret(string at, string key, string? reference, List<string> errors)
    {
        if (reference is null)
        {
            errors.Add($"{at}.{key}: required, by reference (${{env:NAME}} or ${{file:PATH}})");
            return "";
        }

        if (!SecretReference.IsReference(reference))
        {
            errors.Add($"{at}.{key}: write it by reference, ${{env:NAME}} or ${{file:PATH}}, never the secret itself");
            return "";
        }

        return ConfigLoader.ResolveSecret($"{at}.{key}", reference).Trim();
    }

    private static string Plain(string at, string value) => SecretReference.IsReference(value) ? ConfigLoader.ResolveSecret($"{at}.url", value).Trim() : value;

    private static Uri? Url(string at, string key, string? value, List<string> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return url;
        }

        // Never echo the value: a Slack or Teams URL is a credential.
        errors.Add($"{at}.{key}: not an absolute http or https URL");
        return null;
    }
}
