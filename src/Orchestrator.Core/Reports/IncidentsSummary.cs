using System.Globalization;
using System.Net;
using System.Text;
using Orchestrator.Core.Incidents;

namespace Orchestrator.Core.Reports;

/// <summary>A report ready to send: a subject, a plain-text body and the same as HTML.</summary>
public sealed record RenderedReport(string Subject, string Text, string Html);

/// <summary>
/// The daily incidents summary: the incidents active in a period (opened, or with activity, in it),
/// how many are still open, acknowledged or resolved, and one line each — what an admin reads first
/// in the morning.
/// </summary>
public static class IncidentsSummary
{
    public const string Name = "incidents-summary";

    public static RenderedReport Render(IEnumerable<Incident> incidents, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        var active = incidents
            .Where(i => i.LastActivity >= from && i.OpenedAt <= to)
            .OrderByDescending(i => i.Status == IncidentStatus.Open)
            .ThenByDescending(i => i.LastActivity)
            .ToList();
        var open = active.Count(i => i.Status == IncidentStatus.Open);
        var unacknowledged = active.Count(i => i.Status == IncidentStatus.Open && i.AcknowledgedAt is null);
        var opened = active.Count(i => i.OpenedAt >= from);
        var period = $"{from.UtcDateTime:yyyy-MM-dd HH:mm} to {to.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
        var subject = string.Create(CultureInfo.InvariantCulture, $"Incidents summary: {active.Count} active, {open} open ({unacknowledged} not acknowledged), {opened} new");

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Incidents from {period}\n");
        text.Append(CultureInfo.InvariantCulture, $"{active.Count} active, {opened} opened in the period, {open} still open, {unacknowledged} of them not acknowledged.\n\n");
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<html><body><h2>Incidents from {Encode(period)}</h2>");
        html.Append(CultureInfo.InvariantCulture, $"<p>{active.Count} active, {opened} opened in the period, {open} still open, {unacknowledged} of them not acknowledged.</p>");
        if (active.Count == 0)
        {
            text.Append("No incidents.\n");
            html.Append("<p>No incidents.</p></body></html>");
            return new RenderedReport(subject, text.ToString(), html.ToString());
        }

        html.Append("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>Incident</th><th>Status</th><th>Opened (UTC)</th><th>Last activity (UTC)</th><th>Runs</th><th>Hosts / addresses</th><th>Title</th></tr>");
        foreach (var incident in active)
        {
            var status = Status(incident);
            var where = string.Join(", ", incident.Hosts.Concat(incident.Ips.Select(ip => ip.ToString())));
            text.Append(CultureInfo.InvariantCulture, $"- {incident.Id} [{status}] opened {incident.OpenedAt.UtcDateTime:yyyy-MM-dd HH:mm}, last {incident.LastActivity.UtcDateTime:yyyy-MM-dd HH:mm}, {incident.RunIds.Count} run(s), {where}: {incident.Title}\n");
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(incident.Id)}</td><td>{Encode(status)}</td><td>{incident.OpenedAt.UtcDateTime:yyyy-MM-dd HH:mm}</td><td>{incident.LastActivity.UtcDateTime:yyyy-MM-dd HH:mm}</td><td>{incident.RunIds.Count}</td><td>{Encode(where)}</td><td>{Encode(incident.Title)}</td></tr>");
        }

        html.Append("</table></body></html>");
        return new RenderedReport(subject, text.ToString(), html.ToString());
    }

    private static string Status(Incident incident) => incident.Status switch
    {
        IncidentStatus.Resolved => incident.ResolvedBy is { } by ? $"resolved by {by}" : "resolved",
        _ when incident.AcknowledgedBy is { } by => $"open, acknowledged by {by}",
        _ => "open",
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
