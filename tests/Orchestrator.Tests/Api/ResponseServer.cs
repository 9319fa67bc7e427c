using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orchestrator.Api;
using Orchestrator.Cli;
using Orchestrator.Configuration;
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

    private readonly string _root = Directory.CreateTempSubdirectory("orch-runs-").FullName;
    private WebApplication _app = null!;

    public string DataDirectory => Path.Combine(_root, "data");

    public string ConfigFile => Path.Combine(_root, "orchestrator.yaml");

    public string AdminKeyFile => Path.Combine(_root, "admin.key");

    public string Url { get; private set; } = "";

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var playbooks = Directory.CreateDirectory(Path.Combine(_root, "playbooks")).FullName;
        await File.WriteAllTextAsync(Path.Combine(playbooks, "isolate.yaml"), $$$"""
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
        await File.WriteAllTextAsync(Path.Combine(playbooks, "inventory.yaml"), $"""
            protected:
              ips: [{ProtectedIp}]
            """);
        var loaded = PlaybookLoader.LoadDirectory(playbooks, PlaybookSetup.LoaderOptions);
        Assert.True(loaded.IsValid, string.Join('\n', loaded.Errors));
        await File.WriteAllTextAsync(AdminKeyFile, AdminKey + "\n");

        var port = OrchestratorProcess.FreeTcpPort();
        await File.WriteAllTextAsync(ConfigFile, $$"""
            http:
              listen: 127.0.0.1:{{port}}
              keys:
                - { name: test-ingest, role: ingest, sha256: {{ApiKeyRing.HashHex(IngestKey)}} }
                - { name: test-admin, role: admin, sha256: {{ApiKeyRing.HashHex(AdminKey)}} }
                - { name: other-admin, role: admin, sha256: {{ApiKeyRing.HashHex(OtherAdminKey)}} }
            syslog:
              udp: off
              tcp: off
            response:
              playbooks: {{playbooks}}
            """);
        var settings = AppSettings.From(ConfigLoader.Load(ConfigFile), DataDirectory);
        Directory.CreateDirectory(DataDirectory);
        _app = ServeCommand.BuildApp(settings);
        await _app.StartAsync();
        Url = $"http://127.0.0.1:{port}/";
        Http = new HttpClient { BaseAddress = new Uri(Url) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Sends a request with <paramref name="key"/>; returns the status and the parsed JSON body.</summary>
    public Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string key = AdminKey, string? body = null) =>
        SendAsync(Http, method, path, key, body);

    /// <summary>Sends a request to the API with a bearer key; returns the status and the parsed JSON body (default when empty).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string path, string key, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

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
