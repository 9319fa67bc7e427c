using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Snmp.Tests.V3;

[Collection(SnmpdV3Tests.Name)]
public class SnmpdV3InteropTests(SnmpdV3Fixture agent)
{
    private static readonly Oid SysDescr = Oid.Parse("1.3.6.1.2.1.1.1.0");
    private static readonly Oid SysLocation = Oid.Parse("1.3.6.1.2.1.1.6.0");
    private static readonly Oid System = Oid.Parse("1.3.6.1.2.1.1");
    private static readonly Oid IfTable = Oid.Parse("1.3.6.1.2.1.2.2");
    private static readonly Oid IfNumber = Oid.Parse("1.3.6.1.2.1.2.1.0");

    [Theory]
    [InlineData("sha-aes")]
    [InlineData("sha224-aes")]
    [InlineData("sha256-aes")]
    [InlineData("sha384-aes")]
    [InlineData("sha512-des")]
    [InlineData("md5-des")]
    [InlineData("md5-auth")]
    [InlineData("noauth")]
    public async Task GetAsync_EachUsmUser_ReturnsTheAgentsLinuxDescription(string user)
    {
        await using SnmpClient client = agent.CreateClient(user);
        VarBind result = await client.GetAsync(SysDescr);
        Assert.Equal(SysDescr, result.Oid);
        Assert.StartsWith("Linux ", result.Value.AsText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha-aes")]
    [InlineData("sha256-aes")]
    [InlineData("sha512-des")]
    public async Task SetAsync_AuthPriv_IsReadBackByAnotherClient(string user)
    {
        string location = "rack-" + RandomNumberGenerator.GetHexString(8);
        await using SnmpClient writer = agent.CreateClient(user);
        VarBind answer = await writer.SetAsync(SysLocation, SnmpValue.FromText(location));
        Assert.Equal(location, answer.Value.AsText());

        await using SnmpClient reader = agent.CreateClient("md5-auth");
        Assert.Equal(location, (await reader.GetAsync(SysLocation)).Value.AsText());
    }

    [Fact]
    public async Task BulkWalkAsync_AuthPrivShaAes_ReturnsTheOidsNetSnmpWalkPrints()
    {
        SnmpUsmOptions user = agent.Users["sha-aes"];
        IReadOnlyList<Oid> expected = await agent.NetSnmpWalkAsync(user, IfTable.ToString());
        await using SnmpClient client = agent.CreateClient(user);
        List<Oid> walked = await client.BulkWalkAsync(IfTable, maxRepetitions: 7).Select(v => v.Oid).ToListAsync();
        Assert.NotEmpty(walked);
        Assert.Equal(expected, walked);
    }

    [Fact]
    public async Task WalkAsync_AuthPrivSha256Aes_WalksTheSystemGroupInOrder()
    {
        await using SnmpClient client = agent.CreateClient("sha256-aes");
        List<Oid> walked = await client.WalkAsync(System).Select(v => v.Oid).ToListAsync();
        Assert.Contains(SysDescr, walked);
        Assert.All(walked.Zip(walked.Skip(1)), pair => Assert.True(pair.First < pair.Second));
    }

    [Fact]
    public async Task GetAsync_WrongAuthPassword_FailsWithAuthenticationFailedWithoutThePassword()
    {
        SnmpUsmOptions right = agent.Users["sha-aes"];
        SnmpUsmOptions wrong = Copy(right, authPassword: "wrong-" + RandomNumberGenerator.GetHexString(10, lowercase: true));
        await using SnmpClient client = agent.CreateClient(wrong);

        SnmpSecurityException e = await Assert.ThrowsAsync<SnmpSecurityException>(() => client.GetAsync(SysDescr));

        Assert.Equal(SnmpSecurityFailure.AuthenticationFailed, e.Reason);
        Assert.Contains("'sha-aes'", e.Message, StringComparison.Ordinal);
        Assert.Contains(agent.Endpoint.ToString(), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.AuthPassword!, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.PrivPassword!, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_WrongAuthProtocol_FailsWithAuthenticationFailed()
    {
        SnmpUsmOptions wrong = Copy(agent.Users["sha256-aes"], authProtocol: SnmpAuthProtocol.Sha1);
        await using SnmpClient client = agent.CreateClient(wrong);

        SnmpSecurityException e = await Assert.ThrowsAsync<SnmpSecurityException>(() => client.GetAsync(SysDescr));

        Assert.Equal(SnmpSecurityFailure.AuthenticationFailed, e.Reason);
    }

    [Fact]
    public async Task GetAsync_WrongPrivPassword_TimesOutWithoutThePassword()
    {
        // AES-CFB "decrypts" with any key; net-snmp then cannot parse the scoped PDU and drops it without a Report
        // (usmStatsDecryptionErrors is only for ciphertext it cannot decrypt at all), so the client sees a timeout.
        SnmpUsmOptions wrong = Copy(agent.Users["sha-aes"], privPassword: "wrong-" + RandomNumberGenerator.GetHexString(10, lowercase: true));
        await using SnmpClient client = agent.CreateClient(wrong, retries: 0, timeout: TimeSpan.FromSeconds(1));

        SnmpTimeoutException e = await Assert.ThrowsAsync<SnmpTimeoutException>(() => client.GetAsync(SysDescr));

        Assert.Contains("credentials", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.PrivPassword!, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.AuthPassword!, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_UnknownUser_FailsWithUnknownUser()
    {
        SnmpUsmOptions stranger = Copy(agent.Users["sha-aes"], user: "stranger");
        await using SnmpClient client = agent.CreateClient(stranger);

        SnmpSecurityException e = await Assert.ThrowsAsync<SnmpSecurityException>(() => client.GetAsync(SysDescr));

        Assert.Equal(SnmpSecurityFailure.UnknownUser, e.Reason);
        Assert.Contains("'stranger'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_NoAuthUserAskingForAuthentication_FailsWithUnsupportedSecurityLevel()
    {
        SnmpUsmOptions upgraded = Copy(agent.Users["noauth"], authProtocol: SnmpAuthProtocol.Md5, authPassword: "some-password");
        await using SnmpClient client = agent.CreateClient(upgraded);

        SnmpSecurityException e = await Assert.ThrowsAsync<SnmpSecurityException>(() => client.GetAsync(SysDescr));

        Assert.Equal(SnmpSecurityFailure.UnsupportedSecurityLevel, e.Reason);
    }

    [Fact]
    public async Task GetAsync_ContextLab_ReadsTheProxiedSystemGroupButNotTheInterfaces()
    {
        await using SnmpClient inDefault = agent.CreateClient("sha-aes");
        await using SnmpClient inLab = agent.CreateClient(Copy(agent.Users["sha-aes"], contextName: "lab"));

        Assert.StartsWith("Linux ", (await inLab.GetAsync(SysDescr)).Value.AsText(), StringComparison.Ordinal);

        // The default context has ifNumber; "lab" only proxies the system group, so the context name did arrive.
        Assert.True((await inDefault.GetAsync(IfNumber)).Value.AsInt32() >= 1);
        SnmpNoSuchException e = await Assert.ThrowsAsync<SnmpNoSuchException>(() => inLab.GetAsync(IfNumber));
        Assert.Equal(IfNumber, e.Oid);
    }

    [Fact]
    public async Task GetAsync_LocalClockAnHourAhead_ResynchronisesAfterNotInTimeWindowAndAnswers()
    {
        Oid notInTimeWindows = Oid.Parse("1.3.6.1.6.3.15.1.1.2.0");
        await using SnmpClient observer = agent.CreateClient("md5-auth");

        // The fake clock never fires the request timeout, so each exchange waits for snmpd's answer; the token only
        // keeps a lost datagram from hanging the test run.
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        using CancellationTokenSource guard = new(TimeSpan.FromMinutes(1));
        await using SnmpClient client = agent.CreateClient(agent.Users["sha256-aes"], clock: clock);
        Assert.StartsWith("Linux ", (await client.GetAsync(SysDescr, guard.Token)).Value.AsText(), StringComparison.Ordinal);
        uint before = (await observer.GetAsync(notInTimeWindows)).Value.AsUInt32();

        clock.Advance(TimeSpan.FromHours(1));
        Assert.StartsWith("Linux ", (await client.GetAsync(SysDescr, guard.Token)).Value.AsText(), StringComparison.Ordinal);

        // snmpd did refuse the first attempt as out of its window; the client took the time from that report.
        Assert.True((await observer.GetAsync(notInTimeWindows)).Value.AsUInt32() > before);
    }

    [Fact]
    public async Task GetAsync_200ConcurrentOnAFreshClient_AllAnsweredAfterOneDiscovery()
    {
        await using SnmpClient client = agent.CreateClient(agent.Users["sha256-aes"], retries: 3);
        VarBind[] results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => client.GetAsync(SysDescr)));
        Assert.All(results, r => Assert.StartsWith("Linux ", r.Value.AsText(), StringComparison.Ordinal));
    }

    private static SnmpUsmOptions Copy(
        SnmpUsmOptions from, string? user = null, SnmpAuthProtocol? authProtocol = null, string? authPassword = null, string? privPassword = null, string? contextName = null) => new()
    {
        User = user ?? from.User,
        AuthProtocol = authProtocol ?? from.AuthProtocol,
        AuthPassword = authPassword ?? from.AuthPassword,
        PrivProtocol = from.PrivProtocol,
        PrivPassword = privPassword ?? from.PrivPassword,
        ContextName = contextName ?? from.ContextName,
    };
}
