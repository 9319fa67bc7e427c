using System.Net;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>
/// The rules engine and the runs it starts survive <c>kill -9</c>: a threshold half reached before
/// the crash still fires after it, and a decision made before the crash never runs twice.
/// </summary>
public sealed class ResponseCrashTests : IDisposable
{
    private const string Playbook = """
        id: worm-source
        on: infection.traced
        group_by: event.source.ip
        threshold: { distinct: event.host.name, count: 3, within: 10m }
        throttle: 1h
        steps:
          - log: { message: "worm source {{ event.source.ip }}: {{ window.distinct }} victims" }
        """;

    private readonly string _data = Directory.CreateTempSubdirectory("orch-response-crash-").FullName;
    private readonly string _playbooks;

    public ResponseCrashTests()
    {
        _playbooks = Path.Combine(_data, "playbooks");
        Directory.CreateDirectory(_playbooks);
        File.WriteAllText(Path.Combine(_playbooks, "worm.yaml"), Playbook);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task KillMinus9_AfterTwoOfThreeVictims_ThirdVictimAfterRestartFiresOnce()
    {
        await using (var server = await StartAsync())
        {
            await PostAsync(server, Victim("WS-1", minute: 0));
            await PostAsync(server, Victim("WS-2", minute: 1));
            await OrchestratorProcess.WaitUntilAsync(async () => await server.MetricAsync("orchestrator_rules_checkpoint") >= 2, "the engine has seen both events");
            server.KillHard();
        }

        await using var restarted = await StartAsync();
        await PostAsync(restarted, Victim("WS-3", minute: 2));
        await OrchestratorProcess.WaitUntilAsync(async () => (await RunsAsync()).Any(r => r.IsFinished), "the run has finished");

        var run = Assert.Single(await RunsAsync());
        Assert.Equal(("worm-source", RunStatus.Succeeded, 3L), (run.PlaybookId, run.Status, (long)run.Window["distinct"]!));
    }

    [Fact]
    public async Task KillMinus9_AfterADecision_NoSecondRunAfterRestart()
    {
        await using (var server = await StartAsync())
        {
            await PostAsync(server, Victim("WS-1", minute: 0));
            await PostAsync(server, Victim("WS-2", minute: 1));
            await PostAsync(server, Victim("WS-3", minute: 2));
            await OrchestratorProcess.WaitUntilAsync(async () => (await RunsAsync()).Count > 0, "a run exists");
            server.KillHard();
        }

        await using var restarted = await StartAsync();
        await PostAsync(restarted, Victim("WS-4", minute: 3));
        await OrchestratorProcess.WaitUntilAsync(async () => await restarted.MetricAsync("orchestrator_rules_checkpoint") >= 4, "the engine has caught up after the restart");

        // A run cut off by the kill resumes after the restart; wait until it is done.
        await OrchestratorProcess.WaitUntilAsync(async () => (await RunsAsync()).All(r => r.IsFinished), "every run has finished");
        var run = Assert.Single(await RunsAsync());
        Assert.Equal(RunStatus.Succeeded, run.Status);
    }

    private Task<OrchestratorProcess> StartAsync() =>
        OrchestratorProcess.StartAsync(_data, $"response:\n  playbooks: {_playbooks}\n");

    private static async Task PostAsync(OrchestratorProcess server, string line)
    {
        using var request = server.Request(HttpMethod.Post, "/api/v1/events?format=sep", OrchestratorProcess.IngestKey, new StringContent(line));
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static string Victim(string host, int minute) => ServeTests.SepTraced
        .Replace("HOST-3835", host, StringComparison.Ordinal)
        .Replace("Event time: 2026-11-23 10:00:00", $"Event time: 2026-11-23 10:0{minute}:00", StringComparison.Ordinal);

    private async Task<IReadOnlyList<RunRecord>> RunsAsync()
    {
        using var store = new SqliteRunStore(Path.Combine(_data, "events.db"), SqliteSynchronous.Full);
        return await store.ListAsync(null, null, 100, CancellationToken.None);
    }
}
