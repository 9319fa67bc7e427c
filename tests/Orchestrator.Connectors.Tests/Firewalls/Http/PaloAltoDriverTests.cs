using System.Xml.Linq;
using Microsoft.AspNetCore.WebUtilities;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Tests.Paging;
using static Orchestrator.Connectors.Tests.Firewalls.Http.FirewallTestKit;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

public class PaloAltoDriverTests
{
    private const string Key = "LUFRPT1pan-api-key-0123456789abcdef==";

    [Fact]
    public async Task BlockListUnblock_RoundTrip_TagsEachAddressOnceAndRefreshesItsTimeout()
    {
        var vendor = new PanOsVendor(Key);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client();
        var device = Device(PaloAltoDriver.DriverName, server, Secrets());
        var batch = Batch(TimeSpan.FromHours(1));

        var trip = await RoundTripAsync(new PaloAltoDriver(http), device, batch, TimeSpan.FromHours(2));

        AssertEachOnce(batch, trip.Blocked);
        AssertEachOnce(batch, trip.Refreshed);
        Assert.Empty(trip.Released);
        Assert.Empty(vendor.Registered);

        // The refresh's register took (a plain re-register keeps the old timeout): the second block's timeouts are 7200 s.
        var refresh = UidMessage(server.Requests[2]);
        Assert.Equal(["unregister", "register"], refresh.Element("payload")!.Elements().Select(e => e.Name.LocalName));
        Assert.All(refresh.Descendants("register").Descendants("member"), m => Assert.Equal(("orchestrator-blocked", "7200"), (m.Value, (string?)m.Attribute("timeout"))));
        Assert.All(server.Requests, r => Assert.Equal(Key, r.Header("X-PAN-KEY")));
    }

    [Fact]
    public async Task BlockAsync_Batch_OneMessageWithEveryEntryAndItsTimeout()
    {
        var vendor = new PanOsVendor(Key);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        using var http = Client();
        var device = Device(PaloAltoDriver.DriverName, server, Secrets(), new() { ["tag"] = "quarantine", ["vsys"] = "vsys2" });

        await new PaloAltoDriver(http).BlockAsync(device, [new(First, TimeSpan.FromMinutes(90)), new(V6, null)], CancellationToken.None);

        var request = Assert.Single(server.Requests);
        var form = QueryHelpers.ParseQuery(request.Body);
        Assert.Equal(("user-id", "vsys2"), (form["type"].ToString(), form["vsys"].ToString()));
        var register = UidMessage(request).Element("payload")!.Element("register")!.Elements("entry").ToList();
        Assert.Equal([(First.ToString(), "5400"), (V6.ToString(), "0")], register.Select(e => ((string)e.Attribute("ip")!, (string)e.Descendants("member").Single().Attribute("timeout")!)));
        Assert.Equal(5400, vendor.Registered[(First.ToString(), "quarantine")]);
        Assert.Equal(0, vendor.Registered[(V6.ToString(), "quarantine")]);
    }

    [Fact]
    public async Task BlockAsync_LongerThanThirtyDays_RefusedBeforeAnythingIsSent()
    {
        await using var server = await StandIn.StartAsync(new PanOsVendor(Key).Handle);
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new PaloAltoDriver(http).BlockAsync(
            Device(PaloAltoDriver.DriverName, server, Secrets()), [new(First, TimeSpan.FromDays(31))], CancellationToken.None));

        Assert.Contains("at most 2592000 s (30 days)", error.Message, StringComparison.Ordinal);
        Assert.Contains("2678400 s", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task BlockAsync_WrongKey_CarriesTheFirewallsMessageNotTheKey()
    {
        await using var server = await StandIn.StartAsync(new PanOsVendor("another-key").Handle);
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new PaloAltoDriver(http).BlockAsync(
            Device(PaloAltoDriver.DriverName, server, Secrets()), [new(First, TimeSpan.FromHours(1))], CancellationToken.None));

        Assert.Contains("firewall 'edge-fw' (paloalto", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 403", error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid Credential", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task BlockAsync_EntryRefused_NamesTheAddressAndTheFirewallsWords()
    {
        await using var server = await StandIn.StartAsync(new PanOsVendor(Key).Handle);
        server.Then(new Reply(200, """<response status="error"><msg><line><uid-response><version>2.0</version><payload><register><entry ip="198.51.100.7" message="tag quota exceeded"/></register></payload></uid-response></line></msg></response>""", "application/xml"));
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new PaloAltoDriver(http).BlockAsync(
            Device(PaloAltoDriver.DriverName, server, Secrets()), [new(First, TimeSpan.FromHours(1))], CancellationToken.None));

        Assert.EndsWith("refused: 198.51.100.7: tag quota exceeded", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("and")]
    [InlineData("bad'tag")]
    public async Task BlockAsync_UnusableTag_RefusedNamingTheOption(string tag)
    {
        await using var server = await StandIn.StartAsync(new PanOsVendor(Key).Handle);
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new PaloAltoDriver(http).BlockAsync(
            Device(PaloAltoDriver.DriverName, server, Secrets(), new() { ["tag"] = tag }), [new(First, null)], CancellationToken.None));

        Assert.StartsWith($"inventory.yaml:12:3: firewall 'edge-fw'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"options.tag '{tag}' is not usable", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    private static Dictionary<string, string> Secrets() => new() { ["api_key"] = Key };

    private static XElement UidMessage(Recorded request) => XElement.Parse(QueryHelpers.ParseQuery(request.Body)["cmd"].ToString());
}
