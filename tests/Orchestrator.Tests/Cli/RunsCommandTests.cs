using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli;
using Orchestrator.Tests.Api;
using Orchestrator.Tests.EndToEnd;

namespace Orchestrator.Tests.Cli;

/// <summary><c>orchestrator runs</c> and <c>orchestrator incidents</c>, run in process beside the real service.</summary>
public sealed class RunsCommandTests(ResponseServer server) : IClassFixture<ResponseServer>
{
    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private Task<(int ExitCode, string StdOut, string StdErr)> RunWithDataAsync(params string[] args) =>
        RunAsync([.. args, "--data", server.DataDirectory, "--config", server.ConfigFile]);

    [Fact]
    public async Task RunsListAndShow_FromDataDirectory_TableAndJson()
    {
        var runId = await server.StartWaitingRunAsync("PC-CLI-LIST");

        var table = await RunWithDataAsync("runs", "--status", "waiting_approval");
        Assert.True(table.ExitCode == 0, table.StdErr);
        var row = table.StdOut.Split('\n').Single(l => l.StartsWith(runId, StringComparison.Ordinal));
        Assert.Contains(ResponseServer.PlaybookId, row, StringComparison.Ordinal);
        Assert.Contains("step approval", row, StringComparison.Ordinal);

        var json = await RunWithDataAsync("runs", "--playbook", ResponseServer.PlaybookId, "--output", "json");
        var listed = json.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(listed, r => r.GetProperty("id").GetString() == runId && r.GetProperty("status").GetString() == "waiting_approval");

        var shown = await RunWithDataAsync("runs", "show", runId);
        Assert.True(shown.ExitCode == 0, shown.StdErr);
        Assert.Contains($"run {runId}: playbook {ResponseServer.PlaybookId}, waiting_approval", shown.StdOut, StringComparison.Ordinal);
        Assert.Contains("waiting at step approval", shown.StdOut, StringComparison.Ordinal);
        Assert.Contains("fired for PC-CLI-LIST", shown.StdOut, StringComparison.Ordinal);

        var shownJson = await RunWithDataAsync("runs", "show", runId, "--output", "json");
        var detail = JsonDocument.Parse(shownJson.StdOut).RootElement;
        Assert.Equal("waiting_approval", detail.GetProperty("steps")[0].GetProperty("status").GetString());
        Assert.Equal("abort", detail.GetProperty("waiting").GetProperty("default").GetString());
    }

    [Fact]
    public async Task RunsApprove_ThroughRunningServiceWithKeyFile_RunSucceeds()
    {
        var runId = await server.StartWaitingRunAsync("PC-CLI-APPROVE");

        var approved = await RunWithDataAsync("runs", "approve", runId, "--url", server.Url, "--key-file", server.AdminKeyFile, "--comment", "seen on the console");

        Assert.True(approved.ExitCode == 0, approved.StdErr);
        Assert.Equal($"run {runId} is now running", approved.StdOut.Trim());
        await OrchestratorProcess.WaitUntilAsync(async () => (await server.SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}")).Body.GetProperty("status").GetString() == "succeeded", "the approved run has finished");
        var shown = await RunWithDataAsync("runs", "show", runId);
        Assert.Contains("approved by test-admin: seen on the console", shown.StdOut, StringComparison.Ordinal);
        Assert.Contains("isolating PC-CLI-APPROVE", shown.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsDenyAndCancel_Refusals_ExitCode1WithStatusAndReason()
    {
        var runId = await server.StartWaitingRunAsync("PC-CLI-DENY");
        var denied = await RunWithDataAsync("runs", "deny", runId, "--url", server.Url, "--key-file", server.AdminKeyFile);
        Assert.True(denied.ExitCode == 0, denied.StdErr);
        Assert.StartsWith($"run {runId} is now aborted", denied.StdOut, StringComparison.Ordinal);

        var again = await RunWithDataAsync("runs", "cancel", runId, "--url", server.Url, "--key-file", server.AdminKeyFile);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"not possible now (409): run {runId} is already aborted", again.StdErr, StringComparison.Ordinal);

        var unknown = await RunWithDataAsync("runs", "approve", "no-such-run", "--url", server.Url, "--key-file", server.AdminKeyFile);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("not found (404): no run with id no-such-run", unknown.StdErr, StringComparison.Ordinal);

        var keyFile = Path.Combine(server.DataDirectory, "wrong.key");
        await File.WriteAllTextAsync(keyFile, "not-a-key");
        var wrongKey = await RunWithDataAsync("runs", "approve", runId, "--url", server.Url, "--key-file", keyFile);
        Assert.Equal(1, wrongKey.ExitCode);
        Assert.Contains("refused (401): unknown API key", wrongKey.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsApprove_ServiceNotRunning_SaysSoAndHowToFix()
    {
        var result = await RunWithDataAsync("runs", "approve", "some-run", "--url", "http://127.0.0.1:1/", "--key-file", server.AdminKeyFile);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("http://127.0.0.1:1/: the service is not running or not reachable", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("start it with 'orchestrator serve', or pass --url", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncidentsListShowAckAndResolve_TableJsonAndThroughService()
    {
        var runId = await server.StartWaitingRunAsync("PC-CLI-INCIDENT");

        var json = await RunWithDataAsync("incidents", "--open", "--output", "json");
        Assert.True(json.ExitCode == 0, json.StdErr);
        var incident = json.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(i => i.GetProperty("run_ids").EnumerateArray().Any(r => r.GetString() == runId));
        var incidentId = incident.GetProperty("id").GetString()!;

        var table = await RunWithDataAsync("incidents");
        Assert.Contains(table.StdOut.Split('\n'), l => l.StartsWith(incidentId, StringComparison.Ordinal) && l.Contains("PC-CLI-INCIDENT", StringComparison.Ordinal));

        var shown = await RunWithDataAsync("incidents", "show", incidentId);
        Assert.True(shown.ExitCode == 0, shown.StdErr);
        Assert.Contains(shown.StdOut.Split('\n'), l => l.StartsWith(runId, StringComparison.Ordinal) && l.Contains("waiting_approval", StringComparison.Ordinal));

        var acknowledged = await RunWithDataAsync("ack", incidentId, "--url", server.Url, "--key-file", server.AdminKeyFile);
        Assert.True(acknowledged.ExitCode == 0, acknowledged.StdErr);
        Assert.Equal($"incident {incidentId} is acknowledged by test-admin", acknowledged.StdOut.Trim());
        var again = await RunWithDataAsync("incidents", "ack", incidentId, "--url", server.Url, "--key-file", server.AdminKeyFile);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already acknowledged (by test-admin", again.StdErr, StringComparison.Ordinal);
        var shownAcknowledged = await RunWithDataAsync("incidents", "show", incidentId);
        Assert.Contains(shownAcknowledged.StdOut.Split('\n'), l => l.Trim().StartsWith("acknowledged by test-admin at ", StringComparison.Ordinal));

        var resolved = await RunWithDataAsync("incidents", "resolve", incidentId, "--url", server.Url, "--key-file", server.AdminKeyFile);
        Assert.True(resolved.ExitCode == 0, resolved.StdErr);
        Assert.Equal($"incident {incidentId} is now resolved", resolved.StdOut.Trim());
        var open = await RunWithDataAsync("incidents", "--open", "--output", "json");
        Assert.DoesNotContain(incidentId, open.StdOut, StringComparison.Ordinal);
    }
}
