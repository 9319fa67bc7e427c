using System.Text.Json.Nodes;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Tests.Paging;
using static Orchestrator.Connectors.Tests.Firewalls.Http.FirewallTestKit;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

public class FortiGateDriverTests
{
    private const string Token = "q8Nf5xz1m3HkQ0gJbq7wsr4tc8Ht1G";

    [Fact]
    public async Task BlockListUnblock_RoundTrip_BansEachAddressOnceWithItsRemainingTime()
    {
        var time = new InstantTimeProvider();
        var vendor = new FortiOsVendor(Token, time);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client(time);
        var batch = Batch(TimeSpan.FromHours(1));

        var trip = await RoundTripAsync(new FortiGateDriver(http), Device(FortiGateDriver.DriverName, server, Secrets()), batch, TimeSpan.FromHours(2));

        AssertEachOnce(batch, trip.Blocked);
        Assert.All(trip.Blocked, b => Assert.Equal(TimeSpan.FromHours(1), b.Remaining));
        AssertEachOnce(batch, trip.Refreshed);
        Assert.All(trip.Refreshed, b => Assert.Equal(TimeSpan.FromHours(2), b.Remaining));
        Assert.Empty(trip.Released);
        Assert.Empty(vendor.Banned);
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + Token, r.Header("Authorization")));
    }

    [Fact]
    public async Task BlockAsync_Batch_OneRequestPerExpiryWithTheDocumentedBody()
    {
        var time = new InstantTimeProvider();
        var vendor = new FortiOsVendor(Token, time);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client(time);
        var device = Device(FortiGateDriver.DriverName, server, Secrets(), new() { ["vdom"] = "branch_1" });

        await new FortiGateDriver(http).BlockAsync(device, [new(First, TimeSpan.FromMinutes(30)), new(V6, TimeSpan.FromMinutes(30)), new(Second, null)], CancellationToken.None);

        Assert.Equal(["/api/v2/monitor/user/banned/add_users?vdom=branch_1", "/api/v2/monitor/user/banned/add_users?vdom=branch_1"], server.Requests.Select(r => r.Path + r.Query));
        Assert.Equal(
            ["""{"ip_addresses":["198.51.100.7","2001:db8::5"],"expiry":1800}""", """{"ip_addresses":["203.0.113.9"],"expiry":0}"""],
            server.Requests.Select(r => JsonNode.Parse(r.Body)!.ToJsonString()));
        var listed = await new FortiGateDriver(http).ListAsync(device, CancellationToken.None);
        Assert.Null(listed.Single(b => b.Address.Equals(Second)).Remaining);
    }

    [Fact]
    public async Task BlockAsync_BadToken_CarriesFortiOsStatusNotTheToken()
    {
        await using var server = await StandIn.StartAsync(new FortiOsVendor("another-token", TimeProvider.System).Handle);
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new FortiGateDriver(http).BlockAsync(
            Device(FortiGateDriver.DriverName, server, Secrets()), [new(First, null)], CancellationToken.None));

        Assert.Contains("firewall 'edge-fw' (fortigate", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("status error, http_status 401", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlockAsync_DeviceRefuses_CarriesItsErrorCodeAndCliError()
    {
        await using var server = await StandIn.StartAsync(new FortiOsVendor(Token, TimeProvider.System).Handle);
        server.Then(new Reply(424, """{"http_method":"POST","status":"error","http_status":424,"error":-23,"cli_error":"entry not found in datasource"}"""));
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new FortiGateDriver(http).BlockAsync(
            Device(FortiGateDriver.DriverName, server, Secrets()), [new(First, null)], CancellationToken.None));

        Assert.EndsWith("refused: HTTP 424 Failed Dependency: status error, http_status 424, error -23, cli_error entry not found in datasource", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Secrets() => new() { ["api_token"] = Token };
}
