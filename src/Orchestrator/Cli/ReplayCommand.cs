using System.CommandLine;
using Orchestrator.Core.Detection;
using Orchestrator.Detection;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Api;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Playbooks;
using Orchestrator.Ingestion;
using Orchestrator.Response;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator replay --from T --to T</c>: a backtest. Reads the stored events of a time range in
/// id order, runs them through all playbooks with every step simulated, and prints each decision and
/// a summary. It only reads the store: no run, decision or engine state is written.
/// </summary>
public static class ReplayCommand
{
    private const int ReadBatch = 8_192;

    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "From this event time (ISO 8601) or this long ago (-24h, 7d)", Required = true };
        var to = new Option<string?>("--to") { Description = "Until this event time, exclusive (ISO 8601) or this long ago. Default: now" };
        var playbooks = new Option<string?>("--playbooks") { Description = "The playbook folder. Default: response.playbooks from the config file" };
        var output = new Option<string>("--output") { Description = "text, or json (one object per decision, then a summary)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var command = new Command("replay", "Run stored events of a time range through the playbooks with every action simulated, and print the decisions.")
        {
            from, to, playbooks, output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var settings = CliApp.LoadSettings(parseResult);
            if (settings is null)
            {
                return 2;
            }

            var now = TimeProvider.System.GetUtcNow();
            if (!EventQueryArguments.TryTime(parseResult.GetValue(from), now, out var fromTime) || fromTime is null)
            {
                await stderr.WriteLineAsync($"--from: '{parseResult.GetValue(from)}' is not a time (ISO 8601 like 2026-11-23T10:00:00Z, or a duration ago like -24h)").ConfigureAwait(false);
                return 2;
            }

            if (!EventQueryArguments.TryTime(parseResult.GetValue(to), now, out var toTime))
            {
                await stderr.WriteLineAsync($"--to: '{parseResult.GetValue(to)}' is not a time (ISO 8601 like 2026-11-23T10:00:00Z, or a duration ago like -1h)").ConfigureAwait(false);
                return 2;
            }

            var range = (From: fromTime.Value, To: toTime ?? now);
            var directory = parseResult.GetValue(playbooks) ?? settings.Config.Response.Playbooks;
            var set = PlaybookLoader.LoadDirectory(directory, PlaybookSetup.LoaderOptions);
            if (!set.IsValid)
            {
                foreach (var error in set.Errors)
                {
                    await stderr.WriteLineAsync(error.ToString()).ConfigureAwait(false);
                }

                await stderr.WriteLineAsync($"{directory}: fix the playbook errors above before a replay (orchestrator validate shows them)").ConfigureAwait(false);
                return 2;
            }

            // Opening a missing store would create an empty one: a replay must not write anything.
            var database = Path.Combine(settings.DataDirectory, SqliteEventStore.FileName);
            if (!File.Exists(database))
            {
                await stderr.WriteLineAsync($"{database}: no event store here; check --data or the config's data directory").ConfigureAwait(false);
                return 2;
            }

            var store = StoreFactory.Open(settings, ParserRegistry.CreateDefault());
            await using (store.ConfigureAwait(false))
            {
                var detectionErrors = new List<string>();
                var detection = DetectionOptions.Parse(settings.Config.Detection, detectionErrors);
                var detectors = detection.CreateInMemory();
                var summary = await ReplayAsync(store, new PlaybookSimulator(set.Playbooks, set.Inventory), detectors, range, parseResult.GetValue(output) == "json", stdout, cancellationToken).ConfigureAwait(false);
                return summary;
            }
        });
        return command;
    }

    // The stored derived events are what the detectors made with the settings of the time; a replay derives
    // them afresh (an empty first-seen record, the configured windows) so it shows what today's settings decide.
    private static async Task<int> ReplayAsync(Core.Ingestion.IEventStore store, PlaybookSimulator simulator, Detectors detectors, (DateTimeOffset From, DateTimeOffset To) range, bool json, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (store is not Core.Rules.IEventReplaySource source)
        {
            throw new InvalidOperationException("the configured event store cannot be read in id order");
        }

        var perPlaybook = simulator.Playbooks.ToDictionary(p => p.Id, _ => 0, StringComparer.Ordinal);
        long read = 0;
        long after = 0;
        var derived = new List<DerivedEvent>();
        while (true)
        {
            var batch = await source.ReadAfterAsync(after, ReadBatch, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            after = batch[^1].Id;
            foreach (var evt in batch)
            {
                if (evt.Timestamp < range.From || evt.Timestamp >= range.To)
                {
                    continue;
                }

                if (Detectors.IsDerived(evt))
                {
                    continue;
                }

                read++;
                derived.Clear();
                detectors.Process(evt, derived);
                Decide(derived.Select(d => d.Event).Prepend(evt));
            }
        }

        // The range has ended: detections still waiting for late connections are traced with what came.
        derived.Clear();
        detectors.Flush(derived);
        Decide(derived.Select(d => d.Event));

        // Each decision is shown under the stored event that led to it: a derived event under the one it came from.
        void Decide(IEnumerable<SecurityEvent> events)
        {
            foreach (var run in events.SelectMany(simulator.Decide))
            {
                perPlaybook[run.Decision.RuleId]++;
                if (json)
                {
                    stdout.WriteLine(Json(w => SimulationOutput.WriteRunJson(w, run)));
                }
                else
                {
                    var decided = run.Decision.Event;
                    var id = DerivedEvents.DerivedFrom(decided) ?? decided.Id;
                    stdout.WriteLine($"{SimulationOutput.Time(decided.Timestamp)} event {id.ToString(CultureInfo.InvariantCulture)}: {ResponseService.Explain(run.Decision)}");
                    SimulationOutput.WriteRun(stdout, run, "    ");
                }
            }
        }

        var decisions = perPlaybook.Values.Sum();
        if (json)
        {
            stdout.WriteLine(Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("summary");
                w.WriteString("from", SimulationOutput.Time(range.From));
                w.WriteString("to", SimulationOutput.Time(range.To));
                w.WriteNumber("events", read);
                w.WriteNumber("decisions", decisions);
                w.WriteStartObject("per_playbook");
                foreach (var (id, count) in perPlaybook)
                {
                    w.WriteNumber(id, count);
                }

                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }));
        }
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"replay {SimulationOutput.Time(range.From)} to {SimulationOutput.Time(range.To)}: {read} event(s) read, {decisions} decision(s), every action simulated"));
            foreach (var (id, count) in perPlaybook)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {id}: {count}"));
            }
        }

        return 0;
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, SecurityEventJson.ReadableOutput))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
