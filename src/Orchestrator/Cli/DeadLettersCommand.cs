using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Api;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator dead-letters</c>: shows input no parser accepted, with the reason.</summary>
public static class DeadLettersCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--output") { Description = "table or json", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("dead-letters", "List input that was kept because no parser accepted it.") { limit, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = CliApp.LoadSettings(parseResult);
            if (settings is null)
            {
                return 2;
            }

            await using var provider = new ServiceCollection().AddLogging().AddOrchestratorCore(settings).BuildServiceProvider();
            var letters = await provider.GetRequiredService<IEventStore>().QueryDeadLettersAsync(Math.Clamp(parseResult.GetValue(limit), 1, 100_000), cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(output) == "json")
            {
                foreach (var letter in letters)
                {
                    Console.WriteLine(JsonSerializer.Serialize(DeadLetterView.From(letter), Json));
                }

                return 0;
            }

            TablePrinter.Print(
                ["ID", "RECEIVED (UTC)", "LISTENER", "REASON", "RAW"],
                [.. letters.Select(l => new[]
                {
                    l.Id.ToString(CultureInfo.InvariantCulture),
                    l.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    l.Listener,
                    l.Reason,
                    Preview(l.Raw),
                })]);
            return 0;
        });
        return command;
    }

    private static string Preview(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw, 0, Math.Min(raw.Length, 60)).ReplaceLineEndings(" ");
        return raw.Length > 60 ? text + "…" : text;
    }
}
