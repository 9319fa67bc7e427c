using System.Security.Cryptography.X509Certificates;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Firewalls.Http;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Connectors.Tests.Email;
using Orchestrator.Connectors.Tests.Paging;
using static Orchestrator.Connectors.Tests.Firewalls.Http.FirewallTestKit;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

public class FirewallHttpTests
{
    [Fact]
    public async Task Driver_SelfSignedCertificatePinned_BlocksOverHttps()
    {
        var certificate = TestCertificate.SelfSigned();
        var vendor = new RouterOsVendor(RouterUser, RouterPassword);
        using var served = Served(certificate);
        await using var rig = await RouterAsync(vendor, new() { ["scheme"] = "https", ["pinned_sha256"] = certificate.Sha256.ToUpperInvariant() }, certificate: served);

        await BlockAsync(rig);

        Assert.Equal("https", rig.Server.Url.Scheme);
        Assert.Equal("198.51.100.7", Assert.Single(vendor.Entries).Address);
    }

    [Fact]
    public async Task Driver_CertificateFromTheConfiguredCa_BlocksOverHttps()
    {
        var certificate = TestCertificate.IssuedByTestCa();
        var vendor = new RouterOsVendor(RouterUser, RouterPassword);
        using var served = Served(certificate);
        await using var rig = await RouterAsync(vendor, new() { ["scheme"] = "https", ["ca_file"] = certificate.CaPath! }, certificate: served);

        await BlockAsync(rig);

        Assert.Single(vendor.Entries);
    }

    [Theory]
    [InlineData(false, "is not trusted: set options.ca_file to its CA, or options.pinned_sha256 to {0}")]
    [InlineData(true, "(SHA-256 {0}) is not the pinned_sha256 certificate")]
    public async Task Driver_UntrustedCertificate_RefusedAtOnceNamingItsFingerprint(bool pinAnother, string expected)
    {
        var certificate = TestCertificate.SelfSigned();
        using var served = Served(certificate);
        var options = new Dictionary<string, string> { ["scheme"] = "https" };
        if (pinAnother)
        {
            options["pinned_sha256"] = TestCertificate.SelfSigned().Sha256;
        }

        var time = new InstantTimeProvider();
        await using var rig = await RouterAsync(options: options, time: time, certificate: served);

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(rig.Http).ListAsync(rig.Device, CancellationToken.None));

        Assert.Contains("firewall 'edge-fw' (mikrotik at https://127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, certificate.Sha256), error.Message, StringComparison.Ordinal);
        Assert.Empty(rig.Requests);
        Assert.Empty(time.Waits);
    }

    [Fact]
    public async Task Driver_BusyThenFailingThenFine_RetriedAfterRetryAfterAndBackoff()
    {
        var vendor = new RouterOsVendor(RouterUser, RouterPassword);
        var time = new InstantTimeProvider();
        await using var rig = await RouterAsync(vendor, time: time);
        rig.Server.Then(
            new Reply(429, """{"error":429,"message":"Too Many Requests"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "7" }),
            new Reply(503, """{"error":503,"message":"Service Unavailable"}"""));

        await BlockAsync(rig);

        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(2)], time.Waits);
        Assert.Single(vendor.Entries);
    }

    [Fact]
    public async Task Driver_StillFailingAfterEveryAttempt_SaysSoWithTheLastAnswer()
    {
        await using var rig = await RouterAsync(attempts: 2, handle: _ => new Reply(502, """{"error":502,"message":"Bad Gateway"}"""));

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(rig.Http).ListAsync(rig.Device, CancellationToken.None));

        Assert.EndsWith("gave up after 2 attempt(s): HTTP 502 Bad Gateway: Bad Gateway", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, rig.Requests.Count);
    }

    [Theory]
    [InlineData("scheme", "ftp", "options.scheme 'ftp' must be https")]
    [InlineData("pinned_sha256", "abc", "options.pinned_sha256: must be 64 hex digits")]
    [InlineData("ca_file", "/nonexistent/ca.pem", "options.ca_file: '/nonexistent/ca.pem' does not exist")]
    [InlineData("timeout", "soon", "options.timeout 'soon' is not a positive duration")]
    public async Task Driver_UnusableTransportOption_RefusedNamingIt(string option, string value, string expected)
    {
        await using var rig = await RouterAsync(options: new() { ["scheme"] = "https", [option] = value });

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(rig.Http).ListAsync(rig.Device, CancellationToken.None));

        Assert.StartsWith("inventory.yaml:12:3: firewall 'edge-fw'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(rig.Requests);
    }

    [Fact]
    public async Task Driver_CredentialMissing_SaysWhichAndHowToWriteIt()
    {
        await using var rig = await Rig.StartAsync(MikroTikDriver.DriverName, new RouterOsVendor(RouterUser, RouterPassword).Handle, new Dictionary<string, string> { ["username"] = RouterUser });

        var error = await Assert.ThrowsAsync<FirewallException>(() => new MikroTikDriver(rig.Http).ListAsync(rig.Device, CancellationToken.None));

        Assert.EndsWith("credentials.password is required (e.g. password: ${env:MIKROTIK_PASSWORD})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EveryHttpDriver_RegisteredUnderItsInventoryName()
    {
        using var sessions = new SshSessionPool();

        var drivers = FirewallDrivers.Create(sessions, TimeProvider.System);

        Assert.IsType<PaloAltoDriver>(drivers["paloalto"]);
        Assert.IsType<FortiGateDriver>(drivers["fortigate"]);
        Assert.IsType<OpnSenseDriver>(drivers["opnsense"]);
        Assert.IsType<MikroTikDriver>(drivers["mikrotik"]);
    }

    private static Task BlockAsync(Rig rig) =>
        new MikroTikDriver(rig.Http).BlockAsync(rig.Device, [new(First, TimeSpan.FromHours(1))], CancellationToken.None);

    /// <summary>The certificate with its key as Kestrel serves it (a PFX round trip gives it a usable private key on every platform).</summary>
    private static X509Certificate2 Served(TestCertificate certificate)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificate.CertificatePath, certificate.KeyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
