using System.Net;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Connectors.Scripts;
using Orchestrator.Core.Events;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Tests.Scripts;

/// <summary>The script step against real processes: /bin/sh, /usr/bin/env and Debian's /usr/bin/python3.</summary>
[SupportedOSPlatform("linux")]
public sealed class ScriptStepTests : IDisposable
{
    private const string Sh = "/bin/sh";
    private const string Python = "/usr/bin/python3";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("orchestrator-script-tests-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task ExecuteAsync_ScriptReadsStdin_SeesTheEventRunAndParameters()
    {
        const string code = """
            import json, sys
            doc = json.load(sys.stdin)
            print(json.dumps({"host": doc["event"]["host"]["name"], "source": doc["event"]["source"]["ip"],
                              "run": doc["run"]["id"], "attempt": doc["run"]["attempt"], "key": doc["run"]["idempotency_key"],
                              "tag": doc["parameters"]["tag"], "has_env": "env" in doc["parameters"]}))
            """;

        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Python, ["args"] = List("-c", code), ["tag"] = "t1", ["env"] = Map(("TOKEN", "s3cret")) }), default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("pc-17", result.Outputs["host"]);
        Assert.Equal("10.0.0.5", result.Outputs["source"]);
        Assert.Equal("run-1", result.Outputs["run"]);
        Assert.Equal(2L, result.Outputs["attempt"]);
        Assert.Equal("run-1/steps/act", result.Outputs["key"]);
        Assert.Equal("t1", result.Outputs["tag"]);
        Assert.Equal(false, result.Outputs["has_env"]);
    }

    [Fact]
    public async Task ExecuteAsync_Environment_HoldsRunContextAndStepEnvButNotTheServiceEnvironment()
    {
        Environment.SetEnvironmentVariable("ORCHESTRATOR_TEST_SECRET", "hunter2-do-not-leak");
        try
        {
            var result = await Step().ExecuteAsync(Context(new() { ["program"] = "/usr/bin/env", ["env"] = Map(("GREETING", "hello world")) }), default);

            Assert.True(result.Succeeded, result.Error);
            var lines = ((string)result.Outputs["stdout"]!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var env = lines.Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            Assert.Equal("run-1", env["ORCH_RUN_ID"]);
            Assert.Equal("worm-source", env["ORCH_PLAYBOOK_ID"]);
            Assert.Equal("act", env["ORCH_STEP_ID"]);
            Assert.Equal("2", env["ORCH_ATTEMPT"]);
            Assert.Equal("false", env["ORCH_DRY_RUN"]);
            Assert.Equal("run-1/steps/act", env["ORCH_IDEMPOTENCY_KEY"]);
            Assert.Equal("42", env["ORCH_EVENT_ID"]);
            Assert.Equal(EventKinds.InfectionTraced, env["ORCH_EVENT_KIND"]);
            Assert.Equal("pc-17", env["ORCH_HOST_NAME"]);
            Assert.Equal("10.0.0.5", env["ORCH_SOURCE_IP"]);
            Assert.Equal("10.0.0.9", env["ORCH_DESTINATION_IP"]);
            Assert.Equal("alice", env["ORCH_USER_NAME"]);
            Assert.Equal("hello world", env["GREETING"]);
            Assert.Equal(ScriptOptions.DefaultSearchPath, env["PATH"]);
            Assert.DoesNotContain("ORCHESTRATOR_TEST_SECRET", env.Keys);
            Assert.DoesNotContain(env.Values, v => v.Contains("hunter2", StringComparison.Ordinal));
            Assert.All(env.Keys, k => Assert.True(k is "PATH" or "HOME" or "LANG" or "GREETING" || k.StartsWith("ORCH_", StringComparison.Ordinal), k));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ORCHESTRATOR_TEST_SECRET", null);
        }
    }

    [Fact]
    public async Task ExecuteAsync_EventJsonFile_HoldsTheEventAndIsDeletedAfterwards()
    {
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "cat \"$ORCH_EVENT_JSON_FILE\"; echo; echo \"$ORCH_EVENT_JSON_FILE\"") }), default);

        Assert.True(result.Succeeded, result.Error);
        var lines = ((string)result.Outputs["stdout"]!).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(SecurityEventJson.TryRead(lines[0], out var evt, out var error), error);
        Assert.Equal("pc-17", evt.HostName);
        Assert.Equal(IPAddress.Parse("10.0.0.5"), evt.SourceIp);
        Assert.False(File.Exists(lines[1]), "the event file outlived the step");
    }

    [Fact]
    public async Task ExecuteAsync_ArgumentsWithSpacesQuotesAndShellCharacters_ArePassedLiterally()
    {
        string[] arguments = ["two words", "it's \"quoted\"", "; touch pwned", "$(id)", "*", "", "back\\slash"];

        var result = await Step().ExecuteAsync(
            Context(new() { ["program"] = Python, ["args"] = List(["-c", "import json, sys; print(json.dumps({'argv': sys.argv[1:]}))", .. arguments]) }),
            default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(arguments, ((List<object?>)result.Outputs["argv"]!).Cast<string>());
        Assert.False(File.Exists(Path.Combine(_directory.FullName, "pwned")));
    }

    [Fact]
    public async Task ExecuteAsync_Workdir_IsTheProcessCurrentDirectory()
    {
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "pwd -P"), ["workdir"] = _directory.FullName }), default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(ProgramPaths.RealPath(_directory.FullName), ((string)result.Outputs["stdout"]!).Trim());
    }

    [Fact]
    public async Task ExecuteAsync_MissingWorkdir_FailsNamingIt()
    {
        var missing = Path.Combine(_directory.FullName, "nope");

        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "true"), ["workdir"] = missing }), default);

        Assert.False(result.Succeeded);
        Assert.Contains($"workdir '{missing}'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_NonzeroExit_FailsWithExitCodeAndStderr()
    {
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "echo progress; echo 'cannot reach switch sw-3' >&2; exit 3") }), default);

        Assert.False(result.Succeeded);
        Assert.Equal("exit code 3: cannot reach switch sw-3", result.Error);
    }

    [Fact]
    public async Task ExecuteAsync_ExitCodeInSuccessCodes_Succeeds()
    {
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "exit 3"), ["success_codes"] = List("0", "3") }), default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(3, result.Outputs["exit_code"]);
    }

    [Fact]
    public async Task ExecuteAsync_JsonObjectOnStdout_BecomesOutputsAsPlainValues()
    {
        const string json = """{"port": "Gi1/0/7", "vlan": 999, "ratio": 1.5, "ok": true, "none": null, "nested": {"list": [1, "x", false]}, "exit_code": 99}""";

        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "echo '  '; printf '%s\\n' \"$1\"", "sh", json) }), default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("Gi1/0/7", result.Outputs["port"]);
        Assert.Equal(999L, result.Outputs["vlan"]);
        Assert.Equal(1.5, result.Outputs["ratio"]);
        Assert.Equal(true, result.Outputs["ok"]);
        Assert.True(result.Outputs.ContainsKey("none"));
        Assert.Null(result.Outputs["none"]);
        var nested = Assert.IsType<Dictionary<string, object?>>(result.Outputs["nested"]);
        Assert.Equal(new object?[] { 1L, "x", false }, Assert.IsType<List<object?>>(nested["list"]));
        Assert.Equal(0, result.Outputs["exit_code"]);
        Assert.Equal(false, result.Outputs["truncated"]);
    }

    [Fact]
    public async Task ExecuteAsync_PlainTextOnStdout_GivesOnlyTheFixedOutputs()
    {
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "echo blocked 10.0.0.5; echo note >&2") }), default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(["duration_ms", "exit_code", "stderr", "stdout", "truncated"], result.Outputs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("blocked 10.0.0.5\n", result.Outputs["stdout"]);
        Assert.Equal("note\n", result.Outputs["stderr"]);
    }

    [Fact]
    public async Task ExecuteAsync_StdinParameter_ReplacesTheJsonDocument()
    {
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "cat"), ["stdin"] = "plain text in" }), default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("plain text in", result.Outputs["stdout"]);
    }

    [Fact]
    public async Task ExecuteAsync_TenMegabytesOnStdoutAndStderr_KeepsTheLimitAndDoesNotDeadlock()
    {
        const string script = "head -c 10000000 /dev/zero | tr '\\0' o; head -c 10000000 /dev/zero | tr '\\0' e >&2; echo done >&2";

        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", script) }), default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(true, result.Outputs["truncated"]);
        Assert.Equal(new string('o', 64 * 1024), result.Outputs["stdout"]);
        Assert.Equal(new string('e', 64 * 1024), result.Outputs["stderr"]);
    }

    [Fact]
    public async Task ExecuteAsync_HugeStderrThenFailure_QuotesOnlyTheBoundedTail()
    {
        const string script = "head -c 5000000 /dev/zero | tr '\\0' x >&2; echo >&2; echo 'last words' >&2; exit 1";

        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", script) }), default);

        Assert.False(result.Succeeded);
        Assert.EndsWith("\nlast words", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("exit code 1: ", result.Error, StringComparison.Ordinal);
        Assert.True(result.Error!.Length <= 1100, $"error is {result.Error.Length} chars");
    }

    [Fact]
    public async Task ExecuteAsync_MaxOutputCutsInsideACharacter_EndsBeforeIt()
    {
        // "ab" then the euro sign (3 bytes in UTF-8): a 4-byte limit would split it.
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "printf 'ab\\342\\202\\254cd'"), ["max_output"] = "4" }), default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("ab", result.Outputs["stdout"]);
        Assert.Equal(true, result.Outputs["truncated"]);
    }

    [Fact]
    public async Task ExecuteAsync_Timeout_KillsTheWholeProcessGroupIncludingAGrandchild()
    {
        var time = new FakeTimeProvider();
        var pidFile = Path.Combine(_directory.FullName, "grandchild.pid");
        var running = Step(time: time).ExecuteAsync(
            Context(new() { ["program"] = Sh, ["args"] = List("-c", "sleep 300 & echo $! > \"$1\"; wait", "sh", pidFile), ["timeout"] = "30s" }),
            default).AsTask();
        var grandchild = await ReadPidAsync(pidFile);
        Assert.True(IsAlive(grandchild), "the grandchild should run until the timeout");

        time.Advance(TimeSpan.FromSeconds(30));
        var result = await running;

        Assert.False(result.Succeeded);
        Assert.Equal("timed out after 30 s, process group killed", result.Error);
        Assert.True(await IsGoneAsync(grandchild), $"grandchild {grandchild} survived the timeout");
    }

    [Fact]
    public async Task ExecuteAsync_Cancelled_KillsTheProcessGroupAndThrows()
    {
        using var cancellation = new CancellationTokenSource();
        var pidFile = Path.Combine(_directory.FullName, "grandchild.pid");
        var running = Step().ExecuteAsync(
            Context(new() { ["program"] = Sh, ["args"] = List("-c", "sleep 300 & echo $! > \"$1\"; wait", "sh", pidFile) }),
            cancellation.Token).AsTask();
        var grandchild = await ReadPidAsync(pidFile);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(await IsGoneAsync(grandchild), $"grandchild {grandchild} survived the cancellation");
    }

    [Fact]
    public async Task ExecuteAsync_Program_LeadsAProcessGroupOfItsOwn()
    {
        // Field 5 of /proc/PID/stat is the process group; sh's command name has no spaces.
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "echo $$ $(cut -d' ' -f5 /proc/$$/stat)") }), default);

        Assert.True(result.Succeeded, result.Error);
        var ids = ((string)result.Outputs["stdout"]!).Trim().Split(' ');
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[1]);
    }

    [Fact]
    public async Task ExecuteAsync_ProgramLeavesAReparentedProcessBehind_ItIsKilledWhenTheProgramExits()
    {
        var pidFile = Path.Combine(_directory.FullName, "orphan.pid");

        // The subshell exits at once, so the sleep is re-parented away from the script: only its process group still ties it.
        var result = await Step().ExecuteAsync(
            Context(new() { ["program"] = Sh, ["args"] = List("-c", "(sleep 300 > /dev/null 2>&1 & echo $! > \"$1\"); echo started", "sh", pidFile) }),
            default);

        Assert.True(result.Succeeded, result.Error);
        var orphan = await ReadPidAsync(pidFile);
        Assert.True(await IsGoneAsync(orphan), $"orphan {orphan} outlived the step");
    }

    [Fact]
    public async Task ExecuteAsync_RelativeProgram_IsRefused()
    {
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = "bin/sh", ["args"] = List("-c", "true") }), default);

        Assert.False(result.Succeeded);
        Assert.Contains("'bin/sh' is not an absolute path", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ProgramOutsideAllowedDirs_IsRefused()
    {
        var allowed = _directory.CreateSubdirectory("allowed");
        var options = new ScriptOptions { AllowedDirectories = { allowed.FullName } };

        var result = await Step(options).ExecuteAsync(Context(new() { ["program"] = Sh, ["args"] = List("-c", "true") }), default);

        Assert.False(result.Succeeded);
        Assert.Contains("is outside the allowed directories", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_SymlinkInAllowedDirPointingOutside_IsRefused()
    {
        var allowed = _directory.CreateSubdirectory("allowed");
        var link = Path.Combine(allowed.FullName, "looks-allowed");
        File.CreateSymbolicLink(link, Sh);
        var options = new ScriptOptions { AllowedDirectories = { allowed.FullName } };

        var result = await Step(options).ExecuteAsync(Context(new() { ["program"] = link, ["args"] = List("-c", "true") }), default);

        Assert.False(result.Succeeded);
        Assert.Contains($"(resolves to '{ProgramPaths.RealPath(Sh)}') is outside the allowed directories", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ProgramInsideAllowedDir_Runs()
    {
        var allowed = _directory.CreateSubdirectory("allowed");
        var script = Path.Combine(allowed.FullName, "contain.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho \"{\\\"contained\\\": \\\"$1\\\"}\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new ScriptOptions { AllowedDirectories = { allowed.FullName } };

        var result = await Step(options).ExecuteAsync(Context(new() { ["program"] = script, ["args"] = List("10.0.0.5") }), default);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("10.0.0.5", result.Outputs["contained"]);
    }

    [Fact]
    public async Task ExecuteAsync_ProgramNotExecutable_IsRefused()
    {
        var script = Path.Combine(_directory.FullName, "plain.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await Step().ExecuteAsync(Context(new() { ["program"] = script }), default);

        Assert.False(result.Succeeded);
        Assert.Contains("is not executable", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1BAD", "is not a variable name")]
    [InlineData("BAD-NAME", "is not a variable name")]
    [InlineData("ORCH_RUN_ID", "is reserved")]
    public async Task ExecuteAsync_BadEnvName_IsRefused(string name, string reason)
    {
        var result = await Step().ExecuteAsync(Context(new() { ["program"] = "/usr/bin/env", ["env"] = Map((name, "x")) }), default);

        Assert.False(result.Succeeded);
        Assert.Contains($"env name '{name}' {reason}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_DryRun_RunsNothingAndReturnsArgvAndEnvNames()
    {
        var marker = Path.Combine(_directory.FullName, "ran");

        var result = await Step().ExecuteAsync(
            Context(new() { ["program"] = Sh, ["args"] = List("-c", "touch \"$1\"", "sh", marker), ["env"] = Map(("API_TOKEN", "s3cret")) }, dryRun: true),
            default);

        Assert.True(result.Succeeded, result.Error);
        Assert.False(File.Exists(marker), "a dry run started the program");
        Assert.Equal(true, result.Outputs["dry_run"]);
        Assert.Equal([ProgramPaths.RealPath(Sh), "-c", "touch \"$1\"", "sh", marker], ((List<object?>)result.Outputs["argv"]!).Cast<string>());
        var names = ((List<object?>)result.Outputs["env"]!).Cast<string>().ToList();
        Assert.Contains("API_TOKEN", names);
        Assert.Contains("ORCH_RUN_ID", names);
        Assert.Contains("ORCH_EVENT_JSON_FILE", names);
        Assert.DoesNotContain(result.Outputs.Values, v => v is string s && s.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public void Definition_DeclaresTheParameters()
    {
        Assert.Equal("script", ScriptStep.Definition.Name);
        Assert.Equal(
            ["program", "args", "env", "workdir", "timeout", "max_output", "stdin", "success_codes"],
            ScriptStep.Definition.Parameters.Select(p => p.Name));
        Assert.True(ScriptStep.Definition.Parameters.Single(p => p.Name == "program").Required);
    }

    private static ScriptStep Step(ScriptOptions? options = null, TimeProvider? time = null) =>
        new(options ?? new ScriptOptions(), time ?? TimeProvider.System, NullLogger<ScriptStep>.Instance);

    private static StepContext Context(Dictionary<string, object?> parameters, bool dryRun = false) =>
        new("run-1", "worm-source", "act", ScriptStep.Name, parameters, "run-1/steps/act", 2, dryRun, new SecurityEvent
        {
            Id = 42,
            Kind = EventKinds.InfectionTraced,
            HostName = "pc-17",
            SourceIp = IPAddress.Parse("10.0.0.5"),
            DestinationIp = IPAddress.Parse("10.0.0.9"),
            UserName = "alice",
        });

    private static List<object?> List(params string[] items) => [.. items];

    private static Dictionary<string, object?> Map(params (string Name, string Value)[] entries) =>
        entries.ToDictionary(e => e.Name, e => (object?)e.Value, StringComparer.Ordinal);

    // The script writes the pid; wait for the whole line, not the first byte of it.
    private static async Task<int> ReadPidAsync(string path)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (File.Exists(path) && await File.ReadAllTextAsync(path) is var text && text.EndsWith('\n'))
            {
                return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            }

            await Task.Delay(10);
        }

        throw new InvalidOperationException($"{path} was never written");
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[stat.LastIndexOf(')') + 2];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    // Killed means gone from /proc, or a zombie waiting for a parent that may never reap it here.
    private static async Task<bool> IsGoneAsync(int pid)
    {
        for (var i = 0; i < 500 && IsAlive(pid); i++)
        {
            await Task.Delay(10);
        }

        return !IsAlive(pid);
    }
}
