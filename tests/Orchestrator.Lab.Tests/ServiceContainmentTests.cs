using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orchestrator.Api;
using Orchestrator.Cli;
using Orchestrator.Configuration;

namespace Orchestrator.Lab.Tests;

/// <summary>
/// The whole path in the real service against the lab's Linux switch over SSH: an <c>infection.traced</c>
/// event naming h1 (by IP) as the source → the playbook locates h1 (ARP on the switch's VLAN 10 address,
/// then the forwarding table) → quarantines its port → h1 reaches only the remediation server →
/// <c>orchestrator release ID</c> → h1 reaches h2 again. And a containment by hand with
/// <c>orchestrator contain --ip ... --switch-action shutdown</c> that really takes the link down.
/// </summary>
[Collection(SharedLab.Name)]
public sealed class ServiceContainmentTests(LabFixture lab) : IAsyncLifetime
{
    private const string AdminKey = "lab-admin-key-0123456789abcdef";
    private const string IngestKey = "lab-ingest-key-0123456789abcdef";

    private readonly string _root = Directory.CreateTempSubdirectory("orch-lab-service-").FullName;
    private WebApplication? _app;
    private string _configFile = "";
    private string _keyFile = "";
    private int _port;
    private HttpClient Http { get; set; } = null!;

    public async Task InitializeAsync()
    {
        if (!LabEnvironment.IsRoot)
        {
            return;
        }

        var playbooks = Directory.CreateDirectory(Path.Combine(_root, "playbooks")).FullName;
        await File.WriteAllTextAsync(Path.Combine(playbooks, "inventory.yaml"), "devices:\n" + lab.LinuxSwitchYaml());
        await File.WriteAllTextAsync(Path.Combine(playbooks, "contain-source.yaml"), """
            id: contain-traced-source
            on: infection.traced
            when: event.source.ip != null
            group_by: event.source.ip
            steps:
              - id: where
                network.locate: { target: "{{ event.source.ip }}" }
              - id: quarantine
                switch.quarantine:
                  target: "{{ event.source.ip }}"
                  fallback: shutdown
                  reason: "infected {{ event.host.name }} ({{ event.rule.name }})"
            """);
        _port = FreePort();
        _configFile = Path.Combine(_root, "orchestrator.yaml");
        await File.WriteAllTextAsync(_configFile, $$"""
            http:
              listen: 127.0.0.1:{{_port}}
              keys:
                - { name: siem, role: ingest, sha256: {{ApiKeyRing.HashHex(IngestKey)}} }
                - { name: alice, role: admin, sha256: {{ApiKeyRing.HashHex(AdminKey)}} }
            syslog: { udp: off, tcp: off }
            response:
              playbooks: {{playbooks}}
              dry_run: false
            """);
        _keyFile = Path.Combine(_root, "admin.key");
        await File.WriteAllTextAsync(_keyFile, AdminKey);
        var settings = AppSettings.From(ConfigLoader.Load(_configFile), Path.Combine(_root, "data"));
        Directory.CreateDirectory(settings.DataDirectory);
        _app = ServeCommand.BuildApp(settings);
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}/") };
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            Http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [LabFact]
    public async Task TracedSource_IsQuarantinedByThePlaybook_ReleaseByTheCliBringsItHome()
    {
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 before");
        Assert.True(await lab.PingEventually("h1", lab.Address("gateway")), "h1 talks to its gateway, so the switch knows its MAC");

        using var posted = await SendAsync(HttpMethod.Post, "api/v1/events", IngestKey, $$"""
            {"@timestamp":"2026-11-24T09:00:00Z","event":{"category":"malware"},"host":{"name":"WS-VICTIM"},
             "source":{"ip":"{{lab.Address("h1")}}"},"rule":{"name":"W32.Worm.Share"} }
            """);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var run = await EventuallyAsync(async () =>
        {
            using var runs = JsonDocument.Parse(await GetAsync("api/v1/runs?playbook=contain-traced-source"));
            var first = runs.RootElement.GetProperty("runs").EnumerateArray().FirstOrDefault();
            return first.ValueKind == JsonValueKind.Object && first.GetProperty("status").GetString() is "succeeded" or "failed"
                ? first.GetProperty("id").GetString()
                : null;
        }, "the playbook's run has finished");
        using var detail = JsonDocument.Parse(await GetAsync($"api/v1/runs/{run}"));
        Assert.Equal("succeeded", detail.RootElement.GetProperty("status").GetString());
        var steps = detail.RootElement.GetProperty("steps");
        Assert.Equal(("lab-sw", "p1", true), (steps[0].GetProperty("outputs").GetProperty("device").GetString(), steps[0].GetProperty("outputs").GetProperty("port").GetString(), steps[0].GetProperty("outputs").GetProperty("found").GetBoolean()));
        var id = steps[1].GetProperty("outputs").GetProperty("containment_id").GetString()!;

        string? released = null;
        try
        {
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h2")), "quarantined h1 must not reach h2");
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h3")), "quarantined h1 must not reach h3");
            Assert.True(await lab.PingEventually("h1", lab.Address("rem")), "quarantined h1 should reach the remediation server");

            var (listed, list, _) = await CliAsync("containments", "--active", "--output", "json");
            Assert.Equal(0, listed);
            using var record = JsonDocument.Parse(list.Trim());
            Assert.Equal((id, "active", "switch.quarantine", lab.Address("h1"), "playbook contain-traced-source", "infected WS-VICTIM (W32.Worm.Share)"), (
                record.RootElement.GetProperty("id").GetString(), record.RootElement.GetProperty("status").GetString(), record.RootElement.GetProperty("action").GetString(),
                record.RootElement.GetProperty("target").GetString(), record.RootElement.GetProperty("created_by").GetString(), record.RootElement.GetProperty("reason").GetString()));
        }
        finally
        {
            var (exit, stdout, stderr) = await CliAsync("release", id, "--comment", "reimaged", "--url", $"http://127.0.0.1:{_port}", "--key-file", _keyFile);
            Assert.True(exit == 0, stderr);
            released = stdout;
        }

        Assert.Contains($"containment {id} released", released, StringComparison.Ordinal);
        Assert.True(await lab.PingEventually("h1", lab.Address("h2"), attempts: 10), "h1 should reach h2 after release");
        var (_, show, _) = await CliAsync("containments", "show", id, "--output", "json");
        using var after = JsonDocument.Parse(show);
        Assert.Equal(("released", "alice"), (after.RootElement.GetProperty("status").GetString(), after.RootElement.GetProperty("released_by").GetString()));
    }

    [LabFact]
    public async Task ContainByHand_Shutdown_TakesTheLinkDown_ReleaseBringsItUp()
    {
        Assert.True(await lab.PingEventually("h2", lab.Address("gateway")), "h2 talks to its gateway, so the switch knows its MAC");

        var (exit, stdout, stderr) = await CliAsync("contain", "--ip", lab.Address("h2"), "--switch-action", "shutdown", "--reason", "PsExec from h2",
            "--url", $"http://127.0.0.1:{_port}", "--key-file", _keyFile);

        Assert.True(exit == 0, stderr);
        Assert.Contains("switch.shutdown_port on lab-sw p2, verified", stdout, StringComparison.Ordinal);
        var id = stdout[(stdout.IndexOf("containment ", StringComparison.Ordinal) + "containment ".Length)..].Split(' ')[0];
        try
        {
            Assert.Contains("NO-CARRIER", (await lab.Exec("h2", "ip", "link", "show", "eth0")).StdOut, StringComparison.Ordinal);
            Assert.True(await lab.PingNeverAnswers("h2", lab.Address("h1")), "h2's link is down");
            using var record = JsonDocument.Parse(await GetAsync($"api/v1/containments/{id}"));
            Assert.Equal(("active", "alice", "PsExec from h2"), (record.RootElement.GetProperty("status").GetString(), record.RootElement.GetProperty("created_by").GetString(), record.RootElement.GetProperty("reason").GetString()));
        }
        finally
        {
            using var release = await SendAsync(HttpMethod.Post, $"api/v1/containments/{id}/release", AdminKey, """{"comment":"clean"}""");
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        }

        Assert.True(await lab.PingEventually("h2", lab.Address("h1"), attempts: 10), "h2 should reach h1 after release");
        var (again, _, twice) = await CliAsync("release", id, "--url", $"http://127.0.0.1:{_port}", "--key-file", _keyFile);
        Assert.Equal(1, again);
        Assert.Contains($"containment {id} is already released (by alice)", twice, StringComparison.Ordinal);
    }

    [LabFact]
    public async Task ContainByHand_ForThreeSeconds_IsUndoneByItsExpiry()
    {
        Assert.True(await lab.PingEventually("h3", lab.Address("gateway")), "h3 talks to its gateway, so the switch knows its MAC");

        var (exit, stdout, stderr) = await CliAsync("contain", "--ip", lab.Address("h3"), "--switch-action", "shutdown", "--for", "3s",
            "--url", $"http://127.0.0.1:{_port}", "--key-file", _keyFile);

        Assert.True(exit == 0, stderr);
        var id = stdout[(stdout.IndexOf("containment ", StringComparison.Ordinal) + "containment ".Length)..].Split(' ')[0];
        Assert.Contains("NO-CARRIER", (await lab.Exec("h3", "ip", "link", "show", "eth0")).StdOut, StringComparison.Ordinal);
        await EventuallyAsync(async () =>
        {
            using var record = JsonDocument.Parse(await GetAsync($"api/v1/containments/{id}"));
            return record.RootElement.GetProperty("status").GetString() == "expired" ? "expired" : null;
        }, "the shutdown has expired");
        Assert.True(await lab.PingEventually("h3", lab.Address("h1"), attempts: 10), "h3 is back after its containment expired");
    }

    private async Task<(int ExitCode, string StdOut, string StdErr)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build().Parse([.. args, "--config", _configFile, "--data", Path.Combine(_root, "data")])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await Http.SendAsync(request);
    }

    private async Task<string> GetAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, AdminKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private static async Task<string> EventuallyAsync(Func<Task<string?>> probe, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"timed out waiting until {what}");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
