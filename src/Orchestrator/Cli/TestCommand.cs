using System.CommandLine;
using Orchestrator.Configuration;
using Orchestrator.Core.Detection;
using Orchestrator.Detection;
using System.Text.Json;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator test PLAYBOOK --event FILE</c>: feeds sample events through a rules engine holding
/// only that playbook and prints, per event, match or no match and why, and the steps that would run.
/// Exit code 0 when the test ran, 1 when <c>--expect</c> was not met, 2 on bad input.
/// </summary>
public static class TestCommand
{
    public const string Match = "match";
    public const string NoMatch = "no-match";

    public static Command Create()
    {
        var playbook = new Argument<string>("PLAYBOOK") { Description = "A playbook file (its folder gives inventory.yaml), or a playbook id found in --playbooks" };
        var eventFile = new Option<string>("--event")
        {
            Description = "Sample events: ECS JSON (an object, an array, or one per line) or raw log lines in any known format",
            Required = true,
        };
        var playbooks = new Option<string>("--playbooks")
        {
            Description = "The playbook folder, when PLAYBOOK is an id",
            DefaultValueFactory = _ => ValidateCommand.DefaultDirectory,
        };
        var output = new Option<string>("--output") { Description = "text, or json (one object per event)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var expect = new Option<string?>("--expect") { Description = "match: some event makes the playbook fire; no-match: none does. Exit code 1 otherwise" };
        expect.AcceptOnlyFromAmong(Match, NoMatch);
        var command = new Command("test", "Show whether sample events make a playbook fire, why, and the steps it would run (nothing is run).")
        {
            playbook, eventFile, playbooks, output, expect,
        };
        command.SetAction(parseResult =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var selected = Load(parseResult.GetValue(playbook)!, parseResult.GetValue(playbooks)!, stderr);
            if (selected is null)
            {
                return 2;
            }

            var events = EventFile.Read(parseResult.GetValue(eventFile)!, ParserRegistry.CreateDefault(), TimeProvider.System.GetUtcNow());
            foreach (var error in events.Errors)
            {
                stderr.WriteLine(error.ToString());
            }

            if (events.Errors.Count > 0)
            {
                return 2;
            }

            if (events.Events.Count == 0)
            {
                stderr.WriteLine($"{parseResult.GetValue(eventFile)}: no events in the file");
                return 2;
            }

            var simulator = new PlaybookSimulator(selected.Value.Playbooks, selected.Value.Inventory);
            var matched = parseResult.GetValue(output) == "json"
                ? RunJson(simulator, events, stdout)
                : RunText(simulator, events, stdout);
            return parseResult.GetValue(expect) switch
            {
                Match when !matched => Fail(stderr, "expected a match, but no event made the playbook fire"),
                NoMatch when matched => Fail(stderr, "expected no match, but an event made the playbook fire"),
                _ => 0,
            };
        });
        return command;
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        return 1;
    }

    private static bool RunText(PlaybookSimulator simulator, EventFileContents events, TextWriter stdout)
    {
        var matched = false;
        var fired = 0;
        foreach (var entry in WithDerived(events))
        {
            stdout.WriteLine(SimulationOutput.Describe(entry.Event, entry.Line) + (entry.DerivedFrom is { } from ? $", derived from event {from}" : ""));
            foreach (var verdict in simulator.Evaluate(entry.Event))
            {
                SimulationOutput.WriteVerdict(stdout, verdict);
                matched |= verdict.Fired;
                fired += verdict.Fired ? 1 : 0;
            }
        }

        stdout.WriteLine($"{events.Events.Count} event(s), {fired} match(es)");
        return matched;
    }

    /// <summary>
    /// The file's events in order, each followed by what the detectors (default settings, an empty
    /// first-seen record) derive from it, as the service would store them: a detection is traced through the
    /// connections before it in the file, a process start of a new executable is <c>process.unknown</c>.
    /// </summary>
    private static IEnumerable<(SecurityEvent Event, int? Line, long? DerivedFrom)> WithDerived(EventFileContents events)
    {
        var errors = new List<string>();
        var options = DetectionOptions.Parse(new DetectionConfig(), errors);
        var detectors = options.CreateInMemory();
        var nextId = events.Events.Count == 0 ? 1 : events.Events.Max(e => e.Event.Id) + 1;
        var derived = new List<DerivedEvent>();
        foreach (var entry in events.Events)
        {
            yield return (entry.Event, entry.Line, null);
            derived.Clear();
            detectors.Process(entry.Event, derived);
            foreach (var item in derived)
            {
                item.Event.Id = nextId++;
                yield return (item.Event, null, DerivedEvents.DerivedFrom(item.Event) ?? entry.Event.Id);
            }
        }

        // The file has ended: detections still waiting for late connections are traced with what came.
        derived.Clear();
        detectors.Flush(derived);
        foreach (var item in derived)
        {
            item.Event.Id = nextId++;
            yield return (item.Event, null, DerivedEvents.DerivedFrom(item.Event));
        }
    }

    private static bool RunJson(PlaybookSimulator simulator, EventFileContents events, TextWriter stdout)
    {
        var matched = false;
        foreach (var entry in WithDerived(events))
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer, SecurityEventJson.ReadableOutput))
            {
                json.WriteStartObject();
                json.WriteNumber("event", entry.Event.Id);
                if (entry.Line is { } line)
                {
                    json.WriteNumber("line", line);
                }

                if (entry.DerivedFrom is { } from)
                {
                    json.WriteNumber("derived_from", from);
                }

                json.WriteString("kind", entry.Event.Kind);
                json.WriteString("time", SimulationOutput.Time(entry.Event.Timestamp));
                json.WriteStartArray("playbooks");
                foreach (var verdict in simulator.Evaluate(entry.Event))
                {
                    SimulationOutput.WriteVerdictJson(json, verdict);
                    matched |= verdict.Fired;
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }

        return matched;
    }

    /// <summary>The playbooks to test and their inventory; null after printing why there are none.</summary>
    private static (IReadOnlyList<Playbook> Playbooks, Inventory Inventory)? Load(string playbook, string directory, TextWriter stderr)
    {
        if (File.Exists(playbook))
        {
            // Only this file (and the inventory beside it): an error elsewhere in the folder does not stop its test.
            var path = Path.GetFullPath(playbook);
            var inventoryPath = Path.Combine(Path.GetDirectoryName(path)!, Inventory.FileName);
            var inventory = File.Exists(inventoryPath) && inventoryPath != path ? new PlaybookSource(inventoryPath, File.ReadAllText(inventoryPath)) : null;
            var set = PlaybookLoader.Load([new PlaybookSource(path, File.ReadAllText(path))], inventory, PlaybookSetup.LoaderOptions);
            if (!set.IsValid || set.Playbooks.Count == 0)
            {
                foreach (var error in set.Errors)
                {
                    stderr.WriteLine(error.ToString());
                }

                stderr.WriteLine(set.IsValid ? $"{path}: no playbook in the file" : $"{path}: fix the errors above (orchestrator validate shows them all)");
                return null;
            }

            return (set.Playbooks, set.Inventory);
        }

        var folder = PlaybookLoader.LoadDirectory(directory, PlaybookSetup.LoaderOptions);
        var found = folder.Playbooks.FirstOrDefault(p => p.Id == playbook);
        var own = found is null ? folder.Errors : folder.Errors.Where(e => e.File == found.Location.File || Path.GetFileName(e.File) == Inventory.FileName).ToList();
        foreach (var error in own)
        {
            stderr.WriteLine(error.ToString());
        }

        if (found is null)
        {
            var known = folder.Playbooks.Count == 0 ? "none loaded" : "known: " + string.Join(", ", folder.Playbooks.Select(p => p.Id));
            stderr.WriteLine($"{playbook}: neither a playbook file nor a playbook id in {directory} ({known})");
            return null;
        }

        if (own.Count > 0)
        {
            stderr.WriteLine($"{found.Location.File}: fix the errors above (orchestrator validate shows them all)");
            return null;
        }

        return ([found], folder.Inventory);
    }
}
