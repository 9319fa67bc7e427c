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
        var vendor = new OpnSenseVendor(Key, Secret, OpnSenseDriver.DefaultAlias);
        await using var rig = await Start(vendor.Handle);
        var batch = Batch(TimeSpan.FromHours(1));
        var driver = new OpnSenseDriver(rig.Http);

        var trip = await RoundTripAsync(driver, rig.Device, batch, TimeSpan.FromHours(2));

        Assert.False(driver.NativeExpiry);
        AssertRoundTrip(batch, trip, remaining: null, refreshed: null);
        Assert.Empty(vendor.Content);
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Key}:{Secret}"));
        Assert.All(rig.Requests, r => Assert.Equal(basic, r.Header("Authorization")));
    }

    [Fact]
    public async Task BlockAsync_FirstEntryBlockedAgain_NotStoredTwice()
    {
        // The controller's existing-entry check misses index 0: a second add of the first address would store it twice.
        var vendor = new OpnSenseVendor(Key, Secret, "quarantine");
        await using var rig = await Start(vendor.Handle, new() { ["alias"] = "quarantine" });
        var driver = new OpnSenseDriver(rig.Http);

        await driver.BlockAsync(rig.Device, [new(First, null)], CancellationToken.None);
        await driver.BlockAsync(rig.Device, [new(First, null), new(V6, null)], CancellationToken.None);

        Assert.Equal(["198.51.100.7/32", "2001:db8::5/128"], vendor.Content);
        Assert.Equal(
            ["GET list/quarantine", "POST add/quarantine {\"address\":\"198.51.100.7\"}", "GET list/quarantine", "POST add/quarantine {\"address\":\"2001:db8::5\"}"],
            rig.Requests.Select(r => $"{r.Method} {r.Path["/api/firewall/alias_util/".Length..]} {r.Body}".TrimEnd()));
    }

    [Fact]
    public async Task BlockAsync_StatusNotDone_RefusedWithTheStatus()
    {
        await using var rig = await Start(new OpnSenseVendor(Key, Secret, OpnSenseDriver.DefaultAlias).Handle);
        rig.Server.Then(new Reply(200, """{"total":0,"rowCount":0,"current":1,"rows":[]}"""), new Reply(200, """{"status":"failed"}"""));

        var error = await Assert.ThrowsAsync<FirewallException>(() => new OpnSenseDriver(rig.Http).BlockAsync(rig.Device, [new(First, null)], CancellationToken.None));

        Assert.EndsWith("refused: add 198.51.100.7 to alias 'orchestrator_blocked': status failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_WrongSecret_CarriesOpnSensesMessageAndNoCredential()
    {
        await using var rig = await Start(new OpnSenseVendor(Key, "another-secret", OpnSenseDriver.DefaultAlias).Handle);

        var error = await Assert.ThrowsAsync<FirewallException>(() => new OpnSenseDriver(rig.Http).ListAsync(rig.Device, CancellationToken.None));

        Assert.Contains("HTTP 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("Authentication Failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    private static Task<Rig> Start(Func<Recorded, Reply> vendor, Dictionary<string, string>? options = null) =>
        Rig.StartAsync(OpnSenseDriver.DriverName, vendor, new Dictionary<string, string> { ["api_key"] = Key, ["api_secret"] = Secret }, options);
}
