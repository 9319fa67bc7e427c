using System.Net;
using System.Text.Json;
using Orchestrator.Cli;
using Orchestrator.Tests.EndToEnd;

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

    private readonly InProcessService _service = InProcessService.Create("orch-lab-service-", [("siem", "ingest", IngestKey), ("alice", "admin", AdminKey)]);

    public async Task InitializeAsync()
    {
        if (!LabEnvironment.IsRoot)
        {
            return;
        }

        var playbooks = _service.Playbooks;
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
        await _service.StartAsync($"""
            response:
              playbooks: {playbooks}
              dry_run: false
            """);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [LabFact]
    public async Task TracedSource_IsQuarantinedByThePlaybook_ReleaseByTheCliBringsItHome()
    {
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 before");
        Assert.True(await lab.PingEventually("h1", lab.Address("gateway")), "h1 talks to its gateway, so the switch knows its MAC");

        var (posted, _) = await InProcessService.SendAsync(_service.Http, HttpMethod.Post, "api/v1/events", IngestKey, $$"""
            {"@timestamp":"2026-11-24T09:00:00Z","event":{"category":"malware"},"host":{"name":"WS-VICTIM"},
             "source":{"ip":"{{lab.Address("h1")}}"},"rule":{"name":"W32.Worm.Share"} }
            """);
        Assert.Equal(HttpStatusCode.Accepted, posted);

        var run = await EventuallyAsync(async () =>
        {
            var runs = await GetAsync("api/v1/runs?playbook=contain-traced-source");
            var first = runs.GetProperty("runs").EnumerateArray().FirstOrDefault();
            return first.ValueKind == JsonValueKind.Object && first.GetProperty("status").GetString() is "succeeded" or "failed"
                ? first.GetProperty("id").GetString()
                : null;
        }, "finished run of the playbook");
        var detail = await GetAsync($"api/v1/runs/{run}");
        Assert.Equal("succeeded", detail.GetProperty("status").GetString());
        var steps = detail.GetProperty("steps");
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
            var (exit, stdout, stderr) = await CliAsync("release", id, "--comment", "reimaged", "--url", _service.Url, "--key-file", _service.AdminKeyFile);
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
            "--url", _service.Url, "--key-file", _service.AdminKeyFile);

        Assert.True(exit == 0, stderr);
        Assert.Contains("switch.shutdown_port on lab-sw p2, verified", stdout, StringComparison.Ordinal);
        var id = stdout[(stdout.IndexOf("containment ", StringComparison.Ordinal) + "containment ".Length)..].Split(' ')[0];
        try
        {
            Assert.Contains("NO-CARRIER", (await lab.Exec("h2", "ip", "link", "show", "eth0")).StdOut, StringComparison.Ordinal);
            Assert.True(await lab.PingNeverAnswers("h2", lab.Address("h1")), "h2's link is down");
            var record = await GetAsync($"api/v1/containments/{id}");
            Assert.Equal(("active", "alice", "PsExec from h2"), (record.GetProperty("status").GetString(), record.GetProperty("created_by").GetString(), record.GetProperty("reason").GetString()));
        }
        finally
        {
            var (release, _) = await _service.AdminAsync(HttpMethod.Post, $"api/v1/containments/{id}/release", """{"comment":"clean"}""");
            Assert.Equal(HttpStatusCode.OK, release);
        }

        Assert.True(await lab.PingEventually("h2", lab.Address("h1"), attempts: 10), "h2 should reach h1 after release");
        var (again, _, twice) = await CliAsync("release", id, "--url", _service.Url, "--key-file", _service.AdminKeyFile);
        Assert.Equal(1, again);
        Assert.Contains($"containment {id} is already released (by alice)", twice, StringComparison.Ordinal);
    }

    [LabFact]
    public async Task ContainByHand_ForThreeSeconds_IsUndoneByItsExpiry()
    {
        Assert.True(await lab.PingEventually("h3", lab.Address("gateway")), "h3 talks to its gateway, so the switch knows its MAC");

        var (exit, stdout, stderr) = await CliAsync("contain", "--ip", lab.Address("h3"), "--switch-action", "shutdown", "--for", "3s",
            "--url", _service.Url, "--key-file", _service.AdminKeyFile);

        Assert.True(exit == 0, stderr);
        var id = stdout[(stdout.IndexOf("containment ", StringComparison.Ordinal) + "containment ".Length)..].Split(' ')[0];
        Assert.Contains("NO-CARRIER", (await lab.Exec("h3", "ip", "link", "show", "eth0")).StdOut, StringComparison.Ordinal);
        await EventuallyAsync(async () =>
        {
            var record = await GetAsync($"api/v1/containments/{id}");
            return record.GetProperty("status").GetString() == "expired" ? "expired" : null;
        }, "expiry of the shutdown");
        Assert.True(await lab.PingEventually("h3", lab.Address("h1"), attempts: 10), "h3 is back after its containment expired");
    }

    private async Task<(int ExitCode, string StdOut, string StdErr)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build().Parse([.. args, "--config", _service.ConfigFile, "--data", _service.DataDirectory])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        var (status, body) = await _service.AdminAsync(HttpMethod.Get, path);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {body}");
        return body;
    }

    private static Task<string> EventuallyAsync(Func<Task<string?>> probe, string what) => InProcessService.EventuallyAsync(probe, what);
}
