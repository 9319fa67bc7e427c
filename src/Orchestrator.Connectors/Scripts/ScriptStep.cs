using System.ComponentModel;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Events;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Scripts;

/// <summary>
/// The <c>script</c> step: runs a program an admin wrote, with the event and run as JSON on stdin and
/// as <c>ORCH_*</c> variables in a clean environment, in a process group of its own that is killed
/// whole on timeout or cancellation. Succeeds when the exit code is in <c>success_codes</c>; the
/// outputs are <c>exit_code</c>, <c>stdout</c>, <c>stderr</c>, <c>truncated</c>, <c>duration_ms</c>
/// and, when stdout is one JSON object, its members (the fixed keys win over members of the same name).
/// </summary>
public sealed partial class ScriptStep : IActionConnector
{
    public const string Name = "script";

    internal const string EnvParameter = "env";

    private readonly ScriptOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ScriptStep> _logger;

    public ScriptStep(ScriptOptions options, TimeProvider timeProvider, ILogger<ScriptStep> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The parameters of the step, for the playbook validator.</summary>
    public static StepDefinition Definition { get; } = new(
        Name,
        "Run a program (no shell) with the event as JSON on stdin; JSON it prints becomes the step's outputs.",
        [
            new("program", KeyShape.Text, "Absolute path of the program; it must lie in scripts.allowed_dirs when that is set.") { Required = true },
            new("args", KeyShape.TextList, "Arguments, each passed as exactly one argument (no shell, no splitting)."),
            new(EnvParameter, KeyShape.Any, "Extra environment variables, a map NAME: value (NAME is [A-Za-z_][A-Za-z0-9_]*, not ORCH_*)."),
            new("workdir", KeyShape.Template, "Working directory, an absolute path that exists; the program's directory when omitted."),
            new("timeout", KeyShape.Duration, "Kill the program and everything it started after this long."),
            new("max_output", KeyShape.WholeNumber, "Bytes of stdout, and of stderr, kept (default 64 KiB); the rest is counted and dropped.") { Minimum = 0 },
            new("stdin", KeyShape.Template, "Text written to the program's stdin instead of the JSON document."),
            new("success_codes", KeyShape.Any, "Exit codes that count as success, one or a list (default 0)."),
        ]);

    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var request = ScriptRequest.Read(context.Parameters, _options, out var error);
        if (request is null)
        {
            return StepResult.Failed(error);
        }

        var environment = ScriptEnvironment.Build(_options, context, request.Environment);
        if (context.DryRun)
        {
            var names = environment.Keys.ToList();
            if (context.Event is not null)
            {
                names.Add(ScriptEnvironment.EventJsonFile);
            }

            return StepResult.Success(new Dictionary<string, object?>
            {
                ["dry_run"] = true,
                ["argv"] = new List<object?> { request.Program }.Concat(request.Arguments).ToList(),
                ["env"] = names.Order(StringComparer.Ordinal).Cast<object?>().ToList(),
                ["workdir"] = request.WorkingDirectory,
            });
        }

        string? eventFile = null;
        try
        {
            if (context.Event is { } evt)
            {
                // GetTempFileName creates the file 0600: the event is for this script only.
                eventFile = Path.GetTempFileName();
                await File.WriteAllTextAsync(eventFile, SecurityEventJson.Serialize(evt), cancellationToken).ConfigureAwait(false);
                environment[ScriptEnvironment.EventJsonFile] = eventFile;
            }

            var input = request.Stdin is { } text ? Encoding.UTF8.GetBytes(text) : ScriptDocument.Input(context);
            var launch = new ScriptLaunch(request.Program, request.Arguments, environment, request.WorkingDirectory, input, request.MaxOutputBytes, request.Timeout ?? _options.DefaultTimeout);
            ScriptExit exit;
            try
            {
                exit = await ScriptProcess.RunAsync(_options.SetsidPath, launch, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Win32Exception ex)
            {
                return StepResult.Failed($"could not start '{request.Program}' through {_options.SetsidPath}: {ex.Message}");
            }

            LogScriptEnded(_logger, context.RunId, context.StepId, request.Program, exit.End, exit.ExitCode, (long)exit.Duration.TotalMilliseconds);
            return exit.End switch
            {
                ScriptEnd.Cancelled => throw new OperationCanceledException(cancellationToken),
                ScriptEnd.TimedOut => StepResult.Failed(string.Create(CultureInfo.InvariantCulture, $"timed out after {launch.Timeout!.Value.TotalSeconds:0.###} s, process group killed")),
                _ => Outcome(exit, request.SuccessCodes),
            };
        }
        finally
        {
            DeleteQuietly(eventFile);
        }
    }

    private static void DeleteQuietly(string? path)
    {
        try
        {
            if (path is not null)
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
            // The temp directory is cleaned by the system; the step's outcome matters more.
        }
    }

    private static StepResult Outcome(ScriptExit exit, IReadOnlySet<int> successCodes)
    {
        if (!successCodes.Contains(exit.ExitCode))
        {
            var tail = exit.Stderr.Tail().Trim();
            return StepResult.Failed(string.Create(CultureInfo.InvariantCulture, $"exit code {exit.ExitCode}") + (tail.Length > 0 ? ": " + tail : ""));
        }

        var stdout = exit.Stdout.Text();
        var outputs = ScriptDocument.ReadOutputs(stdout) ?? new Dictionary<string, object?>(StringComparer.Ordinal);
        outputs["exit_code"] = exit.ExitCode;
        outputs["stdout"] = stdout;
        outputs["stderr"] = exit.Stderr.Text();
        outputs["truncated"] = exit.Stdout.Truncated || exit.Stderr.Truncated;
        outputs["duration_ms"] = (long)exit.Duration.TotalMilliseconds;
        return StepResult.Success(outputs);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} step {StepId}: script {Program} ended ({End}) with exit code {ExitCode} after {DurationMs} ms")]
    private static partial void LogScriptEnded(ILogger logger, string runId, string stepId, string program, ScriptEnd end, int exitCode, long durationMs);
}
