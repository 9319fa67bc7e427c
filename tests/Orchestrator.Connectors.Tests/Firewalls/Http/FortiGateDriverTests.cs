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
        await using var rig = await Start(vendor.Handle, time);
        var batch = Batch(TimeSpan.FromHours(1));

        var trip = await RoundTripAsync(new FortiGateDriver(rig.Http), rig.Device, batch, TimeSpan.FromHours(2));

        AssertRoundTrip(batch, trip, TimeSpan.FromHours(1), TimeSpan.FromHours(2));
        Assert.Empty(vendor.Banned);
        Assert.All(rig.Requests, r => Assert.Equal("Bearer " + Token, r.Header("Authorization")));
    }

    [Fact]
    public async Task BlockAsync_Batch_OneRequestPerExpiryWithTheDocumentedBody()
    {
        var time = new InstantTimeProvider();
        await using var rig = await Start(new FortiOsVendor(Token, time).Handle, time, new() { ["vdom"] = "branch_1" });
        var driver = new FortiGateDriver(rig.Http);

        await driver.BlockAsync(rig.Device, [new(First, TimeSpan.FromMinutes(30)), new(V6, TimeSpan.FromMinutes(30)), new(Second, null)], CancellationToken.None);

        Assert.Equal(["/api/v2/monitor/user/banned/add_users?vdom=branch_1", "/api/v2/monitor/user/banned/add_users?vdom=branch_1"], rig.Requests.Select(r => r.Path + r.Query));
        Assert.Equal(
            ["""{"ip_addresses":["198.51.100.7","2001:db8::5"],"expiry":1800}""", """{"ip_addresses":["203.0.113.9"],"expiry":0}"""],
            rig.Requests.Select(r => JsonNode.Parse(r.Body)!.ToJsonString()));
        var listed = await driver.ListAsync(rig.Device, CancellationToken.None);
        Assert.Null(listed.Single(b => b.Address.Equals(Second)).Remaining);
    }

    [Fact]
    public async Task BlockAsync_BadToken_CarriesFortiOsStatusNotTheToken()
    {
        await using var rig = await Start(new FortiOsVendor("another-token", TimeProvider.System).Handle);

        var error = await BlockFailsAsync(rig);

        Assert.Contains("firewall 'edge-fw' (fortigate", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("status error, http_status 401", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlockAsync_DeviceRefuses_CarriesItsErrorCodeAndCliError()
    {
        await using var rig = await Start(new FortiOsVendor(Token, TimeProvider.System).Handle);
        rig.Server.Then(new Reply(424, """{"http_method":"POST","status":"error","http_status":424,"error":-23,"cli_error":"entry not found in datasource"}"""));

        var error = await BlockFailsAsync(rig);

        Assert.EndsWith("refused: HTTP 424 Failed Dependency: status error, http_status 424, error -23, cli_error entry not found in datasource", error.Message, StringComparison.Ordinal);
    }

    private static Task<Rig> Start(Func<Recorded, Reply> vendor, TimeProvider? time = null, Dictionary<string, string>? options = null) =>
        Rig.StartAsync(FortiGateDriver.DriverName, vendor, new Dictionary<string, string> { ["api_token"] = Token }, options, time);

    private static Task<FirewallException> BlockFailsAsync(Rig rig) =>
        Assert.ThrowsAsync<FirewallException>(() => new FortiGateDriver(rig.Http).BlockAsync(rig.Device, [new(First, null)], CancellationToken.None));
}
