using System.CommandLine;
using Orchestrator.Cli;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Tests.Cli;

/// <summary><c>orchestrator validate</c> and <c>orchestrator schema</c>, run in process as an admin would run them.</summary>
public sealed class PlaybookCommandsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orch-playbooks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string RepositoryFolder(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
            {
                return Path.Combine(dir.FullName, name);
            }
        }

        throw new InvalidOperationException("the repository root (Orchestrator.sln) was not found above the test binaries");
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Validate_RepositoryPlaybooks_NoErrors()
    {
        var result = await RunAsync("validate", RepositoryFolder("playbooks"));

        Assert.True(result.ExitCode == 0, result.StdOut);
        Assert.Equal("5 playbooks in 5 files, 0 errors", result.StdOut.Trim());
    }

    [Fact]
    public async Task Validate_Mistakes_PrintsEachAsFileLineColumnAndExits1()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "worm.yaml"), """
            id: worm
            on: infection.traced
            throttle: 1hr
            steps:
              - firewal.block: { ip: "{{ event.source.ip }}" }
            ---
            id: ok
            on: other
            steps: [ { log: { message: fine } } ]
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "other.yml"), "id: other\non: other\nsteps: [ { log: { mesage: x } } ]\n");

        var result = await RunAsync("validate", _folder);

        Assert.Equal(1, result.ExitCode);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var worm = Path.Combine(_folder, "worm.yaml");
        var other = Path.Combine(_folder, "other.yml");
        Assert.Equal(
        [
            $"{other}:3:17: the 'log' step has no 'message' (the line to write)",
            $"{other}:3:19: unknown key 'mesage' in the 'log' step (did you mean 'message'?)",
            $"{worm}:3:11: 'throttle': '1hr' is not a duration (use a number and a unit: 500ms, 30s, 10m, 24h, 7d, 2w)",
            $"{worm}:5:5: unknown step 'firewal.block' (did you mean 'firewall.block'?)",
            "3 playbooks in 2 files, 4 errors",
        ], lines);
    }

    [Fact]
    public async Task Validate_MissingFolder_SaysSoAndExits1()
    {
        var result = await RunAsync("validate", Path.Combine(_folder, "nope"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the playbook folder does not exist", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_CommittedFile_EqualsGenerated()
    {
        var result = await RunAsync("schema");

        Assert.Equal(0, result.ExitCode);
        var committed = await File.ReadAllTextAsync(RepositoryFolder(Path.Combine("playbooks", "playbook.schema.json")));
        // When this fails after adding a step type: orchestrator schema > playbooks/playbook.schema.json
        Assert.Equal(committed, result.StdOut);
    }

    [Fact]
    public async Task Schema_ListsEveryStepAndPlaybookKey()
    {
        var result = await RunAsync("schema");

        foreach (var name in PlaybookSetup.Steps.Names.Concat(PlaybookSyntax.PlaybookKeys.Select(k => k.Name)))
        {
            Assert.Contains($"\"{name}\": {{", result.StdOut, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_ValidateAndSchema_Described()
    {
        var result = await RunAsync("--help");

        Assert.Contains("validate", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("schema", result.StdOut, StringComparison.Ordinal);
    }
}
