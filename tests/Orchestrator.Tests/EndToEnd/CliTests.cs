using System.Text.Json;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>The admin verbs, run as a person would run them.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("orch-cli-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Ingest_MixedFile_StoresEventsKeepsRejectsAndEventsPrintsNestedJson()
    {
        var file = Path.Combine(_data, "mixed.log");
        await File.WriteAllLinesAsync(file,
        [
            ServeTests.SepTraced,
            "#separator \\x09",
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto",
            "1763892000.5\tCabc\t10.0.0.5\t50000\t10.0.0.9\t445\ttcp",
            "not a security event",
        ]);

        var ingest = await OrchestratorProcess.RunCliAsync("ingest", file, "--data", _data);
        Assert.True(ingest.ExitCode == 0, ingest.StdErr);
        Assert.Contains("2 events stored, 1 dead letters", ingest.StdOut, StringComparison.Ordinal);

        var events = await OrchestratorProcess.RunCliAsync("events", "--data", _data, "--output", "json");
        var lines = events.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        var zeek = lines.Single(e => e.GetProperty("orchestrator").GetProperty("format").GetString() == "zeek");
        Assert.Equal("10.0.0.5", zeek.GetProperty("source").GetProperty("ip").GetString());
        Assert.Equal(445, zeek.GetProperty("destination").GetProperty("port").GetInt32());
        var sep = lines.Single(e => e.GetProperty("orchestrator").GetProperty("format").GetString() == "sep");
        Assert.Equal("infection.detected", sep.GetProperty("orchestrator").GetProperty("kind").GetString());

        var table = await OrchestratorProcess.RunCliAsync("events", "--data", _data, "--kind", "infection.detected");
        Assert.Contains("HOST-3835", table.StdOut, StringComparison.Ordinal);
        Assert.Contains("10.252.42.239", table.StdOut, StringComparison.Ordinal);

        var letters = await OrchestratorProcess.RunCliAsync("dead-letters", "--data", _data);
        Assert.Contains("no parser recognised the line", letters.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_SepCsvExport_MapsColumnsByHeader()
    {
        var file = Path.Combine(_data, "risk-export.csv");
        await File.WriteAllLinesAsync(file,
        [
            "Event,Computer Name,Source,Source Computer Name,Source Computer IP,Risk Name",
            "Virus Found,HOST-B,Auto-Protect scan,HOST-A,192.0.2.10,W32.Downadup.B",
        ]);

        var ingest = await OrchestratorProcess.RunCliAsync("ingest", file, "--format", "sep-csv", "--data", _data);
        Assert.True(ingest.ExitCode == 0, ingest.StdErr);

        var events = await OrchestratorProcess.RunCliAsync("events", "--data", _data, "--source-ip", "192.0.2.10", "--output", "json");
        var evt = JsonDocument.Parse(events.StdOut.Trim()).RootElement;
        Assert.Equal("HOST-B", evt.GetProperty("host").GetProperty("name").GetString());
        Assert.Equal("HOST-A", evt.GetProperty("source").GetProperty("name").GetString());
        Assert.Equal("infection.detected", evt.GetProperty("orchestrator").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Events_BadFilter_ExitCode2AndNamesOption()
    {
        var result = await OrchestratorProcess.RunCliAsync("events", "--data", _data, "--source-ip", "nope");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--source-ip: 'nope' is not an IP address", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadConfig_ExitCode2WithFileLineColumn()
    {
        var config = Path.Combine(_data, "bad.yaml");
        await File.WriteAllTextAsync(config, "http:\n  listn: 127.0.0.1:1\n");
        var result = await OrchestratorProcess.RunCliAsync("serve", "--config", config, "--data", _data);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{config}:2:3: unknown key 'listn'", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryVerb_HasHelp()
    {
        string[][] verbs =
        [
            ["serve"], ["ingest"], ["events"], ["dead-letters"], ["key"], ["validate"], ["schema"], ["test"], ["replay"],
            ["runs"], ["runs", "show"], ["runs", "approve"], ["runs", "deny"], ["runs", "cancel"],
            ["incidents"], ["incidents", "show"], ["incidents", "resolve"],
        ];
        foreach (var verb in verbs)
        {
            var result = await OrchestratorProcess.RunCliAsync([.. verb, "--help"]);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Usage:", result.StdOut, StringComparison.Ordinal);
        }
    }
}
