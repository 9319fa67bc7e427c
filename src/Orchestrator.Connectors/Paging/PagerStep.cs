using System.Globalization;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Paging;

/// <summary>
/// The <c>pager</c> step: opens, acknowledges or resolves a page on a configured target (PagerDuty,
/// Opsgenie, a webhook, Slack, Teams) by name. In a dry run nothing is sent.
/// </summary>
/// <remarks>
/// The dedup key defaults to the run id: a step context carries no incident id, and the run id is
/// the same on every retry of the step (so a retried trigger does not open a second alert) and for
/// every step of the run (so an acknowledge or resolve later in the run, or in its failure steps,
/// acts on the page the run opened). A page that must outlive the run (opened by one run, resolved
/// by another) names its key: <c>dedup_key: "worm-{{ event.source.ip }}"</c>.
/// </remarks>
public sealed class PagerStep(IReadOnlyDictionary<string, IPagerTarget> targets) : IActionConnector
{
    public const string StepName = "pager";

    private static readonly string[] Actions = ["trigger", "acknowledge", "resolve"];
    private static readonly string[] Severities = ["critical", "error", "warning", "info"];

    /// <summary>The step's parameters, for the playbook validator.</summary>
    public static StepDefinition Definition { get; } = new(StepName, "Open, acknowledge or resolve a page (PagerDuty, Opsgenie, webhook, Slack, Teams).",
    [
        new("target", KeyShape.Text, "The configured pager target's name.") { Required = true },
        new("action", KeyShape.Enum, "trigger (default), acknowledge or resolve.") { Values = Actions },
        new("summary", KeyShape.Template, "The one line a person reads first; required to trigger."),
        new("severity", KeyShape.Enum, "critical (default), error, warning or info.") { Values = Severities },
        new("source", KeyShape.Template, "The host or address the page is about; the event's host by default."),
        new("dedup_key", KeyShape.Template, "Names the alert, so a resolve closes what a trigger opened; the run id by default."),
        new("details", KeyShape.Any, "A map of extra fields, sent as the service's custom details."),
        new("link", KeyShape.Template, "A link back to the incident."),
    ]);

    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parameters = context.Parameters;
        var targetName = Text(parameters, "target");
        if (string.IsNullOrWhiteSpace(targetName))
        {
            return StepResult.Failed("target is required: the name of a configured pager target" + Known());
        }

        if (!targets.TryGetValue(targetName, out var target))
        {
            return StepResult.Failed($"no pager target '{targetName}'" + Known());
        }

        var actionText = (Text(parameters, "action") ?? "trigger").Trim().ToLowerInvariant();
        PageAction? parsedAction = actionText switch
        {
            "trigger" => PageAction.Trigger,
            "acknowledge" => PageAction.Acknowledge,
            "resolve" => PageAction.Resolve,
            _ => null,
        };
        if (parsedAction is not { } action)
        {
            return StepResult.Failed($"action '{actionText}' is not trigger, acknowledge or resolve");
        }

        var severity = (Text(parameters, "severity") ?? "critical").Trim().ToLowerInvariant();
        if (!Severities.Contains(severity))
        {
            return StepResult.Failed($"severity '{severity}' is not critical, error, warning or info");
        }

        var dedupKey = NonBlank(Text(parameters, "dedup_key")) ?? context.RunId;
        var summary = NonBlank(Text(parameters, "summary"));
        if (summary is null)
        {
            if (action == PageAction.Trigger)
            {
                return StepResult.Failed("summary is required to trigger a page");
            }

            summary = $"{(action == PageAction.Acknowledge ? "Acknowledged" : "Resolved")} by playbook {context.PlaybookId}";
        }

        IReadOnlyDictionary<string, object?> details = new Dictionary<string, object?>();
        if (parameters.TryGetValue("details", out var detailsValue) && detailsValue is not null)
        {
            if (detailsValue is not IReadOnlyDictionary<string, object?> map)
            {
                return StepResult.Failed("details must be a map of names to values");
            }

            details = map;
        }

        var page = new Page(action, dedupKey, summary, severity, NonBlank(Text(parameters, "source")) ?? SourceOf(context), details, NonBlank(Text(parameters, "link")));
        var outputs = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["target"] = target.Name,
            ["action"] = actionText,
            ["dedup_key"] = dedupKey,
            ["sent"] = !context.DryRun,
        };
        if (context.DryRun)
        {
            outputs["summary"] = page.Summary;
            outputs["severity"] = page.Severity;
            outputs["source"] = page.Source;
            return StepResult.Success(outputs);
        }

        PageReceipt receipt;
        try
        {
            receipt = await target.SendAsync(page, cancellationToken).ConfigureAwait(false);
        }
        catch (PagingException e)
        {
            return StepResult.Failed(e.Message);
        }

        outputs["status"] = receipt.Status;
        outputs["service_id"] = receipt.ServiceId;
        outputs["attempts"] = receipt.Attempts;
        return StepResult.Success(outputs);
    }

    private string Known() => targets.Count == 0
        ? " (none are configured)"
        : $" (configured: {string.Join(", ", targets.Keys.Order(StringComparer.Ordinal))})";

    private static string? Text(IReadOnlyDictionary<string, object?> parameters, string name) =>
        parameters.TryGetValue(name, out var value) && value is not null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private static string? NonBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The host the event is about, by name or address; the playbook when the run has no event.</summary>
    private static string SourceOf(StepContext context)
    {
        var evt = context.Event;
        return NonBlank(evt?.HostName)
            ?? evt?.HostIp?.ToString()
            ?? NonBlank(evt?.SourceName)
            ?? evt?.SourceIp?.ToString()
            ?? $"playbook {context.PlaybookId}";
    }
}
