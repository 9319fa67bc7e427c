using Orchestrator.Alerting;
using System.Net;
using Orchestrator.Core.Configuration;
using Orchestrator.Api;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Configuration;

/// <summary>Checks values that YAML cannot: endpoints, durations, sizes, roles, formats, secret references.</summary>
public static class ConfigValidator
{
    public static IReadOnlyList<string> Validate(OrchestratorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        Endpoint(errors, "http.listen", config.Http.Listen, allowOff: false);
        Size(errors, "http.max_body", config.Http.MaxBody);
        for (var i = 0; i < config.Http.Keys.Count; i++)
        {
            var key = config.Http.Keys[i];
            var at = $"http.keys[{i}]";
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                errors.Add($"{at}.name: a key needs a name");
            }

            if (!ApiKeyRoles.IsKnown(key.Role))
            {
                errors.Add($"{at}.role: '{key.Role}' is not a role (use ingest or admin)");
            }

            if (key.Sha256.Length != 64 || !key.Sha256.All(char.IsAsciiHexDigit))
            {
                errors.Add($"{at}.sha256: expected the 64 hex digits printed by 'orchestrator key new'");
            }
        }

        for (var i = 0; i < config.Http.Webhooks.Count; i++)
        {
            var hook = config.Http.Webhooks[i];
            var at = $"http.webhooks[{i}]";
            if (string.IsNullOrWhiteSpace(hook.Name) || !hook.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                errors.Add($"{at}.name: use letters, digits, '-' and '_' (it becomes the URL /api/v1/webhooks/NAME)");
            }

            Format(errors, $"{at}.format", hook.Format);
            if (hook.Secret is not null && !SecretReference.IsReference(hook.Secret))
            {
                errors.Add($"{at}.secret: write the secret by reference, ${{env:NAME}} or ${{file:PATH}}, never the secret itself");
            }
        }

        Endpoint(errors, "syslog.udp", config.Syslog.Udp, allowOff: true);
        Endpoint(errors, "syslog.tcp", config.Syslog.Tcp, allowOff: true);
        Format(errors, "syslog.format", config.Syslog.Format);
        Size(errors, "syslog.max_message", config.Syslog.MaxMessage);
        Duration(errors, "syslog.idle_timeout", config.Syslog.IdleTimeout);
        if (config.Syslog.MaxConnections < 1)
        {
            errors.Add("syslog.max_connections: must be at least 1");
        }

        if (config.Syslog.Tls is { } tls)
        {
            Endpoint(errors, "syslog.tls.listen", tls.Listen, allowOff: false);
            if (tls.Pfx is null && (tls.Certificate is null || tls.Key is null))
            {
                errors.Add("syslog.tls: give certificate and key (PEM files) or pfx");
            }

            if (tls.PfxPassword is not null && !SecretReference.IsReference(tls.PfxPassword))
            {
                errors.Add("syslog.tls.pfx_password: write it by reference, ${env:NAME} or ${file:PATH}");
            }
        }

        if (config.Storage.Synchronous is not ("full" or "normal"))
        {
            errors.Add($"storage.synchronous: '{config.Storage.Synchronous}' is not full or normal");
        }

        Size(errors, "storage.memory_limit", config.Storage.MemoryLimit);
        if (config.Retention.MaxAge is not null)
        {
            Duration(errors, "retention.max_age", config.Retention.MaxAge);
        }

        if (config.Retention.MaxSize is not null)
        {
            Size(errors, "retention.max_size", config.Retention.MaxSize);
        }

        Duration(errors, "retention.interval", config.Retention.Interval);
        Duration(errors, "response.step_timeout", config.Response.StepTimeout);
        Alerting(errors, config.Alerting);
        Duration(errors, "response.blast_radius.window", config.Response.BlastRadius.Window);
        if (config.Response.MaxConcurrentRuns < 1)
        {
            errors.Add("response.max_concurrent_runs: must be at least 1");
        }

        if (config.Response.BlastRadius.Global < 1 || config.Response.BlastRadius.PerPlaybook < 1)
        {
            errors.Add("response.blast_radius: global and per_playbook must be at least 1 (a containment beyond them is held for approval)");
        }

        var containment = config.Response.Containment;
        Duration(errors, "response.containment.default_block", containment.DefaultBlock);
        Duration(errors, "response.containment.repeat.max", containment.Repeat.Max);
        Duration(errors, "response.containment.repeat.lookback", containment.Repeat.Lookback);
        Duration(errors, "response.containment.reconcile.every", containment.Reconcile.Every);
        if (containment.Repeat.Multiplier < 1 || double.IsNaN(containment.Repeat.Multiplier) || double.IsInfinity(containment.Repeat.Multiplier))
        {
            errors.Add("response.containment.repeat.multiplier: must be a number of at least 1 (1 = blocks never grow)");
        }

        if (containment.Reconcile.Drift is not ("flag" or "reapply"))
        {
            errors.Add($"response.containment.reconcile.drift: '{containment.Reconcile.Drift}' is not flag or reapply");
        }

        Detection.DetectionOptions.Parse(config.Detection, errors);

        return errors;
    }

    /// <summary>Parses <c>ADDR:PORT</c>; null for <c>off</c>.</summary>
    public static IPEndPoint? ParseEndpoint(string text) =>
        text == "off" ? null
        : TryParseEndpoint(text, out var ep) ? ep
        : throw new FormatException($"'{text}' is not ADDR:PORT (for example 127.0.0.1:5514 or [::1]:5514)");

    // IPEndPoint.TryParse accepts a bare address with port 0; a listener needs the port written out.
    private static bool TryParseEndpoint(string text, out IPEndPoint endpoint) =>
        IPEndPoint.TryParse(text, out endpoint!) && text.Contains(':', StringComparison.Ordinal);

    private static void Endpoint(List<string> errors, string key, string value, bool allowOff)
    {
        if (allowOff && value == "off")
        {
            return;
        }

        if (!TryParseEndpoint(value, out _))
        {
            errors.Add($"{key}: '{value}' is not ADDR:PORT (for example 127.0.0.1:5514){(allowOff ? " or off" : "")}");
        }
    }

    private static void Size(List<string> errors, string key, string value)
    {
        if (!ByteSizes.TryParse(value, out var bytes) || bytes <= 0)
        {
            errors.Add($"{key}: '{value}' is not a size (for example 64KB, 16MB, 10GB)");
        }
    }

    private static void Duration(List<string> errors, string key, string value)
    {
        if (!Durations.TryParse(value, out var d) || d <= TimeSpan.Zero)
        {
            errors.Add($"{key}: '{value}' is not a duration (for example 30s, 10m, 24h, 30d)");
        }
    }

    private static void Format(List<string> errors, string key, string value)
    {
        if (!EventFormats.IsKnown(value))
        {
            errors.Add($"{key}: unknown format '{value}' (known: {string.Join(", ", EventFormats.All)})");
        }
    }

    private static void Alerting(List<string> errors, AlertingConfig alerting)
    {
        foreach (var (name, levels) in alerting.Escalation)
        {
            var at = $"alerting.escalation.{name}";
            if (levels is null || levels.Count == 0)
            {
                errors.Add($"{at}: a policy needs at least one level (- target: NAME)");
                continue;
            }

            for (var i = 0; i < levels.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(levels[i].Target))
                {
                    errors.Add($"{at}[{i}].target: name the pager target this level pages");
                }

                if (i == 0 && levels[i].After is not null)
                {
                    errors.Add($"{at}[0].after: the first level pages at once; 'after' belongs to the levels after it");
                }
                else if (i > 0 && levels[i].After is null)
                {
                    errors.Add($"{at}[{i}].after: say how long after level {i - 1} this level pages, unacknowledged (e.g. 15m)");
                }
                else if (i > 0)
                {
                    Duration(errors, $"{at}[{i}].after", levels[i].After!);
                }
            }
        }

        AlertingServiceCollectionExtensions.Reports(alerting, errors);
    }
}
