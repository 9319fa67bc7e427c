using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Api;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator events</c>: reads stored events with the same filters as <c>GET /api/v1/events</c>.</summary>
public static class EventsCommand
{
    public static Command Create()
    {
        var kind = new Option<string?>("--kind") { Description = $"Orchestrator kind: {string.Join(", ", EventKinds.All)}" };
        var host = new Option<string?>("--host") { Description = "host.name (any case) or host.ip" };
        var sourceIp = new Option<string?>("--source-ip") { Description = "source.ip" };
        var from = new Option<string?>("--from") { Description = "From this time (ISO 8601) or this long ago (1h, 7d)" };
        var to = new Option<string?>("--to") { Description = "Until this time (ISO 8601) or this long ago" };
        var limit = new Option<string?>("--limit") { Description = $"At most this many, newest first (default {EventQuery.DefaultLimit})" };
        var output = new Option<string>("--output") { Description = "table, or json (one nested ECS event per line)", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("events", "List stored events, newest first.") { kind, host, sourceIp, from, to, limit, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = CliApp.LoadSettings(parseResult);
            if (settings is null)
            {
                return 2;
            }

            await using var provider = new ServiceCollection().AddLogging().AddOrchestratorCore(settings).BuildServiceProvider();
            var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            if (!EventQueryArguments.TryCreate(parseResult.GetValue(kind), parseResult.GetValue(host), parseResult.GetValue(sourceIp), parseResult.GetValue(from), parseResult.GetValue(to), parseResult.GetValue(limit), now, out var query, out var error))
            {
                // The shared messages name the API's query parameter ("source_ip: ..."); name the option instead.
                var colon = error.IndexOf(':', StringComparison.Ordinal);
                await Console.Error.WriteLineAsync("--" + error[..colon].Replace('_', '-') + error[colon..]).ConfigureAwait(false);
                return 2;
            }

            var events = await provider.GetRequiredService<IEventStore>().QueryAsync(query, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(output) == "json")
            {
                foreach (var evt in events)
                {
                    Console.WriteLine(SecurityEventJson.Serialize(evt));
                }
            }
            else
            {
                PrintTable(events);
            }

            return 0;
        });
        return command;
    }

    private static void PrintTable(IReadOnlyList<SecurityEvent> events)
    {
        var rows = events.Select(e => new[]
        {
            e.Id.ToString(CultureInfo.InvariantCulture),
            e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            e.Kind,
            e.Format,
            e.HostName ?? e.HostIp?.ToString() ?? "",
            e.SourceIp?.ToString() ?? e.SourceName ?? "",
            e.RuleName ?? e.ProcessName ?? e.EventAction ?? "",
        }).ToList();
        TablePrinter.Print(["ID", "TIME (UTC)", "KIND", "FORMAT", "HOST", "SOURCE", "RULE/PROCESS/ACTION"], rows);
    }
}
