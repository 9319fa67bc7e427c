using Orchestrator.Tests.EndToEnd;

namespace Orchestrator.Tests.Cli;

/// <summary><c>orchestrator outbreak</c> over a data directory the worm's detections were ingested into (no service running).</summary>
public sealed class OutbreakCommandTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("orch-outbreak-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private async Task IngestWormAsync()
    {
        var ingest = await OrchestratorProcess.RunCliAsync("ingest", TestCommandTests.Fixture("share-worm-source.log"), "--data", _data);
        Assert.True(ingest.ExitCode == 0, ingest.StdErr);
    }

    private Task<(int ExitCode, string StdOut, string StdErr)> OutbreakAsync(params string[] more) =>
        TestCommandTests.RunAsync(["outbreak", "--data", _data, "--since", "2026-11-23T09:00:00Z", "--until", "2026-11-23T13:00:00Z", .. more]);

    [Fact]
    public async Task Outbreak_WormDetections_RanksTheSourceByDistinctVictimsAndDrawsTheChain()
    {
        await IngestWormAsync();

        var text = await OutbreakAsync();
        var mermaid = await OutbreakAsync("--format", "mermaid");
        var dot = await OutbreakAsync("--format", "dot");

        Assert.True(text.ExitCode == 0, text.StdErr);
        var lines = text.StdOut.Split('\n');
        // The fourth detection's source is on the protected server network, a source of its own.
        Assert.Contains(lines, l => l.Contains("3 victims", StringComparison.Ordinal) && l.Contains("PC-WORM (10.1.20.9)", StringComparison.Ordinal));
        Assert.Contains("HOST-A, HOST-B, HOST-C", text.StdOut, StringComparison.Ordinal);
        Assert.Contains("Infection chain", text.StdOut, StringComparison.Ordinal);
        Assert.StartsWith("graph LR", mermaid.StdOut, StringComparison.Ordinal);
        Assert.Equal(4, mermaid.StdOut.Split('\n').Count(l => l.Contains("-->", StringComparison.Ordinal)));
        Assert.StartsWith("digraph", dot.StdOut, StringComparison.Ordinal);
        Assert.Equal(4, dot.StdOut.Split('\n').Count(l => l.Contains("->", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Outbreak_BadSince_NamesTheOptionAndExits2()
    {
        var result = await TestCommandTests.RunAsync("outbreak", "--data", _data, "--since", "yesterday");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("--since: 'yesterday' is not an ISO 8601 time or a duration like 1h", result.StdErr.Trim());
    }
}
