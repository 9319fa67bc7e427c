using System.Net;
using System.Text.Json;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Tests.Firewalls.Http;
using Orchestrator.Connectors.Tests.Paging;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>
/// The containment ledger in the real service against a stand-in OPNsense (no native expiry, so every end is the
/// ledger's): a block by hand expires by its Quartz trigger and leaves the alias; an expiry overdue while the service was
/// down fires at start; extend moves the end; a repeat offender is blocked twice as long; a block removed by hand is put
/// back by the reconcile (drift: reapply) and audited.
/// </summary>
public sealed class FirewallLedgerTests : IAsyncLifetime
{
    private const string AdminKey = "ledger-admin-key-0123456789abcdef";
    private const string ApiKey = "opn-key-0123456789";
    private const string ApiSecret = "opn-secret-0123456789";

    private readonly OpnSenseVendor _opnsense = new(ApiKey, ApiSecret, OpnSenseDriver.DefaultAlias);
    private readonly InProcessService _service = InProcessService.Create("orch-ledger-", [("alice", "admin", AdminKey)]);
    private StandIn _standIn = null!;

    public async Task InitializeAsync()
    {
        _standIn = await StandIn.StartAsync(_opnsense.Handle);
        Environment.SetEnvironmentVariable("ORCH_TEST_OPN_KEY", ApiKey);
        Environment.SetEnvironmentVariable("ORCH_TEST_OPN_SECRET", ApiSecret);
        await File.WriteAllTextAsync(Path.Combine(_service.Playbooks, "inventory.yaml"), $$"""
            devices:
              opn:
                driver: opnsense
                address: 127.0.0.1:{{_standIn.Url.Port}}
                credentials: { api_key: "${env:ORCH_TEST_OPN_KEY}", api_secret: "${env:ORCH_TEST_OPN_SECRET}" }
                options: { scheme: http }
            """);
        await _service.StartAsync($$"""
            response:
              playbooks: {{_service.Playbooks}}
              dry_run: false
              containment:
                repeat: { multiplier: 2, max: 1d, lookback: 1h }
                reconcile: { every: 1s, drift: reapply }
            """);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task ABlockByHand_ExpiresByItsTimer_AndLeavesTheFirewall()
    {
        var id = await BlockAsync("10.60.0.1", "2s");
        Assert.Contains("10.60.0.1", Table());

        await EventuallyAsync(async () => (await ContainmentAsync(id)).GetProperty("status").GetString() == "expired", "the block has expired");

        var record = await ContainmentAsync(id);
        Assert.Equal(("expiry", "alice"), (record.GetProperty("released_by").GetString(), record.GetProperty("created_by").GetString()));
        Assert.DoesNotContain("10.60.0.1", Table());
    }

    [Fact]
    public async Task AnExpiryOverdueWhileTheServiceWasDown_FiresAtStart()
    {
        var id = await BlockAsync("10.60.0.2", "2s");

        await _service.RestartAsync(whileDown: async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Contains("10.60.0.2", Table());
        });

        await EventuallyAsync(async () => (await ContainmentAsync(id)).GetProperty("status").GetString() == "expired", "the overdue block has expired after the start");
        Assert.DoesNotContain("10.60.0.2", Table());
    }

    [Fact]
    public async Task Extend_MovesTheEnd_AndTheBlockOutlivesItsFirstExpiry()
    {
        var id = await BlockAsync("10.60.0.3", "2s");

        var (status, extended) = await SendAsync(HttpMethod.Post, $"api/v1/containments/{id}/extend", """{"for": "1h", "comment": "still infected"}""");
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(HttpStatusCode.OK, status);
        var end = DateTimeOffset.Parse(extended.GetProperty("containment").GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(end - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromHours(1));
        Assert.Equal("active", (await ContainmentAsync(id)).GetProperty("status").GetString());
        Assert.Contains("10.60.0.3", Table());
        var (shorter, refused) = await SendAsync(HttpMethod.Post, $"api/v1/containments/{id}/extend", """{"for": "5m"}""");
        Assert.Equal(HttpStatusCode.Conflict, shorter);
        Assert.Contains("would end it sooner", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARepeatOffender_IsBlockedTwiceAsLong()
    {
        var first = await BlockAsync("10.60.0.4", "10m");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"api/v1/containments/{first}/release", "")).Status);

        var second = await BlockAsync("10.60.0.4", "10m");

        var end = DateTimeOffset.Parse((await ContainmentAsync(second)).GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(end - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(19), TimeSpan.FromMinutes(20));
    }

    [Fact]
    public async Task ABlockRemovedByHand_IsPutBackByTheReconcile_AndAudited()
    {
        var id = await BlockAsync("10.60.0.5", "1h");
        _opnsense.RemoveByHand("10.60.0.5");
        Assert.DoesNotContain("10.60.0.5", Table());

        await EventuallyAsync(() => Task.FromResult(Table().Contains("10.60.0.5")), "the reconcile has blocked it again");

        var (_, runs) = await SendAsync(HttpMethod.Get, "api/v1/containments/" + id);
        Assert.Equal("active", runs.GetProperty("status").GetString());
        using var store = new Storage.Sqlite.SqliteRunStore(Path.Combine(_service.DataDirectory, Storage.Sqlite.SqliteEventStore.FileName), Storage.Sqlite.SqliteSynchronous.Full);
        var audit = await store.ReadAuditAsync(null, null, 1_000, CancellationToken.None);
        Assert.Contains(audit, a => a.Kind == "containment" && a.Text.Contains($"10.60.0.5 is blocked in the ledger (containment {id}) but not on opn", StringComparison.Ordinal) && a.Text.EndsWith("blocked again", StringComparison.Ordinal));
    }

    private string[] Table() => _opnsense.Blocked();

    private async Task<string> BlockAsync(string ip, string duration)
    {
        var (status, answer) = await SendAsync(HttpMethod.Post, "api/v1/containments", $$"""{"target": "{{ip}}", "action": "block", "device": "opn", "for": "{{duration}}", "reason": "test"}""");
        Assert.True(status == HttpStatusCode.Created, answer.ToString());
        return answer.GetProperty("containment").GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> ContainmentAsync(string id) => (await SendAsync(HttpMethod.Get, "api/v1/containments/" + id)).Body;

    private Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? body = null) =>
        InProcessService.SendAsync(_service.Http, method, path, AdminKey, body);

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what) =>
        await InProcessService.EventuallyAsync<object>(async () => await condition() ? new object() : null, what);
}
