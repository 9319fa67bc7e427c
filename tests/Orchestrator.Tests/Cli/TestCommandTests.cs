using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli;

namespace Orchestrator.Tests.Cli;

/// <summary><c>orchestrator test</c> on the repository's example playbooks with the fixtures in <c>Fixtures/playbooks</c>, run in process.</summary>
public sealed class TestCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orch-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static string RepositoryPath(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
            {
                return Path.Combine([dir.FullName, .. parts]);
            }
        }

        throw new InvalidOperationException("the repository root (Orchestrator.sln) was not found above the test binaries");
    }

    internal static string Playbook(string id) => RepositoryPath("playbooks", id + ".yaml");

    internal static string Fixture(string name) => RepositoryPath("tests", "Orchestrator.Tests", "Fixtures", "playbooks", name);

    internal static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    // Each event's block: its header line and the indented lines under it.
    private static List<string> EventBlocks(string stdout) =>
        [.. stdout.Split("\nevent ").Select(b => b.StartsWith("event ", StringComparison.Ordinal) ? b : "event " + b)];

    // The blocks of the infection.traced events the tracer derived from the file's detections.
    private static List<string> TracedBlocks(string stdout) =>
        [.. EventBlocks(stdout).Where(b => b.Contains(": infection.traced at ", StringComparison.Ordinal) && b.Contains("derived from event", StringComparison.Ordinal))];

    [Fact]
    public async Task Test_ShareWormThreeVictims_FiresOnTheThirdWithThreeDistinct()
    {
        var result = await RunAsync("test", Playbook("share-worm-source"), "--event", Fixture("share-worm-source.log"), "--expect", "match");

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        var blocks = TracedBlocks(result.StdOut);
        Assert.Equal(4, blocks.Count);
        Assert.Contains("no match: threshold: 1 of 3 distinct event.host.name within 10m for group 10.1.20.9", blocks[0], StringComparison.Ordinal);
        Assert.Contains("no match: threshold: 2 of 3 distinct event.host.name within 10m for group 10.1.20.9", blocks[1], StringComparison.Ordinal);
        Assert.Contains("MATCH: fired for group 10.1.20.9: 3 of 3 distinct event.host.name within 10m", blocks[2], StringComparison.Ordinal);
        Assert.Contains("window: 3 event(s), 3 distinct (HOST-A, HOST-B, HOST-C)", blocks[2], StringComparison.Ordinal);
        Assert.Contains("subject: Worm source 10.1.20.9", blocks[2], StringComparison.Ordinal);
        Assert.Contains("message: PC-WORM (10.1.20.9) infected 3 hosts in 10 minutes; last: HOST-C (W32.Changeup).", blocks[2], StringComparison.Ordinal);
        Assert.Contains("message: worm source 10.1.20.9: 3 victims", blocks[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_ShareWormFromProtectedNetwork_NoMatchNamingTheFailingClause()
    {
        var result = await RunAsync("test", Playbook("share-worm-source"), "--event", Fixture("share-worm-source.log"));

        var fourth = TracedBlocks(result.StdOut)[3];
        Assert.Contains("host HOST-D, source 10.0.0.7", fourth, StringComparison.Ordinal);
        Assert.Contains("no match: when is false", fourth, StringComparison.Ordinal);
        Assert.Contains("event.source.ip in lists.protected_networks was true (event.source.ip = 10.0.0.7)", fourth, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_ShareWormAsJson_ThirdEventCarriesWindowDistinct3()
    {
        var result = await RunAsync("test", Playbook("share-worm-source"), "--event", Fixture("share-worm-source.log"), "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains("\"derived_from\"", StringComparison.Ordinal) && l.Contains("\"kind\":\"infection.traced\"", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(4, lines.Count);
        using var third = JsonDocument.Parse(lines[2]);
        var verdict = third.RootElement.GetProperty("playbooks")[0];
        Assert.True(verdict.GetProperty("matched").GetBoolean());
        Assert.Equal(3, verdict.GetProperty("run").GetProperty("window").GetProperty("distinct").GetInt64());
        using var fourth = JsonDocument.Parse(lines[3]);
        Assert.Equal("condition_false", fourth.RootElement.GetProperty("playbooks")[0].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Test_UnknownProcessById_FiresAndRendersTheAlert()
    {
        var result = await RunAsync("test", "unknown-process-alert", "--playbooks", RepositoryPath("playbooks"), "--event", Fixture("unknown-process-alert.json"), "--expect", "match");

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("event 1 (line 1): process.unknown", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("unknown-process-alert: MATCH", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("subject: New executable on PC-0142: invoice.exe", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("summary: New executable invoice.exe on PC-0142", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_UnknownProcessFromASysmonProcessStart_DerivedAndFires()
    {
        var file = Path.Combine(_folder, "process-start.ndjson");
        await File.WriteAllTextAsync(file, """
            {"@timestamp":"2026-11-23T11:15:00Z","event":{"category":"process","type":"start"},"host":{"name":"PC-0142"},"process":{"name":"invoice.exe","executable":"C:\\Users\\erin\\AppData\\Local\\Temp\\invoice.exe","parent":{"executable":"C:\\Windows\\explorer.exe"},"hash":{"sha256":"9F2C1D0E5B7A4C3E8D6F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B1C2D"}}}
            """);

        var result = await RunAsync("test", "unknown-process-alert", "--playbooks", RepositoryPath("playbooks"), "--event", file, "--expect", "match");

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("event 2: process.unknown at 2026-11-23T11:15:00Z, host PC-0142, invoice.exe, derived from event 1", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("sha-256: 9f2c1d0e5b7a4c3e8d6f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d", result.StdOut.ToLowerInvariant(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_ConnectionAfterTheDetectionInTheFile_TheDetectionIsTracedWhenTheFileEnds()
    {
        var file = Path.Combine(_folder, "late-connection.ndjson");
        await File.WriteAllTextAsync(file, """
            {"@timestamp":"2026-11-23T10:00:00Z","event":{"category":"network","type":"connection"},"host":{"name":"PC-OTHER"},"source":{"ip":"10.63.0.9"},"destination":{"ip":"10.63.0.30","port":9100}}
            {"@timestamp":"2026-11-23T10:01:00Z","event":{"category":"malware","action":"virus_found"},"host":{"name":"PC-LATE","ip":"10.63.0.20"},"rule":{"name":"W32.Worm.Share"}}
            {"@timestamp":"2026-11-23T10:00:50Z","event":{"category":"network","type":"connection"},"host":{"name":"PC-LATE"},"source":{"ip":"10.63.0.5"},"destination":{"ip":"10.63.0.20","port":445}}
            """);

        var result = await RunAsync("test", "share-worm-source", "--playbooks", RepositoryPath("playbooks"), "--event", file);

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("event 4: infection.traced at 2026-11-23T10:01:00Z, host PC-LATE, source 10.63.0.5, W32.Worm.Share, derived from event 2", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_Ransomware_ShowsTheApprovalGateWhatFollowsAndOnFailure()
    {
        var result = await RunAsync("test", Playbook("ransomware-responder"), "--event", Fixture("ransomware-responder.ndjson"), "--expect", "match");

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        var lines = result.StdOut.Split('\n').Select(l => l.Trim()).ToList();
        var gate = lines.FindIndex(l => l.StartsWith("1. approval (approve): waits for approval up to 15m, then proceeds", StringComparison.Ordinal));
        Assert.True(gate > 0, result.StdOut);
        Assert.Contains("message: Isolate PC-0077 (10.1.10.77)? Detected Ransom.Wannacry in C:\\Users\\bob\\Documents\\q3.xlsx.WNCRY.", lines);
        Assert.True(lines.FindIndex(l => l.StartsWith("2. log#2 (log)", StringComparison.Ordinal)) > gate);
        Assert.True(lines.FindIndex(l => l.StartsWith("3. notify#3 (notify) [3 attempts]", StringComparison.Ordinal)) > gate);
        var onFailure = lines.IndexOf("on_failure (when a step fails):");
        Assert.True(onFailure > gate);
        Assert.Contains("subject: Ransomware response FAILED for PC-0077", lines.Skip(onFailure));
    }

    [Fact]
    public async Task Test_ExpectMatchButNoneFires_Exits1()
    {
        var result = await RunAsync("test", Playbook("ransomware-responder"), "--event", Fixture("share-worm-source.log"), "--expect", "match");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("event.rule.name matches '(?i)ransom|crypt|locker' was false (event.rule.name = \"W32.Changeup\")", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("expected a match", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_BrokenEventFile_FileAndLineExits2()
    {
        var file = Path.Combine(_folder, "events.json");
        await File.WriteAllTextAsync(file, "{\"host\": {\"name\": \"A\"}}\n42\n");

        var result = await RunAsync("test", Playbook("share-worm-source"), "--event", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"{file}:2: expected an event (a JSON object), found a number", result.StdErr.Trim());
    }

    [Fact]
    public async Task Test_UnknownPlaybookId_SaysWhichAreKnownExits2()
    {
        var result = await RunAsync("test", "share-worm", "--playbooks", RepositoryPath("playbooks"), "--event", Fixture("share-worm-source.log"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("known: outbreak-contain, ransomware-alert, ransomware-responder, share-worm-source, unknown-process-alert", result.StdErr, StringComparison.Ordinal);
    }
}
