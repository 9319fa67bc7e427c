using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Api;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Reports;
using Orchestrator.Detection;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator report unknowns|pinpoint</c>: the first-seen reports, read from the data directory
/// (the service need not run; nothing is written).
/// </summary>
public static class ReportCommand
{
    private const string TimeForms = "ISO 8601 like 2015-12-12T10:00:00Z, or a duration ago like 2h";

    public static Command Create()
    {
        var command = new Command("report", "Reports from the stored events: the executables first seen on a day, and the hosts that ran unknown executables in a window.");
        command.Subcommands.Add(UnknownsCommand());
        command.Subcommands.Add(PinpointCommand());
        return command;
    }

    private static Command UnknownsCommand()
    {
        var day = new Option<string?>("--day") { Description = "The UTC calendar day, YYYY-MM-DD (00:00 to 24:00 UTC)" };
        var format = FormatOption();
        var command = new Command("unknowns", "The executables first seen in the fleet on one day, oldest first: hash, name, path, signer, hosts, allowlisted.") { day, format };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var dayText = parseResult.GetValue(day);
            if (string.IsNullOrEmpty(dayText))
            {
                await error.WriteLineAsync("--day: give the day to report, as YYYY-MM-DD (a UTC calendar day)").ConfigureAwait(false);
                return 2;
            }

            if (!DateOnly.TryParseExact(dayText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                await error.WriteLineAsync($"--day: '{dayText}' is not a date (YYYY-MM-DD)").ConfigureAwait(false);
                return 2;
            }

            if (await FormatProblemAsync(parseResult, format).ConfigureAwait(false) || Open(parseResult) is not { } opened)
            {
                return 2;
            }

            await using var provider = opened.Provider;
            var from = new DateTimeOffset(date, TimeOnly.MinValue, TimeSpan.Zero);
            return await PrintAsync(parseResult, format, opened, data => data.UnknownProcessesAsync(from, from.AddDays(1), cancellationToken)).ConfigureAwait(false);
        });
        return command;
    }

    private static Command PinpointCommand()
    {
        var from = new Option<string?>("--from") { Description = $"Start of the window ({TimeForms})" };
        var to = new Option<string?>("--to") { Description = $"End of the window, excluded ({TimeForms})" };
        var shareServer = new Option<string?>("--share-server")
        {
            Description = "Only the hosts that connected to this file server in the window: its IP, or its name as the connection events carry it",
        };
        var format = FormatOption();
        var command = new Command("pinpoint", "The hosts that ran an unknown executable in a window, most unknown executables first.") { from, to, shareServer, format };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var server = parseResult.GetValue(shareServer);
            if (server is not null && ShareServerClients.Problem(server) is { } problem)
            {
                await error.WriteLineAsync("--share-server: " + problem).ConfigureAwait(false);
                return 2;
            }

            if (await FormatProblemAsync(parseResult, format).ConfigureAwait(false) || Open(parseResult) is not { } opened)
            {
                return 2;
            }

            await using var provider = opened.Provider;
            var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            if (!TryWindow(parseResult.GetValue(from), parseResult.GetValue(to), now, out var window, out var windowProblem))
            {
                await error.WriteLineAsync(windowProblem).ConfigureAwait(false);
                return 2;
            }

            return await PrintAsync(parseResult, format, opened, data => data.PinpointAsync(window.From, window.To, server?.Trim(), cancellationToken)).ConfigureAwait(false);
        });
        return command;
    }

    private static Option<string> FormatOption() =>
        new("--format") { Description = $"{string.Join(", ", ReportFormats.All)} (csv is RFC 4180)", DefaultValueFactory = _ => ReportFormats.Table };

    // Checked here rather than with AcceptOnlyFromAmong so that a bad value exits 2 like every other bad input.
    private static async Task<bool> FormatProblemAsync(ParseResult parseResult, Option<string> format)
    {
        var value = parseResult.GetValue(format);
        if (ReportFormats.All.Contains(value))
        {
            return false;
        }

        await parseResult.InvocationConfiguration.Error.WriteLineAsync($"--format: '{value}' is not a report format ({string.Join(", ", ReportFormats.All)})").ConfigureAwait(false);
        return true;
    }

    private static bool TryWindow(string? from, string? to, DateTimeOffset now, out (DateTimeOffset From, DateTimeOffset To) window, out string problem)
    {
        window = default;
        if (!TryTime("--from", "start", from, now, out var start, out problem) || !TryTime("--to", "end", to, now, out var end, out problem))
        {
            return false;
        }

        if (end <= start)
        {
            problem = $"--to: '{to}' is not after --from '{from}'";
            return false;
        }

        window = (start, end);
        return true;
    }

    private static bool TryTime(string option, string what, string? text, DateTimeOffset now, out DateTimeOffset time, out string problem)
    {
        time = default;
        problem = "";
        if (string.IsNullOrEmpty(text))
        {
            problem = $"{option}: give the {what} of the window ({TimeForms})";
            return false;
        }

        if (!EventQueryArguments.TryTime(text, now, out var parsed) || parsed is not { } value)
        {
            problem = $"{option}: '{text}' is not a time ({TimeForms})";
            return false;
        }

        time = value;
        return true;
    }

    /// <summary>The settings, the detection options and the services over the data directory; null (after saying why) on a bad config.</summary>
    private static Opened? Open(ParseResult parseResult)
    {
        var settings = CliApp.LoadSettings(parseResult);
        if (settings is null)
        {
            return null;
        }

        var errors = new List<string>();
        var detection = DetectionOptions.Parse(settings.Config.Detection, errors);
        if (errors.Count > 0)
        {
            parseResult.InvocationConfiguration.Error.WriteLine(string.Join(Environment.NewLine, errors));
            return null;
        }

        return new Opened(new ServiceCollection().AddLogging().AddOrchestratorCore(settings).BuildServiceProvider(), detection);
    }

    /// <summary>Builds the report from the stored events and first-seen record, and prints it in the chosen format.</summary>
    private static async Task<int> PrintAsync(ParseResult parseResult, Option<string> format, Opened opened, Func<ReportData, ValueTask<ReportTable>> build)
    {
        var events = (SqliteEventStore)opened.Provider.GetRequiredService<IEventStore>();
        using var firstSeen = new SqliteFirstSeenStore(events);
        var report = await build(ReportData.FromStore(events, firstSeen, opened.Detection.FirstSeen)).ConfigureAwait(false);
        await parseResult.InvocationConfiguration.Output.WriteAsync(ReportFormats.Render(report, parseResult.GetValue(format)!)).ConfigureAwait(false);
        return 0;
    }

    private sealed record Opened(ServiceProvider Provider, DetectionOptions Detection);
}
