using System.Text.Json.Nodes;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Tests.Paging;
using static Orchestrator.Connectors.Tests.Firewalls.Http.FirewallTestKit;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

public class MikroTikDriverTests
{
    private const string User = "orchestrator";
    private const string Password = "c0rrect-h0rse-battery";

    [Fact]
    public async Task BlockListUnblock_RoundTrip_OneEntryPerAddressWithItsRemainingTimeout()
    {
        var vendor = new RouterOsVendor(User, Password);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client();
        var batch = Batch(TimeSpan.FromHours(1));

        var trip = await RoundTripAsync(new MikroTikDriver(http), Device(MikroTikDriver.DriverName, server, Secrets()), batch, TimeSpan.FromDays(9));

        AssertEachOnce(batch, trip.Blocked);
        Assert.All(trip.Blocked, b => Assert.Equal(TimeSpan.FromHours(1), b.Remaining));
        AssertEachOnce(batch, trip.Refreshed);
        Assert.All(trip.Refreshed, b => Assert.Equal(TimeSpan.FromDays(9), b.Remaining));
        Assert.Empty(trip.Released);
        Assert.Empty(vendor.Entries);

        // Created once (PUT), refreshed in place (PATCH with the new timeout), never added twice.
        Assert.Equal(3, server.Requests.Count(r => r.Method == "PUT"));
        Assert.Equal(["9d", "9d", "9d"], server.Requests.Where(r => r.Method == "PATCH").Select(r => (string?)JsonNode.Parse(r.Body)!["timeout"]));
        Assert.Contains(server.Requests, r => r.Method == "PUT" && r.Path == "/rest/ipv6/firewall/address-list");
    }

    [Fact]
    public async Task BlockAsync_NewEntry_PutsTheDocumentedBody()
    {
        var vendor = new RouterOsVendor(User, Password);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client();
        var device = Device(MikroTikDriver.DriverName, server, Secrets(), new() { ["list"] = "blocked" });

        await new MikroTikDriver(http).BlockAsync(device, [new(First, TimeSpan.FromSeconds(93784.2), "containment \"7\"\n")], CancellationToken.None);

        Assert.Equal(["GET /rest/ip/firewall/address-list?list=blocked", "PUT /rest/ip/firewall/address-list"], server.Requests.Select(r => $"{r.Method} {r.Path}{r.Query}"));
        Assert.Equal("""{"list":"blocked","address":"198.51.100.7","timeout":"1d2h3m5s","comment":"containment \u00227\u0022"}""", server.Requests[1].Body);
        Assert.Equal(TimeSpan.FromSeconds(93785), Assert.Single(vendor.Entries).Timeout);
    }

    [Fact]
    public async Task BlockAsync_TimedEntryBlockedWithoutEnd_ReplacedByAStaticEntry()
    {
        var vendor = new RouterOsVendor(User, Password);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client();
        var device = Device(MikroTikDriver.DriverName, server, Secrets());
        var driver = new MikroTikDriver(http);

        await driver.BlockAsync(device, [new(First, TimeSpan.FromHours(1))], CancellationToken.None);
        await driver.BlockAsync(device, [new(First, null)], CancellationToken.None);

        var entry = Assert.Single(vendor.Entries);
        Assert.Null(entry.Timeout);
        Assert.Null(Assert.Single(await driver.ListAsync(device, CancellationToken.None)).Remaining);
    }

    [Fact]
    public async Task BlockAsync_RouterRefuses_CarriesItsMessageAndDetailNotThePassword()
    {
        await using var server = await StandIn.StartAsync(new RouterOsVendor(User, Password).Handle);
        server.Then(new Reply(200, "[]"), new Reply(400, """{"error":400,"message":"Bad Request","detail":"failure: list name too long"}"""));
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(http).BlockAsync(
            Device(MikroTikDriver.DriverName, server, Secrets()), [new(First, TimeSpan.FromHours(1))], CancellationToken.None));

        Assert.Contains("firewall 'edge-fw' (mikrotik", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("refused: HTTP 400 Bad Request: Bad Request: failure: list name too long", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnblockAsync_EntryExpiredMeanwhile_NoError()
    {
        var vendor = new RouterOsVendor(User, Password);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client();
        var device = Device(MikroTikDriver.DriverName, server, Secrets());
        var driver = new MikroTikDriver(http);
        await driver.BlockAsync(device, [new(First, TimeSpan.FromSeconds(5))], CancellationToken.None);

        // The listing still shows the entry; by the DELETE its timeout has ended.
        server.Then(new Reply(200, $$"""[{".id":"{{vendor.Entries[0].Id}}","list":"orchestrator-blocked","address":"198.51.100.7","timeout":"1s"}]"""));
        vendor.Entries.Clear();
        await driver.UnblockAsync(device, [First], CancellationToken.None);

        Assert.Equal(["GET", "DELETE", "GET"], server.Requests.Skip(2).Select(r => r.Method));
    }

    [Fact]
    public async Task BlockAsync_LongerThanRouterOsKeeps_Refused()
    {
        await using var server = await StandIn.StartAsync(new RouterOsVendor(User, Password).Handle);
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(http).BlockAsync(
            Device(MikroTikDriver.DriverName, server, Secrets()), [new(First, TimeSpan.FromDays(300))], CancellationToken.None));

        Assert.Contains("at most 35w3d13h13m56s", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Secrets() => new() { ["username"] = User, ["password"] = Password };
}
