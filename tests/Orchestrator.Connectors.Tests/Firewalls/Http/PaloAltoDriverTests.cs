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
        await using var rig = await Start(vendor.Handle);
        var batch = Batch(TimeSpan.FromHours(1));

        var trip = await RoundTripAsync(new PaloAltoDriver(rig.Http), rig.Device, batch, TimeSpan.FromHours(2));

        AssertRoundTrip(batch, trip, remaining: null, refreshed: null);
        Assert.Empty(vendor.Registered);

        // The refresh's register took (a plain re-register keeps the old timeout): the second block's timeouts are 7200 s.
        var refresh = UidMessage(rig.Requests[2]);
        Assert.Equal(["unregister", "register"], refresh.Element("payload")!.Elements().Select(e => e.Name.LocalName));
        Assert.All(refresh.Descendants("register").Descendants("member"), m => Assert.Equal(("orchestrator-blocked", "7200"), (m.Value, (string?)m.Attribute("timeout"))));
        Assert.All(rig.Requests, r => Assert.Equal(Key, r.Header("X-PAN-KEY")));
    }

    [Fact]
    public async Task BlockAsync_Batch_OneMessageWithEveryEntryAndItsTimeout()
    {
        var vendor = new PanOsVendor(Key);
        await using var rig = await Start(vendor.Handle, new() { ["tag"] = "quarantine", ["vsys"] = "vsys2" });

        await new PaloAltoDriver(rig.Http).BlockAsync(rig.Device, [new(First, TimeSpan.FromMinutes(90)), new(V6, null)], CancellationToken.None);

        var request = Assert.Single(rig.Requests);
        var form = QueryHelpers.ParseQuery(request.Body);
        Assert.Equal(("user-id", "vsys2"), (form["type"].ToString(), form["vsys"].ToString()));
        var register = UidMessage(request).Element("payload")!.Element("register")!.Elements("entry").ToList();
        Assert.Equal([(First.ToString(), "5400"), (V6.ToString(), "0")], register.Select(e => ((string)e.Attribute("ip")!, (string)e.Descendants("member").Single().Attribute("timeout")!)));
        Assert.Equal(5400, vendor.Registered[(First.ToString(), "quarantine")]);
        Assert.Equal(0, vendor.Registered[(V6.ToString(), "quarantine")]);
        Assert.Equal([First.ToString(), V6.ToString()], vendor.Persistent);
    }

    [Fact]
    public async Task BlockAsync_LongerThanThirtyDays_RefusedBeforeAnythingIsSent()
    {
        await using var rig = await Start(new PanOsVendor(Key).Handle);

        var error = await BlockFailsAsync(rig, TimeSpan.FromDays(31));

        Assert.Contains("at most 2592000 s (30 days)", error.Message, StringComparison.Ordinal);
        Assert.Contains("2678400 s", error.Message, StringComparison.Ordinal);
        Assert.Empty(rig.Requests);
    }

    [Fact]
    public async Task BlockAsync_WrongKey_CarriesTheFirewallsMessageNotTheKey()
    {
        await using var rig = await Start(new PanOsVendor("another-key").Handle);

        var error = await BlockFailsAsync(rig, TimeSpan.FromHours(1));

        Assert.Contains("firewall 'edge-fw' (paloalto", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 403", error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid Credential", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.Single(rig.Requests);
    }

    [Fact]
    public async Task BlockAsync_EntryRefused_NamesTheAddressAndTheFirewallsWords()
    {
        await using var rig = await Start(new PanOsVendor(Key).Handle);
        rig.Server.Then(new Reply(200, """<response status="error"><msg><line><uid-response><version>2.0</version><payload><register><entry ip="198.51.100.7" message="tag quota exceeded"/></register></payload></uid-response></line></msg></response>""", "application/xml"));

        var error = await BlockFailsAsync(rig, TimeSpan.FromHours(1));

        Assert.EndsWith("refused: 198.51.100.7: tag quota exceeded", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("and")]
    [InlineData("bad'tag")]
    public async Task BlockAsync_UnusableTag_RefusedNamingTheOption(string tag)
    {
        await using var rig = await Start(new PanOsVendor(Key).Handle, new() { ["tag"] = tag });

        var error = await BlockFailsAsync(rig, duration: null);

        Assert.StartsWith("inventory.yaml:12:3: firewall 'edge-fw'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"options.tag '{tag}' is not usable", error.Message, StringComparison.Ordinal);
        Assert.Empty(rig.Requests);
    }

    private static Task<Rig> Start(Func<Recorded, Reply> vendor, Dictionary<string, string>? options = null) =>
        Rig.StartAsync(PaloAltoDriver.DriverName, vendor, new Dictionary<string, string> { ["api_key"] = Key }, options);

    private static Task<FirewallException> BlockFailsAsync(Rig rig, TimeSpan? duration) =>
        Assert.ThrowsAsync<FirewallException>(() => new PaloAltoDriver(rig.Http).BlockAsync(rig.Device, [new(First, duration)], CancellationToken.None));

    private static XElement UidMessage(Recorded request) => XElement.Parse(QueryHelpers.ParseQuery(request.Body)["cmd"].ToString());
}
