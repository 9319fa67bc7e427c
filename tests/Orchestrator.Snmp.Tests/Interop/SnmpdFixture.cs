using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace Orchestrator.Snmp.Tests.Interop;

/// <summary>
/// A real net-snmp snmpd on 127.0.0.1 and an ephemeral UDP port, with its own configuration, random communities and
/// a temporary persistent directory; stopped and removed after the tests. Needs the Debian package snmpd.
/// </summary>
public sealed class SnmpdFixture : IAsyncLifetime
{
    public const string SnmpdPath = SnmpdAgent.SnmpdPath;

    private readonly SnmpdAgent agent = new("snmpd-test-");

    public string ReadCommunity { get; } = "ro-" + RandomNumberGenerator.GetHexString(16, lowercase: true);

    public string WriteCommunity { get; } = "rw-" + RandomNumberGenerator.GetHexString(16, lowercase: true);

    public IPEndPoint Endpoint => agent.Endpoint;

    public SnmpClient CreateClient(SnmpVersion version = SnmpVersion.V2c, string? community = null, int retries = 1, TimeSpan? timeout = null) => new(new SnmpClientOptions
    {
        Endpoint = Endpoint,
        Version = version,
        Community = community ?? ReadCommunity,
        Retries = retries,
        Timeout = timeout ?? TimeSpan.FromSeconds(2),
    });

    // sysLocation/sysContact are left out on purpose: snmpd makes objects set in its config file read-only.
    public Task InitializeAsync() => agent.StartAsync(
        port => string.Create(CultureInfo.InvariantCulture, $"""
            agentaddress udp:127.0.0.1:{port}
            rocommunity {ReadCommunity} 127.0.0.1
            rwcommunity {WriteCommunity} 127.0.0.1

            """),
        ReadCommunity);

    public Task DisposeAsync()
    {
        agent.StopAndRemove();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class SnmpdTests : ICollectionFixture<SnmpdFixture>
{
    public const string Name = "snmpd";
}
