using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>
/// The first-seen learning period through the real service: with <c>learn_for: 7d</c> the OTRF Sysmon sample
/// raises no <c>process.unknown</c>, <c>/metrics</c> says until when (also after a restart, from the saved
/// record), and a new executable after the period raises while the learnt ones stay quiet.
/// </summary>
public sealed class LearningPeriodTests : IAsyncLifetime
{
    private const string Gauge = "orchestrator_detection_first_seen_learning_until_seconds";

    private InProcessService _service = null!;

    public Task InitializeAsync()
    {
        _service = InProcessService.Create();
        return _service.StartAsync(TestEvents.SampleServiceSections(_service, """
            detection:
              unknown_processes:
                learn_for: 7d
            """));
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task SampleDuringLearning_RaisesNothing_MetricsSayUntilWhenAcrossARestart_ThenANewExecutableRaises()
    {
        var earliestStart = TestEvents.SampleProcessStarts.Min(l => SysmonTime(JsonNode.Parse(l)!));
        var learningUntil = earliestStart.AddDays(7).ToUnixTimeSeconds();

        await _service.PostAsync(TestEvents.SysmonSample, "sysmon");
        await _service.TraceOfAsync(await _service.PostAsync(TestEvents.Detection("WORKSTATION5", TestEvents.DetectionOnWorkstation5)));

        Assert.Empty(await _service.EventsAsync("process.unknown"));
        Assert.Equal(learningUntil, await GaugeAsync());

        await _service.RestartAsync();
        Assert.Equal(learningUntil, await GaugeAsync());

        var afterLearning = earliestStart.AddDays(8);
        var newTool = JsonNode.Parse(TestEvents.SampleProcessStarts[0])!;
        newTool["UtcTime"] = afterLearning.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        newTool["Image"] = @"C:\Users\Public\newtool.exe";
        newTool["Hashes"] = "SHA256=" + new string('A', 64);
        var learntAgain = JsonNode.Parse(TestEvents.SampleProcessStarts[0])!;
        learntAgain["UtcTime"] = newTool["UtcTime"]!.GetValue<string>();
        // The connection gives the detection after them something to be traced to: its trace marks them processed.
        var connection = TestEvents.InboundConnection("WORKSTATION5", "10.61.0.20", "PC-WORM", "10.61.0.5", 445, afterLearning);
        await _service.PostAsync(string.Join('\n', learntAgain.ToJsonString(), newTool.ToJsonString(), connection), "sysmon");
        await _service.TraceOfAsync(await _service.PostAsync(TestEvents.Detection("WORKSTATION5", afterLearning.AddSeconds(1))));

        var unknown = Assert.Single(await _service.EventsAsync("process.unknown"));
        Assert.Equal(@"C:\Users\Public\newtool.exe", InProcessService.Field(unknown, "process.executable"));
        Assert.Equal(0, await GaugeAsync());
    }

    private static DateTimeOffset SysmonTime(JsonNode start) =>
        DateTimeOffset.ParseExact(start["UtcTime"]!.GetValue<string>(), "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    // The detection gauges appear once the detectors are loaded (at start, asynchronously).
    private async Task<long> GaugeAsync() => await InProcessService.EventuallyAsync<long?>(async () =>
    {
        var metrics = await _service.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(Gauge + " ", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[(Gauge.Length + 1)..], CultureInfo.InvariantCulture);
    }, Gauge) ?? 0;
}
