using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Orchestrator.Cli;
using Orchestrator.Core.Playbooks;
using Orchestrator.Tests.EndToEnd;

namespace Orchestrator.Tests.Api;

/// <summary>
/// <c>orchestrator serve</c> in process on a loopback port, with a real playbook folder holding a
/// playbook whose first step waits for an approval by the key <c>test-admin</c>, and an inventory with one
/// protected address and no devices.
/// </summary>
public sealed class ResponseServer : IAsyncLifetime
{
    public const string IngestKey = "test-ingest-key-0123456789abcdef";
    public const string AdminKey = "test-admin-key-0123456789abcdef";
    public const string OtherAdminKey = "other-admin-key-0123456789abcdef";
    public const string PlaybookId = "isolate-ransomware";

    /// <summary>A protected address of the inventory: containment steps refuse it.</summary>
    public const string ProtectedIp = "10.250.0.1";

    private readonly InProcessService _service = InProcessService.Create("orch-runs-",
        [("test-ingest", "ingest", IngestKey), ("test-admin", "admin", AdminKey), ("other-admin", "admin", OtherAdminKey)]);

    public string DataDirectory => _service.DataDirectory;

    public string ConfigFile => _service.ConfigFile;

    public string AdminKeyFile => _service.AdminKeyFile;

    public string Url => _service.Url;

    public HttpClient Http => _service.Http;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_service.Playbooks, "isolate.yaml"), $$$"""
            id: {{{PlaybookId}}}
            description: A ransomware detection waits for test-admin before the host is isolated.
            on: [infection.detected, infection.traced]
            when: event.rule.name matches '(?i)ransom'
            group_by: event.host.name
            steps:
              - id: approval
                approve:
                  message: "Isolate {{ event.host.name }}?"
                  timeout: 1h
                  default: abort
                  approvers: [test-admin]
              - id: isolate
                log: { message: "isolating {{ event.host.name }}" }
            """);
        await File.WriteAllTextAsync(Path.Combine(_service.Playbooks, "inventory.yaml"), $"""
            protected:
              ips: [{ProtectedIp}]
            """);
        var loaded = PlaybookLoader.LoadDirectory(_service.Playbooks, PlaybookSetup.LoaderOptions);
        Assert.True(loaded.IsValid, string.Join('\n', loaded.Errors));
        await _service.StartAsync($"""
            response:
              playbooks: {_service.Playbooks}
            """);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    /// <summary>Sends a request with <paramref name="key"/>; returns the status and the parsed JSON body.</summary>
    public Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string key = AdminKey, string? body = null) =>
        InProcessService.SendAsync(Http, method, path, key, body);

    /// <summary>Posts a ransomware detection on <paramref name="host"/> and waits until its run waits for approval; returns the run id.</summary>
    public async Task<string> StartWaitingRunAsync(string host)
    {
        var evt = $$$"""{"@timestamp":"2026-11-23T10:00:00Z","event":{"category":"malware"},"host":{"name":"{{{host}}}"},"rule":{"name":"Ransom.WannaCry"}}""";
        var (status, posted) = await SendAsync(HttpMethod.Post, "/api/v1/events", IngestKey, evt);
        Assert.Equal(HttpStatusCode.Accepted, status);
        var eventId = posted.GetProperty("first_id").GetInt64();

        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            var (_, runs) = await SendAsync(HttpMethod.Get, $"/api/v1/runs?playbook={PlaybookId}&status=waiting_approval");
            foreach (var run in runs.GetProperty("runs").EnumerateArray())
            {
                if (run.GetProperty("event_id").GetInt64() == eventId)
                {
                    return run.GetProperty("id").GetString()!;
                }
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"no run of {PlaybookId} waits for approval for event {eventId} ({host})");
    }
}
