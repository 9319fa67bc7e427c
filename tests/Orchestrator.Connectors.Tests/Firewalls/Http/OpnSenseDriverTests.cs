using System.Text;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Tests.Paging;
using static Orchestrator.Connectors.Tests.Firewalls.Http.FirewallTestKit;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

public class OpnSenseDriverTests
{
    private const string Key = "w86XNZob/8Oq8aC5r0kbNarNtdpoQU781fyoeaOBQsBwkXUt";
    private const string Secret = "XeD26XVrJ5ilAc/EmglCRC+0j2e57tRsjHwFepOseySWLM53pJASeTA3";

    [Fact]
    public async Task BlockListUnblock_RoundTrip_AddsEachAddressOnceToTheAlias()
    {
        var vendor = new OpnSenseVendor(Key, Secret, "orchestrator_blocked");
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client();
        var batch = Batch(TimeSpan.FromHours(1));
        var driver = new OpnSenseDriver(http);

        var trip = await RoundTripAsync(driver, Device(OpnSenseDriver.DriverName, server, Secrets()), batch, TimeSpan.FromHours(2));

        Assert.False(driver.NativeExpiry);
        AssertEachOnce(batch, trip.Blocked);
        AssertEachOnce(batch, trip.Refreshed);
        Assert.All(trip.Refreshed, b => Assert.Null(b.Remaining));
        Assert.Empty(trip.Released);
        Assert.Empty(vendor.Content);
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Key}:{Secret}"));
        Assert.All(server.Requests, r => Assert.Equal(basic, r.Header("Authorization")));
    }

    [Fact]
    public async Task BlockAsync_FirstEntryBlockedAgain_NotStoredTwice()
    {
        // The controller's existing-entry check misses index 0: a second add of the first address would store it twice.
        var vendor = new OpnSenseVendor(Key, Secret, "quarantine");
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client();
        var device = Device(OpnSenseDriver.DriverName, server, Secrets(), new() { ["alias"] = "quarantine" });
        var driver = new OpnSenseDriver(http);

        await driver.BlockAsync(device, [new(First, null)], CancellationToken.None);
        await driver.BlockAsync(device, [new(First, null), new(V6, null)], CancellationToken.None);

        Assert.Equal(["198.51.100.7/32", "2001:db8::5/128"], vendor.Content);
        Assert.Equal(
            ["GET list/quarantine", "POST add/quarantine {\"address\":\"198.51.100.7\"}", "GET list/quarantine", "POST add/quarantine {\"address\":\"2001:db8::5\"}"],
            server.Requests.Select(r => $"{r.Method} {r.Path["/api/firewall/alias_util/".Length..]} {r.Body}".TrimEnd()));
    }

    [Fact]
    public async Task BlockAsync_StatusNotDone_RefusedWithTheStatus()
    {
        await using var server = await StandIn.StartAsync(new OpnSenseVendor(Key, Secret, "orchestrator_blocked").Handle);
        server.Then(new Reply(200, """{"total":0,"rowCount":0,"current":1,"rows":[]}"""), new Reply(200, """{"status":"failed"}"""));
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new OpnSenseDriver(http).BlockAsync(
            Device(OpnSenseDriver.DriverName, server, Secrets()), [new(First, null)], CancellationToken.None));

        Assert.EndsWith("refused: add 198.51.100.7 to alias 'orchestrator_blocked': status failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_WrongSecret_CarriesOpnSensesMessageAndNoCredential()
    {
        await using var server = await StandIn.StartAsync(new OpnSenseVendor(Key, "another-secret", "orchestrator_blocked").Handle);
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new OpnSenseDriver(http).ListAsync(Device(OpnSenseDriver.DriverName, server, Secrets()), CancellationToken.None));

        Assert.Contains("HTTP 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("Authentication Failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Secrets() => new() { ["api_key"] = Key, ["api_secret"] = Secret };
}
