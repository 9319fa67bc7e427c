using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Api;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator incidents</c>: lists and shows incidents from the data directory, and resolves
/// one through the running service's API.
/// </summary>
public static class IncidentsCommand
{
    public static Command Create()
    {
        var open = new Option<bool>("--open") { Description = "Only incidents still open" };
        var limit = new Option<string?>("--limit") { Description = $"At most this many, latest activity first (default {RunViews.DefaultLimit})" };
        var output = RunsCommand.OutputOption();
        var command = new Command("incidents", "List incidents (runs and events about the same hosts), latest activity first; show or resolve one.") { open, limit, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!RunViews.TryParseLimit(parseResult.GetValue(limit), out var parsedLimit, out var limitError))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("--" + limitError).ConfigureAwait(false);
                return 2;
            }

            return await RunsCommand.WithStoreAsync(parseResult, async store =>
            {
                var incidents = await store.ListIncidentsAsync(parseResult.GetValue(open), parsedLimit, cancellationToken).ConfigureAwait(false);
                var writer = parseResult.InvocationConfiguration.Output;
                if (parseResult.GetValue(output) == "json")
                {
                    foreach (var incident in incidents)
                    {
                        await writer.WriteLineAsync(JsonSerializer.Serialize(RunViews.Summary(incident), RunViews.Json)).ConfigureAwait(false);
                    }

                    return 0;
                }

                TablePrinter.Print(
                    writer,
                    ["ID", "STATUS", "OPENED (UTC)", "LAST ACTIVITY (UTC)", "RUNS", "EVENTS", "HOSTS / IPS", "TITLE"],
                    [.. incidents.Select(RunViews.Summary).Select(i => new[]
                    {
                        i.Id, i.Status, RunsCommand.Time(i.OpenedAt), RunsCommand.Time(i.LastActivity),
                        i.RunIds.Count.ToString(CultureInfo.InvariantCulture), i.EventCount.ToString(CultureInfo.InvariantCulture),
                        string.Join(", ", i.Hosts.Concat(i.Ips)), i.Title,
                    })]);
                return 0;
            }).ConfigureAwait(false);
        });

        command.Subcommands.Add(ShowCommand());
        command.Subcommands.Add(AckCommand());
        command.Subcommands.Add(ServiceClient.ChangeCommand("resolve", "Resolve an incident (through the running service); the next event about its hosts opens a new one.", "incident", "api/v1/incidents/{0}/resolve", Describe));
        return command;
    }

    /// <summary><c>orchestrator incidents ack ID</c> (also <c>orchestrator ack ID</c>): take an incident on, which stops its escalation.</summary>
    public static Command AckCommand(string name = "ack") =>
        ServiceClient.ChangeCommand(name, "Acknowledge an incident (through the running service): its escalation stops and its pages are acknowledged.", "incident", "api/v1/incidents/{0}/ack", DescribeAck);

    private static string DescribeAck(JsonElement incident) =>
        $"incident {incident.GetProperty("id").GetString()} is acknowledged by {incident.GetProperty("acknowledged_by").GetString()}";

    private static Command ShowCommand()
    {
        var id = new Argument<string>("ID") { Description = "The incident's id" };
        var output = RunsCommand.OutputOption();
        var command = new Command("show", "Show an incident: its hosts and addresses, its runs, its events and its audit trail.") { id, output };
        command.SetAction((parseResult, cancellationToken) => RunsCommand.WithStoreAsync(parseResult, async store =>
        {
            var incidentId = parseResult.GetValue(id)!;
            var incident = await RunViews.DetailAsync(store, await store.GetIncidentAsync(incidentId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (incident is null)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"no incident with id {incidentId} in this data directory (--data); list them with 'orchestrator incidents'").ConfigureAwait(false);
                return 1;
            }

            var writer = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(output) == "json")
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(incident, RunViews.Json)).ConfigureAwait(false);
                return 0;
            }

            await writer.WriteLineAsync($"incident {incident.Id}: {incident.Title}, {incident.Status}{(incident.ResolvedBy is { } by ? " by " + by : "")}").ConfigureAwait(false);
            await writer.WriteLineAsync($"  opened {RunsCommand.Time(incident.OpenedAt)} UTC, last activity {RunsCommand.Time(incident.LastActivity)} UTC").ConfigureAwait(false);
            await writer.WriteLineAsync($"  hosts: {string.Join(", ", incident.Hosts)}; addresses: {string.Join(", ", incident.Ips)}; events: {string.Join(", ", incident.EventIds)}").ConfigureAwait(false);
            if (incident.AcknowledgedBy is { } acknowledgedBy)
            {
                await writer.WriteLineAsync($"  acknowledged by {acknowledgedBy} at {RunsCommand.Time(incident.AcknowledgedAt!.Value)} UTC").ConfigureAwait(false);
            }

            foreach (var page in incident.Pages)
            {
                await writer.WriteLineAsync($"  paged {page.Target} at {RunsCommand.Time(page.At)} UTC (alert {page.DedupKey}{(page.Policy is { } policy ? $", level {page.Level} of {policy}" : "")})").ConfigureAwait(false);
            }
            await writer.WriteLineAsync().ConfigureAwait(false);
            TablePrinter.Print(
                writer,
                ["RUN", "PLAYBOOK", "STATUS", "CREATED (UTC)", "WAITING/ERROR"],
                [.. incident.Runs.Select(r => new[] { r.Id, r.PlaybookId, r.Status, RunsCommand.Time(r.CreatedAt), r.WaitingFor is { } w ? "step " + w : r.Error ?? "" })]);
            RunsCommand.PrintAudit(writer, incident.Audit);
            return 0;
        }));
        return command;
    }

    private static string Describe(JsonElement incident) =>
        $"incident {incident.GetProperty("id").GetString()} is now {incident.GetProperty("status").GetString()}";
}
