using System.Net;
using System.Security.Cryptography.X509Certificates;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Paging;
using Orchestrator.Connectors.Tests.Paging;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

/// <summary>Devices, clients and the block → list → refresh → unblock round trip the HTTP driver tests share.</summary>
internal static class FirewallTestKit
{
    public static readonly IPAddress First = IPAddress.Parse("198.51.100.7");
    public static readonly IPAddress Second = IPAddress.Parse("203.0.113.9");
    public static readonly IPAddress V6 = IPAddress.Parse("2001:db8::5");

    public const string RouterUser = "orchestrator";
    public const string RouterPassword = "c0rrect-h0rse-battery";

    /// <summary>A MikroTik stand-in and its device: the driver the transport tests (TLS, retries, options) go through.</summary>
    public static Task<Rig> RouterAsync(
        RouterOsVendor? vendor = null,
        Dictionary<string, string>? options = null,
        TimeProvider? time = null,
        int attempts = 3,
        X509Certificate2? certificate = null,
        Func<Recorded, Reply>? handle = null) =>
        Rig.StartAsync(
            Orchestrator.Connectors.Firewalls.Http.MikroTikDriver.DriverName,
            handle ?? (vendor ?? new RouterOsVendor(RouterUser, RouterPassword)).Handle,
            new Dictionary<string, string> { ["username"] = RouterUser, ["password"] = RouterPassword },
            options,
            time,
            attempts,
            certificate);

    /// <summary>A client on an instant clock with exact backoff waits, as the paging tests use.</summary>
    public static FirewallHttp Client(TimeProvider? time = null, int attempts = 3) =>
        new(time ?? new InstantTimeProvider(), new PagerRetryOptions { MaxAttempts = attempts, InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(30) }, () => 1.0);

    /// <summary>
    /// The inventory's device for a stand-in: credentials by <c>${file:…}</c> reference (each secret in its own file),
    /// plain HTTP unless <paramref name="options"/> says otherwise.
    /// </summary>
    public static DeviceDefinition Device(string driver, StandIn server, IReadOnlyDictionary<string, string> secrets, Dictionary<string, string>? options = null)
    {
        var folder = Directory.CreateTempSubdirectory("fw-secrets-").FullName;
        var credentials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, secret) in secrets)
        {
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, secret + "\n");
            credentials[name] = $"${{file:{path}}}";
        }

        options ??= [];
        options.TryAdd("scheme", server.Url.Scheme);
        return new DeviceDefinition
        {
            Name = "edge-fw",
            Driver = driver,
            Kind = DeviceKind.Firewall,
            Address = DeviceAddress.TryParse($"127.0.0.1:{server.Url.Port}", out var address) ? address! : throw new InvalidOperationException(),
            Credentials = credentials,
            Options = options,
            Location = new SourceLocation("inventory.yaml", 12, 3),
        };
    }

    public static BlockRequest[] Batch(TimeSpan? duration, bool withV6 = true) =>
        [.. ((IPAddress[])(withV6 ? [First, Second, V6] : [First, Second])).Select(a => new BlockRequest(a, duration, "containment 42"))];

    /// <summary>
    /// Blocks <paramref name="batch"/>, lists, blocks it again with <paramref name="refreshed"/>, lists, unblocks it,
    /// lists, and unblocks it once more (which must not fail): what every driver must do the same way.
    /// </summary>
    public static async Task<RoundTrip> RoundTripAsync(IFirewallDriver driver, DeviceDefinition device, BlockRequest[] batch, TimeSpan? refreshed)
    {
        var none = CancellationToken.None;
        await driver.BlockAsync(device, batch, none);
        var blocked = await driver.ListAsync(device, none);
        await driver.BlockAsync(device, [.. batch.Select(b => b with { Duration = refreshed })], none);
        var refreshedList = await driver.ListAsync(device, none);
        var addresses = batch.Select(b => b.Address).ToArray();
        await driver.UnblockAsync(device, addresses, none);
        var released = await driver.ListAsync(device, none);
        await driver.UnblockAsync(device, addresses, none);
        return new RoundTrip(blocked, refreshedList, released);
    }

    /// <summary>
    /// The round trip's outcome every driver owes: each address listed once after the block and after the refresh,
    /// with the remaining time the device reports (null where it reports none), and nothing left after the release.
    /// </summary>
    public static void AssertRoundTrip(BlockRequest[] batch, RoundTrip trip, TimeSpan? remaining, TimeSpan? refreshed)
    {
        AssertEachOnce(batch, trip.Blocked);
        Assert.All(trip.Blocked, b => Assert.Equal(remaining, b.Remaining));
        AssertEachOnce(batch, trip.Refreshed);
        Assert.All(trip.Refreshed, b => Assert.Equal(refreshed, b.Remaining));
        Assert.Empty(trip.Released);
    }

    /// <summary>Each address of <paramref name="batch"/> listed exactly once, with nothing else.</summary>
    public static void AssertEachOnce(BlockRequest[] batch, IReadOnlyList<FirewallBlock> listed) =>
        Assert.Equal(batch.Select(b => b.Address.ToString()).Order(StringComparer.Ordinal), listed.Select(b => b.Address.ToString()).Order(StringComparer.Ordinal));
}

/// <summary>A stand-in, a client and the device pointing at it, started and disposed together.</summary>
internal sealed record Rig(StandIn Server, FirewallHttp Http, DeviceDefinition Device) : IAsyncDisposable
{
    public IReadOnlyList<Recorded> Requests => Server.Requests;

    public static async Task<Rig> StartAsync(
        string driver,
        Func<Recorded, Reply> vendor,
        IReadOnlyDictionary<string, string> secrets,
        Dictionary<string, string>? options = null,
        TimeProvider? time = null,
        int attempts = 3,
        X509Certificate2? certificate = null)
    {
        var server = await StandIn.StartAsync(vendor, certificate);
        return new Rig(server, FirewallTestKit.Client(time, attempts), FirewallTestKit.Device(driver, server, secrets, options));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

internal sealed record RoundTrip(IReadOnlyList<FirewallBlock> Blocked, IReadOnlyList<FirewallBlock> Refreshed, IReadOnlyList<FirewallBlock> Released);
