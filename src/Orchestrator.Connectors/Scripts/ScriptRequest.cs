using System.Globalization;
using Orchestrator.Core.Configuration;
using static Orchestrator.Core.Runs.StepParameters;

namespace Orchestrator.Connectors.Scripts;

/// <summary>The rendered parameters of one <c>script</c> step, checked: what to run and with which limits.</summary>
internal sealed record ScriptRequest(
    string Program,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    TimeSpan? Timeout,
    int MaxOutputBytes,
    string? Stdin,
    IReadOnlySet<int> SuccessCodes)
{
    /// <summary>The request, or null with a reason a person can act on.</summary>
    public static ScriptRequest? Read(IReadOnlyDictionary<string, object?> parameters, ScriptOptions options, out string error)
    {
        error = "";
        var programText = Text(parameters, "program");
        if (string.IsNullOrEmpty(programText))
        {
            error = "program is missing; give the absolute path of the program to run";
            return null;
        }

        if (ProgramPaths.Resolve(programText, options.AllowedDirectories, out error) is not { } program)
        {
            return null;
        }

        var arguments = Texts(parameters, "args");
        if (arguments.FindIndex(a => a.Contains('\0', StringComparison.Ordinal)) is var nul and >= 0)
        {
            error = $"args[{nul}] contains a NUL character, which no program can receive";
            return null;
        }

        if (ReadEnvironment(parameters, out error) is not { } environment)
        {
            return null;
        }

        var workingDirectory = Text(parameters, "workdir") ?? Path.GetDirectoryName(program) ?? "/";
        if (!Path.IsPathFullyQualified(workingDirectory) || !Directory.Exists(workingDirectory))
        {
            error = $"workdir '{workingDirectory}' is not an absolute path to an existing directory";
            return null;
        }

        TimeSpan? timeout = null;
        if (Text(parameters, "timeout") is { } timeoutText)
        {
            if (!Durations.TryParse(timeoutText, out var parsed) || parsed <= TimeSpan.Zero)
            {
                error = $"timeout '{timeoutText}' is not a positive duration such as 30s or 5m";
                return null;
            }

            timeout = parsed;
        }

        var maxOutput = options.MaxOutputBytes;
        if (Text(parameters, "max_output") is { } maxText
            && (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out maxOutput) || maxOutput > options.MaxOutputBytesLimit))
        {
            error = $"max_output '{maxText}' is not a number of bytes between 0 and {options.MaxOutputBytesLimit} (scripts.max_output_limit)";
            return null;
        }

        var successCodes = new HashSet<int>();
        foreach (var code in parameters.ContainsKey("success_codes") ? Texts(parameters, "success_codes") : ["0"])
        {
            if (!int.TryParse(code, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                error = $"success_codes entry '{code}' is not a whole number";
                return null;
            }

            successCodes.Add(parsed);
        }

        return new ScriptRequest(program, arguments, environment, workingDirectory, timeout, maxOutput, Text(parameters, "stdin"), successCodes);
    }

    private static Dictionary<string, string>? ReadEnvironment(IReadOnlyDictionary<string, object?> parameters, out string error)
    {
        error = "";
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!parameters.TryGetValue(ScriptStep.EnvParameter, out var value) || value is null)
        {
            return environment;
        }

        if (value is not IReadOnlyDictionary<string, object?> map)
        {
            error = "env must be a map of NAME: value";
            return null;
        }

        foreach (var (name, item) in map)
        {
            if (!ScriptEnvironment.IsValidName(name))
            {
                error = $"env name '{name}' is not a variable name: letters, digits and '_', not starting with a digit";
                return null;
            }

            if (ScriptEnvironment.IsReserved(name))
            {
                error = $"env name '{name}' is reserved: the step sets the {ScriptEnvironment.ReservedPrefix}* variables itself";
                return null;
            }

            var text = Convert.ToString(item, CultureInfo.InvariantCulture) ?? "";
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                // The value may be a secret: name the variable only.
                error = $"env {name} contains a NUL character, which no program can receive";
                return null;
            }

            environment[name] = text;
        }

        return environment;
    }

    // One value or a list of them; a null item is an empty string.
    private static List<string> Texts(IReadOnlyDictionary<string, object?> parameters, string name) =>
        parameters.GetValueOrDefault(name) switch
        {
            null => [],
            string one => [one],
            IEnumerable<object?> many => [.. many.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "")],
            var other => [Convert.ToString(other, CultureInfo.InvariantCulture) ?? ""],
        };
}
