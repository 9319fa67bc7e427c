using System.Net;
using Orchestrator.Core.Audit;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>Edits to the playbook folder take effect without a restart; a bad edit is rejected and the last good playbooks keep running.</summary>
public sealed class PlaybookReloadTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("orch-reload-").FullName;
    private readonly string _playbooks;

    public PlaybookReloadTests()
    {
        _playbooks = Path.Combine(_data, "playbooks");
        Directory.CreateDirectory(_playbooks);
        File.WriteAllText(Path.Combine(_playbooks, "first.yaml"), Playbook("first", "HOT-1"));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task EditPlaybookFolder_WhileServing_NewPlaybookRunsAndBadEditKeepsTheLastGood()
    {
        await using var server = await OrchestratorProcess.StartAsync(_data, $"response:\n  playbooks: {_playbooks}\n");
        await PostAsync(server, "HOT-1");
        await WaitForRunAsync("first", 1);

        // A new playbook file is picked up while the service runs.
        await File.WriteAllTextAsync(Path.Combine(_playbooks, "second.yaml"), Playbook("second", "HOT-2"));
        await OrchestratorProcess.WaitUntilAsync(async () => await server.MetricAsync("orchestrator_playbooks_loaded") == 2, "two playbooks are loaded");
        await PostAsync(server, "HOT-2");
        await WaitForRunAsync("second", 1);

        // A broken edit is rejected with its error; both playbooks keep running as they were.
        await File.WriteAllTextAsync(Path.Combine(_playbooks, "first.yaml"), Playbook("first", "HOT-1").Replace("log:", "lgo:", StringComparison.Ordinal));
        await OrchestratorProcess.WaitUntilAsync(async () => (await AuditAsync()).Any(e => e.Kind == AuditKinds.Playbooks && e.Text.Contains("unknown step 'lgo'", StringComparison.Ordinal)), "the bad edit is rejected");
        await PostAsync(server, "HOT-1");
        await WaitForRunAsync("first", 2);
        Assert.Equal(2, await server.MetricAsync("orchestrator_playbooks_loaded"));
    }

    private static string Playbook(string id, string host) => $$"""
        id: {{id}}
        on: infection.traced
        when: event.host.name == "{{host}}"
        steps:
          - log: { message: "{{id}} saw {{host}}" }
        """;

    private static async Task PostAsync(OrchestratorProcess server, string host)
    {
        using var request = server.Request(HttpMethod.Post, "/api/v1/events?format=sep", OrchestratorProcess.IngestKey, new StringContent(ServeTests.SepTraced.Replace("HOST-3835", host, StringComparison.Ordinal)));
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task WaitForRunAsync(string playbookId, int count) =>
        await OrchestratorProcess.WaitUntilAsync(
            async () =>
            {
                using var store = new SqliteRunStore(Path.Combine(_data, "events.db"), SqliteSynchronous.Full);
                var runs = await store.ListAsync(playbookId, RunStatus.Succeeded, 100, CancellationToken.None);
                return runs.Count == count;
            },
            $"{count} run(s) of {playbookId} have succeeded");

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync()
    {
        using var store = new SqliteRunStore(Path.Combine(_data, "events.db"), SqliteSynchronous.Full);
        return await store.ReadAuditAsync(null, null, 1_000, CancellationToken.None);
    }
}
