using System.Net;
using System.Security.Cryptography.X509Certificates;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Tests.Email;
using Orchestrator.Connectors.Tests.Paging;
using static Orchestrator.Connectors.Tests.Firewalls.Http.FirewallTestKit;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

public class FirewallHttpTests
{
    private const string User = "orchestrator";
    private const string Password = "c0rrect-h0rse-battery";

    [Fact]
    public async Task Driver_SelfSignedCertificatePinned_BlocksOverHttps()
    {
        var certificate = TestCertificate.SelfSigned();
        var vendor = new RouterOsVendor(User, Password);
        using var served = Served(certificate);
        await using var server = await StandIn.StartAsync(vendor.Handle, served);
        using var http = Client();
        var device = Device(MikroTikDriver.DriverName, server, Secrets(), new() { ["pinned_sha256"] = certificate.Sha256.ToUpperInvariant() });

        await new MikroTikDriver(http).BlockAsync(device, [new(First, TimeSpan.FromHours(1))], CancellationToken.None);

        Assert.Equal("https", server.Url.Scheme);
        Assert.Equal("198.51.100.7", Assert.Single(vendor.Entries).Address);
    }

    [Fact]
    public async Task Driver_CertificateFromTheConfiguredCa_BlocksOverHttps()
    {
        var certificate = TestCertificate.IssuedByTestCa();
        var vendor = new RouterOsVendor(User, Password);
        using var served = Served(certificate);
        await using var server = await StandIn.StartAsync(vendor.Handle, served);
        using var http = Client();
        var device = Device(MikroTikDriver.DriverName, server, Secrets(), new() { ["ca_file"] = certificate.CaPath! });

        await new MikroTikDriver(http).BlockAsync(device, [new(First, TimeSpan.FromHours(1))], CancellationToken.None);

        Assert.Single(vendor.Entries);
    }

    [Fact]
    public async Task Driver_UntrustedCertificate_RefusedAtOnceNamingItsFingerprint()
    {
        var certificate = TestCertificate.SelfSigned();
        using var served = Served(certificate);
        await using var server = await StandIn.StartAsync(new RouterOsVendor(User, Password).Handle, served);
        var time = new InstantTimeProvider();
        using var http = Client(time);

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(http).ListAsync(
            Device(MikroTikDriver.DriverName, server, Secrets()), CancellationToken.None));

        Assert.Contains("firewall 'edge-fw' (mikrotik at https://127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not trusted: set options.ca_file to its CA, or options.pinned_sha256 to " + certificate.Sha256, error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
        Assert.Empty(time.Waits);
    }

    [Fact]
    public async Task Driver_CertificateNotThePinnedOne_Refused()
    {
        var certificate = TestCertificate.SelfSigned();
        using var served = Served(certificate);
        await using var server = await StandIn.StartAsync(new RouterOsVendor(User, Password).Handle, served);
        using var http = Client();
        var device = Device(MikroTikDriver.DriverName, server, Secrets(), new() { ["pinned_sha256"] = TestCertificate.SelfSigned().Sha256 });

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(http).ListAsync(device, CancellationToken.None));

        Assert.Contains($"(SHA-256 {certificate.Sha256}) is not the pinned_sha256 certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Driver_BusyThenFailingThenFine_RetriedAfterRetryAfterAndBackoff()
    {
        var vendor = new RouterOsVendor(User, Password);
        await using var server = await StandIn.StartAsync(vendor.Handle);
        server.Then(
            new Reply(429, """{"error":429,"message":"Too Many Requests"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "7" }),
            new Reply(503, """{"error":503,"message":"Service Unavailable"}"""));
        var time = new InstantTimeProvider();
        using var http = Client(time, attempts: 3);

        await new MikroTikDriver(http).BlockAsync(Device(MikroTikDriver.DriverName, server, Secrets()), [new(First, TimeSpan.FromHours(1))], CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(2)], time.Waits);
        Assert.Single(vendor.Entries);
    }

    [Fact]
    public async Task Driver_StillFailingAfterEveryAttempt_SaysSoWithTheLastAnswer()
    {
        await using var server = await StandIn.StartAsync(_ => new Reply(502, """{"error":502,"message":"Bad Gateway"}"""));
        using var http = Client(attempts: 2);

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(http).ListAsync(Device(MikroTikDriver.DriverName, server, Secrets()), CancellationToken.None));

        Assert.EndsWith("gave up after 2 attempt(s): HTTP 502 Bad Gateway: Bad Gateway", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData("scheme", "ftp", "options.scheme 'ftp' must be https")]
    [InlineData("pinned_sha256", "abc", "options.pinned_sha256: must be 64 hex digits")]
    [InlineData("ca_file", "/nonexistent/ca.pem", "options.ca_file: '/nonexistent/ca.pem' does not exist")]
    public async Task Driver_UnusableTransportOption_RefusedNamingIt(string option, string value, string expected)
    {
        await using var server = await StandIn.StartAsync(new RouterOsVendor(User, Password).Handle);
        using var http = Client();
        var device = Device(MikroTikDriver.DriverName, server, Secrets(), new() { ["scheme"] = "https", [option] = value });

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(http).ListAsync(device, CancellationToken.None));

        Assert.StartsWith("inventory.yaml:12:3: firewall 'edge-fw'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Driver_CredentialMissing_SaysWhichAndHowToWriteIt()
    {
        await using var server = await StandIn.StartAsync(new RouterOsVendor(User, Password).Handle);
        using var http = Client();

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(http).ListAsync(
            Device(MikroTikDriver.DriverName, server, new Dictionary<string, string> { ["username"] = User }), CancellationToken.None));

        Assert.EndsWith("credentials.password is required (e.g. password: ${env:MIKROTIK_PASSWORD})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EveryHttpDriver_RegisteredUnderItsInventoryName()
    {
        using var sessions = new Orchestrator.Connectors.Switches.Ssh.SshSessionPool();

        var drivers = FirewallDrivers.Create(sessions, TimeProvider.System);

        Assert.IsType<PaloAltoDriver>(drivers["paloalto"]);
        Assert.IsType<FortiGateDriver>(drivers["fortigate"]);
        Assert.IsType<OpnSenseDriver>(drivers["opnsense"]);
        Assert.IsType<MikroTikDriver>(drivers["mikrotik"]);
    }

    /// <summary>The certificate with its key as Kestrel serves it (a PFX round trip gives it a usable private key on every platform).</summary>
    private static X509Certificate2 Served(TestCertificate certificate)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificate.CertificatePath, certificate.KeyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static Dictionary<string, string> Secrets() => new() { ["username"] = User, ["password"] = Password };
}
