using System.Text.Json.Nodes;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Tests.Paging;
using static Orchestrator.Connectors.Tests.Firewalls.Http.FirewallTestKit;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

public class MikroTikDriverTests
{
    [Fact]
    public async Task BlockListUnblock_RoundTrip_OneEntryPerAddressWithItsRemainingTimeout()
    {
        var vendor = new RouterOsVendor(RouterUser, RouterPassword);
        await using var rig = await RouterAsync(vendor);
        var batch = Batch(TimeSpan.FromHours(1));

        var trip = await RoundTripAsync(new MikroTikDriver(rig.Http), rig.Device, batch, TimeSpan.FromDays(9));

        AssertRoundTrip(batch, trip, TimeSpan.FromHours(1), TimeSpan.FromDays(9));
        Assert.Empty(vendor.Entries);

        // Created once (PUT), refreshed in place (PATCH with the new timeout), never added twice.
        Assert.Equal(3, rig.Requests.Count(r => r.Method == "PUT"));
        Assert.Equal(["9d", "9d", "9d"], rig.Requests.Where(r => r.Method == "PATCH").Select(r => (string?)JsonNode.Parse(r.Body)!["timeout"]));
        Assert.Contains(rig.Requests, r => r.Method == "PUT" && r.Path == "/rest/ipv6/firewall/address-list");
    }

    [Fact]
    public async Task BlockAsync_NewEntry_PutsTheDocumentedBody()
    {
        var vendor = new RouterOsVendor(RouterUser, RouterPassword);
        await using var rig = await RouterAsync(vendor, new() { ["list"] = "blocked" });

        await new MikroTikDriver(rig.Http).BlockAsync(rig.Device, [new(First, TimeSpan.FromSeconds(93784.2), "containment \"7\"\n")], CancellationToken.None);

        Assert.Equal(["GET /rest/ip/firewall/address-list?list=blocked", "PUT /rest/ip/firewall/address-list"], rig.Requests.Select(r => $"{r.Method} {r.Path}{r.Query}"));
        Assert.Equal("""{"list":"blocked","address":"198.51.100.7","timeout":"1d2h3m5s","comment":"containment \u00227\u0022"}""", rig.Requests[1].Body);
        Assert.Equal(TimeSpan.FromSeconds(93785), Assert.Single(vendor.Entries).Timeout);
    }

    [Fact]
    public async Task BlockAsync_TimedEntryBlockedWithoutEnd_ReplacedByAStaticEntry()
    {
        var vendor = new RouterOsVendor(RouterUser, RouterPassword);
        await using var rig = await RouterAsync(vendor);
        var driver = new MikroTikDriver(rig.Http);

        await driver.BlockAsync(rig.Device, [new(First, TimeSpan.FromHours(1))], CancellationToken.None);
        await driver.BlockAsync(rig.Device, [new(First, null)], CancellationToken.None);

        Assert.Null(Assert.Single(vendor.Entries).Timeout);
        Assert.Null(Assert.Single(await driver.ListAsync(rig.Device, CancellationToken.None)).Remaining);
    }

    [Fact]
    public async Task BlockAsync_RouterRefuses_CarriesItsMessageAndDetailNotThePassword()
    {
        await using var rig = await RouterAsync();
        rig.Server.Then(new Reply(200, "[]"), new Reply(400, """{"error":400,"message":"Bad Request","detail":"failure: list name too long"}"""));

        var error = await BlockFailsAsync(rig, TimeSpan.FromHours(1));

        Assert.Contains("firewall 'edge-fw' (mikrotik", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("refused: HTTP 400 Bad Request: Bad Request: failure: list name too long", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RouterPassword, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnblockAsync_EntryExpiredMeanwhile_NoError()
    {
        var vendor = new RouterOsVendor(RouterUser, RouterPassword);
        await using var rig = await RouterAsync(vendor);
        var driver = new MikroTikDriver(rig.Http);
        await driver.BlockAsync(rig.Device, [new(First, TimeSpan.FromSeconds(5))], CancellationToken.None);

        // The listing still shows the entry; by the DELETE its timeout has ended.
        rig.Server.Then(new Reply(200, $$"""[{".id":"{{vendor.Entries[0].Id}}","list":"orchestrator-blocked","address":"198.51.100.7","timeout":"1s"}]"""));
        vendor.Entries.Clear();
        await driver.UnblockAsync(rig.Device, [First], CancellationToken.None);

        Assert.Equal(["GET", "DELETE", "GET"], rig.Requests.Skip(2).Select(r => r.Method));
    }

    [Fact]
    public async Task BlockAsync_LongerThanRouterOsKeeps_Refused()
    {
        await using var rig = await RouterAsync();

        var error = await BlockFailsAsync(rig, TimeSpan.FromDays(300));

        Assert.Contains("at most 35w3d13h13m56s", error.Message, StringComparison.Ordinal);
        Assert.Single(rig.Requests);
    }

    private static Task<FirewallException> BlockFailsAsync(Rig rig, TimeSpan duration) =>
        Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(rig.Http).BlockAsync(rig.Device, [new(First, duration)], CancellationToken.None));
}
