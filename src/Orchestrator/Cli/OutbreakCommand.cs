using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Configuration;
using Orchestrator.Core.Ingestion;
using Orchestrator.Detection;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator outbreak --since 1h</c>: the sources ranked by distinct victims and the infection
/// chain (A → B → C) of a period, from the stored detections in the data directory; <c>--format
/// mermaid|dot</c> for a diagram.
/// </summary>
public static class OutbreakCommand
{
    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = "From this long ago (1h, 24h) or this time (ISO 8601); default 1h" };
        var until = new Option<string?>("--until") { Description = "Until this long ago or this time; default now" };
        var format = new Option<string>("--format") { Description = "text, mermaid, dot or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong([.. OutbreakView.Formats]);
        var command = new Command("outbreak", "Show where infections came from: sources by distinct victims, and the infection chain.") { since, until, format };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = CliApp.LoadSettings(parseResult);
            if (settings is null)
            {
                return 2;
            }

            var errors = new List<string>();
            var options = DetectionOptions.Parse(settings.Config.Detection, errors);
            await using var provider = new ServiceCollection().AddLogging().AddOrchestratorCore(settings).BuildServiceProvider();
            var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            if (!OutbreakArguments.TryParse(parseResult.GetValue(since), parseResult.GetValue(until), parseResult.GetValue(format), "text", now, out var range, out var error))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("--" + error).ConfigureAwait(false);
                return 2;
            }

            var store = (SqliteEventStore)provider.GetRequiredService<IEventStore>();
            var view = await OutbreakView.BuildAsync(store, options.Outbreak, range.Since, range.Until, cancellationToken).ConfigureAwait(false);
            await parseResult.InvocationConfiguration.Output.WriteAsync(view.Render(range.Format)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
