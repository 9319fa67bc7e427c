using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Api;
using Orchestrator.Configuration;
using Orchestrator.Core.Ingestion;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator runs</c>: lists and shows runs from the data directory, and approves, denies or
/// cancels a run through the running service's API.
/// </summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var playbook = new Option<string?>("--playbook") { Description = "Only runs of this playbook id" };
        var status = new Option<string?>("--status") { Description = "Only runs in this status: running, waiting_approval, succeeded, failed, aborted, cancelled" };
        var limit = new Option<string?>("--limit") { Description = $"At most this many, newest first (default {RunViews.DefaultLimit})" };
        var output = OutputOption();
        var command = new Command("runs", "List playbook runs, newest first; show, approve, deny or cancel one.") { playbook, status, limit, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (!RunViews.TryParseRunFilter(parseResult.GetValue(status), parseResult.GetValue(limit), out var parsedStatus, out var parsedLimit, out var filterError))
            {
                await error.WriteLineAsync("--" + filterError).ConfigureAwait(false);
                return 2;
            }

            return await WithStoreAsync(parseResult, async store =>
            {
                var runs = await store.ListAsync(parseResult.GetValue(playbook), parsedStatus, parsedLimit, cancellationToken).ConfigureAwait(false);
                var writer = parseResult.InvocationConfiguration.Output;
                if (parseResult.GetValue(output) == "json")
                {
                    foreach (var run in runs)
                    {
                        await writer.WriteLineAsync(JsonSerializer.Serialize(RunViews.Summary(run), RunViews.Json)).ConfigureAwait(false);
                    }

                    return 0;
                }

                TablePrinter.Print(
                    writer,
                    ["ID", "PLAYBOOK", "STATUS", "CREATED (UTC)", "UPDATED (UTC)", "EVENT", "WAITING/ERROR"],
                    [.. runs.Select(RunViews.Summary).Select(r => new[]
                    {
                        r.Id, r.PlaybookId, r.Status + (r.DryRun ? " (dry run)" : ""), Time(r.CreatedAt), Time(r.UpdatedAt),
                        r.EventId?.ToString(CultureInfo.InvariantCulture) ?? "", r.WaitingFor is { } w ? "step " + w : r.Error ?? "",
                    })]);
                return 0;
            }).ConfigureAwait(false);
        });

        command.Subcommands.Add(ShowCommand());
        command.Subcommands.Add(ServiceClient.ChangeCommand("approve", "Approve what a run waits for (through the running service).", "run", "api/v1/runs/{0}/approve", Describe));
        command.Subcommands.Add(ServiceClient.ChangeCommand("deny", "Deny what a run waits for: the run is aborted (through the running service).", "run", "api/v1/runs/{0}/deny", Describe));
        command.Subcommands.Add(ServiceClient.ChangeCommand("cancel", "Cancel a run that has not finished (through the running service).", "run", "api/v1/runs/{0}/cancel", Describe));
        return command;
    }

    internal static Option<string> OutputOption()
    {
        var output = new Option<string>("--output") { Description = "table or json", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        return output;
    }

    /// <summary>Opens the run store of the data directory (read beside a running service: SQLite WAL) for <paramref name="read"/>.</summary>
    internal static Task<int> WithStoreAsync(ParseResult parseResult, Func<SqliteRunStore, Task<int>> read) =>
        WithDatabaseAsync(parseResult, (path, synchronous) => new SqliteRunStore(path, synchronous), read);

    /// <summary>Opens a store over the data directory's database with <paramref name="open"/> for <paramref name="read"/>; 2 when the config is wrong.</summary>
    internal static async Task<int> WithDatabaseAsync<TStore>(ParseResult parseResult, Func<string, SqliteSynchronous, TStore> open, Func<TStore, Task<int>> read)
        where TStore : IDisposable
    {
        var settings = CliApp.LoadSettings(parseResult);
        if (settings is null)
        {
            return 2;
        }

        await using var provider = new ServiceCollection().AddLogging().AddOrchestratorCore(settings).BuildServiceProvider();
        var events = (SqliteEventStore)provider.GetRequiredService<IEventStore>();
        using var store = open(events.DatabasePath, Synchronous(settings));
        return await read(store).ConfigureAwait(false);
    }

    internal static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static SqliteSynchronous Synchronous(AppSettings settings) =>
        settings.Config.Storage.Synchronous == "normal" ? SqliteSynchronous.Normal : SqliteSynchronous.Full;

    private static Command ShowCommand()
    {
        var id = new Argument<string>("ID") { Description = "The run's id" };
        var output = OutputOption();
        var command = new Command("show", "Show a run: each step's state, attempts, parameters, outputs, error and timings, and its audit trail.") { id, output };
        command.SetAction((parseResult, cancellationToken) => WithStoreAsync(parseResult, async store =>
        {
            var runId = parseResult.GetValue(id)!;
            var run = await RunViews.DetailAsync(store, runId, cancellationToken).ConfigureAwait(false);
            if (run is null)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"no run with id {runId} in this data directory (--data); list them with 'orchestrator runs'").ConfigureAwait(false);
                return 1;
            }

            var writer = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(output) == "json")
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(run, RunViews.Json)).ConfigureAwait(false);
                return 0;
            }

            PrintRun(writer, run);
            return 0;
        }));
        return command;
    }

    private static void PrintRun(TextWriter output, RunDetailView run)
    {
        output.WriteLine($"run {run.Id}: playbook {run.PlaybookId}, {run.Status}{(run.DryRun ? " (dry run)" : "")}");
        output.WriteLine($"  created {Time(run.CreatedAt)} UTC, updated {Time(run.UpdatedAt)} UTC, event {run.EventId?.ToString(CultureInfo.InvariantCulture) ?? "-"}, incident {run.IncidentId ?? "-"}");
        if (run.Waiting is { } wait)
        {
            output.WriteLine($"  waiting at step {wait.StepId} until {Time(wait.Deadline)} UTC (then {wait.Default}): {wait.Reason}");
        }

        if (run.Error is { } error)
        {
            output.WriteLine($"  error: {error}");
        }

        output.WriteLine();
        TablePrinter.Print(
            output,
            ["STEP", "TYPE", "PHASE", "STATUS", "ATTEMPTS", "STARTED (UTC)", "MS", "PARAMETERS / OUTPUTS / ERROR"],
            [.. run.Steps.Select(s => new[]
            {
                s.Id, s.Type, s.Phase, s.Status, s.Attempts.ToString(CultureInfo.InvariantCulture),
                s.StartedAt is { } started ? Time(started) : "", s.DurationMs is { } ms ? ms.ToString("0", CultureInfo.InvariantCulture) : "",
                string.Join("; ", new[]
                {
                    s.Parameters is { Count: > 0 } p ? "in " + JsonSerializer.Serialize(p, RunViews.Json) : null,
                    s.Outputs is { Count: > 0 } o ? "out " + JsonSerializer.Serialize(o, RunViews.Json) : null,
                    s.Error is { } e ? "error " + e : null,
                    s.DecidedBy is { } by ? "by " + by : null,
                }.Where(x => x is not null)),
            })]);
        PrintAudit(output, run.Audit);
    }

    internal static void PrintAudit(TextWriter output, IReadOnlyList<AuditView> audit)
    {
        output.WriteLine();
        output.WriteLine("audit:");
        foreach (var entry in audit)
        {
            output.WriteLine($"  {Time(entry.At)}  {entry.Kind,-9} {entry.Text}{(entry.Actor is { } actor && !entry.Text.Contains(actor, StringComparison.Ordinal) ? " (" + actor + ")" : "")}");
        }
    }

    private static string Describe(JsonElement run)
    {
        var id = run.GetProperty("id").GetString();
        var status = run.GetProperty("status").GetString();
        var error = run.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? ": " + e.GetString() : "";
        return $"run {id} is now {status}{error}";
    }
}
