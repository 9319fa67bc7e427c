using System.Net;
using Xunit.Abstractions;
using System.Text;
using System.Text.Json;
using Orchestrator.Api;
using Orchestrator.Core.Containment;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Tests.EndToEnd;

namespace Orchestrator.Lab.Tests;

/// <summary>
/// Firewall blocks through the real service (its own process) against the lab router's nftables over SSH: a burst of
/// blocks with <c>kill -9</c> in the middle leaves, after a restart, every address blocked exactly once with one
/// active ledger record each — and their expiries still fire (the ledger's, in Quartz's job store), so the set
/// empties and every record says expired. Then a block removed by hand is found by the reconcile.
/// </summary>
[Collection(SharedLab.Name)]
public sealed class FirewallServiceTests(LabFixture lab, ITestOutputHelper output) : IDisposable
{
    private const int Burst = 40;
    private readonly string _data = Directory.CreateTempSubdirectory("orch-lab-fw-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [LabFact]
    public async Task KillMinus9_InABurstOfBlocks_AfterRestartEachAddressIsBlockedOnce_AndEveryExpiryFires()
    {
        var config = Configure(blockFor: "12s");
        var addresses = Enumerable.Range(1, Burst).Select(i => $"10.251.0.{i}").ToList();
        Dictionary<string, string> atKill;
        await using (var server = await OrchestratorProcess.StartAsync(_data, config))
        {
            await PostAsync(server, addresses);

            // Killed while the blocks are being made: once the first is in the ledger, a moment later.
            await OrchestratorProcess.WaitUntilAsync(async () => (await LedgerStatesAsync()).Count > 0, "the first block is in the ledger");
            await Task.Delay(Random.Shared.Next(0, 20));
            server.KillHard();
            atKill = await LedgerStatesAsync();
        }

        output.WriteLine($"at the kill: {Describe(atKill)} of {Burst}");

        await using (var restarted = await OrchestratorProcess.StartAsync(_data, config))
        {
            await OrchestratorProcess.WaitUntilAsync(async () => (await LedgerStatesAsync()).Count(s => s.Value == "active") == Burst, $"all {Burst} blocks are active after the restart (at the kill: {Describe(atKill)})");
            var states = await LedgerStatesAsync();
            Assert.Equal(addresses.Order(), states.Keys.Order());
            var set = await SetAsync();
            Assert.Equal(addresses.Order(), set.Order());
            Assert.Equal(Burst, set.Distinct().Count());

            await OrchestratorProcess.WaitUntilAsync(async () => (await LedgerStatesAsync()).Values.All(s => s == "expired"), "every block has expired in the ledger");
            Assert.Empty(await SetAsync());
        }

        using var ledger = new SqliteContainmentLedger(Path.Combine(_data, SqliteEventStore.FileName), SqliteSynchronous.Full);
        foreach (var address in addresses)
        {
            var record = Assert.Single(await ledger.ForTargetAsync(address, 10, CancellationToken.None));
            Assert.Equal((ContainmentStatus.Expired, "expiry"), (record.Status, record.ReleasedBy));
        }
    }

    private string Configure(string blockFor)
    {
        var playbooks = Directory.CreateDirectory(Path.Combine(_data, "playbooks")).FullName;
        File.WriteAllText(Path.Combine(playbooks, "inventory.yaml"), "devices:\n" + lab.RouterYaml());
        File.WriteAllText(Path.Combine(playbooks, "block.yaml"), $$$"""
            id: block-traced-source
            on: infection.traced
            when: event.source.ip != null
            steps:
              - firewall.block: { device: lab-rtr, ip: "{{ event.source.ip }}", for: {{{blockFor}}}, reason: "crash test" }
            """);
        return $"""
            response:
              playbooks: {playbooks}
              dry_run: false
              blast_radius: {"{"} global: 100000, per_playbook: 100000 {"}"}
              containment: {"{"} repeat: {"{"} multiplier: 1 {"}"} {"}"}
            """;
    }

    private static async Task PostAsync(OrchestratorProcess server, IEnumerable<string> sources)
    {
        var body = string.Join('\n', sources.Select((ip, i) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["@timestamp"] = "2026-11-24T09:00:00Z",
            ["event"] = new Dictionary<string, string> { ["category"] = "malware" },
            ["host"] = new Dictionary<string, string> { ["name"] = $"VICTIM-{i}" },
            ["source"] = new Dictionary<string, string> { ["ip"] = ip },
            ["rule"] = new Dictionary<string, string> { ["name"] = "W32.Worm.Share" },
        })));
        using var request = server.Request(HttpMethod.Post, "/api/v1/events", OrchestratorProcess.IngestKey, new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    // The ledger straight from the database file (the service may be dead): address -> status.
    private async Task<Dictionary<string, string>> LedgerStatesAsync()
    {
        var path = Path.Combine(_data, SqliteEventStore.FileName);
        if (!File.Exists(path))
        {
            return [];
        }

        using var ledger = new SqliteContainmentLedger(path, SqliteSynchronous.Full);
        return (await ledger.ListAsync(activeOnly: false, 10_000, CancellationToken.None)).ToDictionary(r => r.Target, r => r.Status.ToString().ToLowerInvariant());
    }

    // The router's blocked set, as nft lists it.
    private async Task<List<string>> SetAsync()
    {
        var listed = await lab.Exec("rtr", "nft", "-j", "list", "set", "inet", "orchestrator", "blocked");
        Assert.True(listed.Succeeded, listed.ToString());
        using var document = JsonDocument.Parse(listed.StdOut);
        var set = document.RootElement.GetProperty("nftables").EnumerateArray().Single(e => e.TryGetProperty("set", out _)).GetProperty("set");
        return set.TryGetProperty("elem", out var elements)
            ? [.. elements.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetProperty("elem").GetProperty("val").GetString()!)]
            : [];
    }

    private static string Describe(Dictionary<string, string> states) =>
        states.Count == 0 ? "no record yet" : string.Join(", ", states.GroupBy(s => s.Value).Select(g => $"{g.Count()} {g.Key}"));
}
