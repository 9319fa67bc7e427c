using System.Globalization;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;
using static Orchestrator.Core.Runs.StepParameters;

namespace Orchestrator.Connectors.Paging;

/// <summary>
/// The <c>pager</c> step: opens, acknowledges or resolves a page on a configured target (PagerDuty,
/// Opsgenie, a webhook, Slack, Teams) by name. In a dry run nothing is sent.
/// </summary>
/// <remarks>
/// The dedup key defaults to the run's incident id (the run id for a run without one): the same on
/// every retry (a retried trigger does not open a second alert), for every run about the incident,
/// and what acknowledging or resolving the incident sends, so closing the incident closes its pages.
/// With <c>escalation: POLICY</c> instead of <c>target</c>, the policy's first level is paged now
/// and the next ones later, until somebody acknowledges the incident.
/// </remarks>
public sealed class PagerStep(IReadOnlyDictionary<string, IPagerTarget> targets, IIncidentPaging? paging = null) : IActionConnector
{
    public const string StepName = "pager";

    private static readonly string[] Actions = ["trigger", "acknowledge", "resolve"];
    private static readonly string[] Severities = ["critical", "error", "warning", "info"];

    /// <summary>The step's parameters, for the playbook validator.</summary>
    public static StepDefinition Definition { get; } = new(StepName, "Open, acknowledge or resolve a page (PagerDuty, Opsgenie, webhook, Slack, Teams).",
    [
        new("target", KeyShape.Text, "The configured pager target's name (or give escalation)."),
        new("escalation", KeyShape.Text, "An escalation policy: its first level is paged now, the next ones when nobody acknowledges the incident in time."),
        new("action", KeyShape.Enum, "trigger (default), acknowledge or resolve.") { Values = Actions },
        new("summary", KeyShape.Template, "The one line a person reads first; required to trigger."),
        new("severity", KeyShape.Enum, "critical (default), error, warning or info.") { Values = Severities },
        new("source", KeyShape.Template, "The host or address the page is about; the event's host by default."),
        new("dedup_key", KeyShape.Template, "Names the alert, so a resolve closes what a trigger opened; the incident id by default."),
        new("details", KeyShape.Any, "A map of extra fields, sent as the service's custom details."),
        new("link", KeyShape.Template, "A link back to the incident."),
    ]);

    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parameters = context.Parameters;
        var targetName = NonBlank(Text(parameters, "target"));
        var policy = NonBlank(Text(parameters, "escalation"));
        if ((targetName is null) == (policy is null))
        {
            return StepResult.Failed("give either target (a configured pager target" + Known() + ") or escalation (a policy), not both");
        }

        IPagerTarget? target = null;
        if (targetName is not null && !targets.TryGetValue(targetName, out target))
        {
            return StepResult.Failed($"no pager target '{targetName}'" + Known());
        }

        if (policy is not null && paging?.HasPolicy(policy) != true)
        {
            return StepResult.Failed($"no escalation policy '{policy}' is configured (alerting.escalation)");
        }

        if (policy is not null && context.IncidentId is null)
        {
            return StepResult.Failed("escalation needs the run's incident (runs started by a decision or by hand have one)");
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

        if (policy is not null && action != PageAction.Trigger)
        {
            return StepResult.Failed("escalation only triggers; acknowledging or resolving the incident ends it");
        }

        var dedupKey = NonBlank(Text(parameters, "dedup_key")) ?? context.IncidentId ?? context.RunId;
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
            ["target"] = target?.Name,
            ["escalation"] = policy,
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
            if (policy is not null)
            {
                receipt = await paging!.EscalateAsync(context.IncidentId!, policy, page, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                receipt = await target!.SendAsync(page, cancellationToken).ConfigureAwait(false);
                if (action == PageAction.Trigger && context.IncidentId is { } incidentId && paging is not null)
                {
                    await paging.PagedAsync(incidentId, target.Name, page, cancellationToken).ConfigureAwait(false);
                }
            }
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
