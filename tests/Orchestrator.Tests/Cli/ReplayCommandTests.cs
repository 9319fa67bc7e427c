using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orchestrator.Tests.EndToEnd;

namespace Orchestrator.Tests.Cli;

/// <summary><c>orchestrator replay</c> over events stored with <c>orchestrator ingest</c>: the decisions, the range, and a store left as it was.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("orch-replay-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private async Task IngestFixturesAsync()
    {
        foreach (var name in new[] { "share-worm-source.log", "ransomware-responder.ndjson" })
        {
            var ingest = await OrchestratorProcess.RunCliAsync("ingest", TestCommandTests.Fixture(name), "--data", _data);
            Assert.True(ingest.ExitCode == 0, ingest.StdErr);
        }
    }

    private Task<(int ExitCode, string StdOut, string StdErr)> ReplayAsync(string from, string to, params string[] more) =>
        TestCommandTests.RunAsync(["replay", "--data", _data, "--playbooks", TestCommandTests.RepositoryPath("playbooks"), "--from", from, "--to", to, .. more]);

    // Rows per table: what a replay must leave exactly as it found it.
    private Dictionary<string, long> TableRows()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "events.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{table}\"";
            rows[table] = (long)count.ExecuteScalar()!;
        }

        return rows;
    }

    [Fact]
    public async Task Replay_StoredEventsInRange_GivesTheDecisionsAndWritesNothing()
    {
        await IngestFixturesAsync();
        var before = TableRows();

        var result = await ReplayAsync("2026-11-23T09:00:00Z", "2026-11-23T13:00:00Z");

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("share-worm-source fired for 10.1.20.9 (enforce): 3 event(s), 3 distinct", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("message: worm source 10.1.20.9: 3 victims", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("ransomware-responder fired for PC-0077 (dryrun)", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("ransomware-alert fired for PC-0077 (enforce)", result.StdOut, StringComparison.Ordinal);
        // The three worm detections are traced (the replay derives afresh) and name one source: an outbreak too.
        Assert.Contains("outbreak-contain fired for 10.1.20.9 (enforce)", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("5 event(s) read, 4 decision(s)", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("  share-worm-source: 1\n", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("  ransomware-responder: 1\n", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("  ransomware-alert: 1\n", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(before, TableRows());
        Assert.Equal(0, before.GetValueOrDefault("rule_decisions"));
        Assert.False(before.ContainsKey("runs") && before["runs"] > 0);
    }

    [Fact]
    public async Task Replay_RangeWithoutTheEvents_NoDecisions()
    {
        await IngestFixturesAsync();

        var result = await ReplayAsync("2026-11-22T00:00:00Z", "2026-11-23T10:00:00Z", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var summary = JsonDocument.Parse(result.StdOut.Trim()).RootElement.GetProperty("summary");
        Assert.Equal(0, summary.GetProperty("events").GetInt64());
        Assert.Equal(0, summary.GetProperty("decisions").GetInt64());
    }

    [Fact]
    public async Task Replay_ShareWormWindowSplitByRange_NoDecisionAsJson()
    {
        await IngestFixturesAsync();

        // From 10:03 the window holds two victims only: the backtest sees what the range holds.
        var result = await ReplayAsync("2026-11-23T10:03:00Z", "2026-11-23T11:00:00Z", "--output", "json");

        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Equal(3, JsonDocument.Parse(lines[0]).RootElement.GetProperty("summary").GetProperty("events").GetInt64());
    }

    [Fact]
    public async Task Replay_ConfiguredLearningPeriod_IsIgnored_TheSampleStillRaisesItsUnknownProcesses()
    {
        var ingest = await OrchestratorProcess.RunCliAsync("ingest", TestCommandTests.RepositoryPath("tests", "Orchestrator.Tests", "Fixtures", "samples", "sysmon-psexec-lateral-movement.ndjson"), "--data", _data);
        Assert.True(ingest.ExitCode == 0, ingest.StdErr);
        var config = Path.Combine(_data, "learning.yaml");
        await File.WriteAllTextAsync(config, "detection:\n  unknown_processes:\n    learn_for: 7d\n");

        // The service would learn for a week from the sample's first process start; a replay shows what the events raise.
        var result = await ReplayAsync("2020-10-19T07:00:00Z", "2020-10-19T08:00:00Z", "--config", config);

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("unknown-process-alert fired", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("  unknown-process-alert: 4\n", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_NoStore_Exits2WithoutCreatingOne()
    {
        var result = await ReplayAsync("-24h", "-1h");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no event store here", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, "events.db")));
    }
}
