using System.Buffers;
using System.Globalization;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Scripts;

/// <summary>
/// The environment a script runs with. It starts empty — the service's own environment may hold
/// secrets — and gets PATH, HOME and LANG, the variables the options pass on, the run and event
/// context as <c>ORCH_*</c>, and last the step's <c>env</c>.
/// </summary>
internal static class ScriptEnvironment
{
    /// <summary>The prefix of the variables the step sets itself; a playbook may not set them.</summary>
    public const string ReservedPrefix = "ORCH_";

    public const string EventJsonFile = "ORCH_EVENT_JSON_FILE";

    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    /// <summary>True for <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && !name.AsSpan(1).ContainsAnyExcept(NameCharacters);

    public static bool IsReserved(string name) => name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Everything but <paramref name="stepEnvironment"/> and the event file, which the caller adds.</summary>
    public static Dictionary<string, string> Build(ScriptOptions options, StepContext context, IReadOnlyDictionary<string, string> stepEnvironment)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = options.SearchPath,
            ["HOME"] = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : "/",
            ["LANG"] = "C.UTF-8",
        };
        foreach (var name in options.PassEnvironment)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        environment["ORCH_RUN_ID"] = context.RunId;
        environment["ORCH_PLAYBOOK_ID"] = context.PlaybookId;
        environment["ORCH_STEP_ID"] = context.StepId;
        environment["ORCH_ATTEMPT"] = context.Attempt.ToString(CultureInfo.InvariantCulture);
        environment["ORCH_DRY_RUN"] = context.DryRun ? "true" : "false";
        environment["ORCH_IDEMPOTENCY_KEY"] = context.IdempotencyKey;
        if (context.Event is { } evt)
        {
            AddWhenSet(environment, "ORCH_EVENT_ID", evt.Id != 0 ? evt.Id.ToString(CultureInfo.InvariantCulture) : null);
            AddWhenSet(environment, "ORCH_EVENT_KIND", evt.Kind);
            AddWhenSet(environment, "ORCH_HOST_NAME", evt.HostName);
            AddWhenSet(environment, "ORCH_SOURCE_IP", evt.SourceIp?.ToString());
            AddWhenSet(environment, "ORCH_DESTINATION_IP", evt.DestinationIp?.ToString());
            AddWhenSet(environment, "ORCH_USER_NAME", evt.UserName);
        }

        foreach (var (name, value) in stepEnvironment)
        {
            environment[name] = value;
        }

        return environment;
    }

    // A NUL cannot cross exec(); an event value holding one is left out rather than cut short.
    private static void AddWhenSet(Dictionary<string, string> environment, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value) && !value.Contains('\0', StringComparison.Ordinal))
        {
            environment[name] = value;
        }
    }
}
