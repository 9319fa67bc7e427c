using System.Collections;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Events;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Rules;
using Orchestrator.Core.Runs;

namespace Orchestrator.Cli;

/// <summary>How <c>orchestrator test</c> and <c>replay</c> print verdicts and simulated runs: as text for a person, or as JSON objects, one a line.</summary>
internal static class SimulationOutput
{
    private const string Indent = "    ";

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFK", CultureInfo.InvariantCulture);

    /// <summary>One line that says which event this is.</summary>
    public static string Describe(SecurityEvent evt, int? line)
    {
        var parts = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"event {evt.Id}{(line is { } l ? $" (line {l})" : "")}: {evt.Kind} at {Time(evt.Timestamp)}"),
        };
        if ((evt.HostName ?? evt.HostIp?.ToString()) is { } host)
        {
            parts.Add("host " + host);
        }

        if ((evt.SourceIp?.ToString() ?? evt.SourceName) is { } source)
        {
            parts.Add("source " + source);
        }

        if ((evt.RuleName ?? evt.ProcessName) is { } what)
        {
            parts.Add(what);
        }

        return string.Join(", ", parts);
    }

    public static void WriteVerdict(TextWriter output, PlaybookVerdict verdict)
    {
        var evaluation = verdict.Evaluation;
        output.WriteLine($"  {verdict.Playbook.Id}: {(verdict.Fired ? "MATCH" : "no match")}: {evaluation.Reason}");
        if (verdict.When is { } when)
        {
            output.WriteLine($"{Indent}why: {when}");
        }

        if (verdict.Run is { } run)
        {
            WriteRun(output, run, Indent);
        }
    }

    public static void WriteRun(TextWriter output, SimulatedRun run, string indent)
    {
        var window = run.Decision.Window;
        var values = window.DistinctValues.Count > 0 ? " (" + string.Join(", ", window.DistinctValues.Take(10)) + (window.DistinctValues.Count > 10 ? ", ..." : "") + ")" : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{indent}window: {window.Count} event(s), {window.DistinctCount} distinct{values}, {Time(window.First)} to {Time(window.Last)}"));
        var mode = run.Decision.Mode == RuleMode.DryRun ? "; the playbook's mode is dry-run, so live runs only simulate too" : "";
        output.WriteLine($"{indent}steps that would run (simulated: no connector was called{mode}):");
        WriteSteps(output, run.Steps, indent + "  ");
        if (run.OnFailure.Count > 0)
        {
            output.WriteLine($"{indent}on_failure (when a step fails):");
            WriteSteps(output, run.OnFailure, indent + "  ");
        }
    }

    private static void WriteSteps(TextWriter output, IReadOnlyList<SimulatedStep> steps, string indent)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var simulated = steps[i];
            var step = simulated.Step;
            var head = string.Create(CultureInfo.InvariantCulture, $"{indent}{i + 1}. {step.Id} ({step.Type})");
            if (simulated.If is { } condition)
            {
                head += $" if {condition}: {(simulated.Runs ? "true" : "false, skipped")}";
            }

            if (step.Approval is { } gate)
            {
                head += $": waits for approval up to {Durations.Format(gate.Timeout)}, then {(gate.Default == ApprovalDefault.Proceed ? "proceeds" : "aborts")} (approved here to show what follows)";
            }

            var options = new List<string>();
            if (step.Retry.Attempts > 1)
            {
                options.Add(string.Create(CultureInfo.InvariantCulture, $"{step.Retry.Attempts} attempts"));
            }

            if (step.Timeout is { } timeout)
            {
                options.Add("timeout " + Durations.Format(timeout));
            }

            if (step.ContinueOnError)
            {
                options.Add("continue_on_error");
            }

            output.WriteLine(options.Count > 0 ? $"{head} [{string.Join(", ", options)}]" : head);
            if (simulated.Error is { } error)
            {
                output.WriteLine($"{indent}     error: {error}");
            }

            foreach (var (name, value) in simulated.Parameters ?? new Dictionary<string, object?>())
            {
                output.WriteLine($"{indent}     {name}: {Text(value)}");
            }
        }
    }

    /// <summary>A rendered parameter as a person reads it: text as is, lists in brackets, maps in braces.</summary>
    public static string Text(object? value) => value switch
    {
        null => "null",
        string s => s,
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{k}: {Text(map[k])}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Text)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static void WriteVerdictJson(Utf8JsonWriter json, PlaybookVerdict verdict)
    {
        json.WriteStartObject();
        json.WriteString("playbook", verdict.Playbook.Id);
        json.WriteBoolean("matched", verdict.Fired);
        json.WriteString("outcome", JsonNamingPolicy.SnakeCaseLower.ConvertName(verdict.Evaluation.Outcome.ToString()));
        json.WriteString("reason", verdict.Evaluation.Reason);
        if (verdict.Evaluation.ThrottledUntil is { } until)
        {
            json.WriteString("throttled_until", Time(until));
        }

        if (verdict.When is { } when)
        {
            json.WriteStartObject("when");
            json.WriteString("condition", when.Source);
            json.WriteBoolean("result", when.Result);
            json.WriteStartArray("clauses");
            foreach (var clause in when.Clauses)
            {
                json.WriteStartObject();
                json.WriteString("text", clause.Text);
                json.WriteBoolean("result", clause.Result);
                json.WriteString("values", clause.Values);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        if (verdict.Run is { } run)
        {
            json.WritePropertyName("run");
            WriteRunJson(json, run);
        }

        json.WriteEndObject();
    }

    public static void WriteRunJson(Utf8JsonWriter json, SimulatedRun run)
    {
        json.WriteStartObject();
        json.WriteString("playbook", run.Decision.RuleId);
        json.WriteString("group", run.Decision.GroupKey.Replace(RulesEngine.GroupKeySeparator, ' '));
        json.WriteString("mode", run.Decision.Mode == RuleMode.DryRun ? "dry-run" : "enforce");
        json.WriteNumber("event", run.Decision.Event.Id);
        json.WriteString("time", Time(run.Decision.Event.Timestamp));
        json.WritePropertyName("window");
        JsonSerializer.Serialize(json, run.Window);
        WriteStepsJson(json, "steps", run.Steps);
        WriteStepsJson(json, "on_failure", run.OnFailure);
        json.WriteEndObject();
    }

    private static void WriteStepsJson(Utf8JsonWriter json, string name, IReadOnlyList<SimulatedStep> steps)
    {
        json.WriteStartArray(name);
        foreach (var simulated in steps)
        {
            var step = simulated.Step;
            json.WriteStartObject();
            json.WriteString("id", step.Id);
            json.WriteString("type", step.Type);
            if (simulated.If is { } condition)
            {
                json.WriteString("if", condition);
            }

            json.WriteBoolean("runs", simulated.Runs);
            if (step.Approval is { } gate)
            {
                json.WriteStartObject("approval");
                json.WriteString("timeout", Durations.Format(gate.Timeout));
                json.WriteString("default", gate.Default == ApprovalDefault.Proceed ? "proceed" : "abort");
                json.WriteEndObject();
            }

            json.WriteNumber("attempts", step.Retry.Attempts);
            if (simulated.Error is { } error)
            {
                json.WriteString("error", error);
            }

            if (simulated.Parameters is { } parameters)
            {
                json.WritePropertyName("parameters");
                JsonSerializer.Serialize(json, parameters);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
