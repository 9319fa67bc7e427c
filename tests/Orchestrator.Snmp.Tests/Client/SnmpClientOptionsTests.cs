using System.Net;

namespace Orchestrator.Snmp.Tests.Client;

public class SnmpClientOptionsTests
{
    private static readonly IPEndPoint Agent = new(IPAddress.Loopback, 161);

    [Fact]
    public void Constructor_Version3WithoutUsm_IsRejectedNamingTheOption()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new SnmpClient(new SnmpClientOptions { Endpoint = Agent, Community = "c", Version = SnmpVersion.V3 }));
        Assert.Contains("Usm (user and security settings) is required", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidLimits_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnmpClient(new SnmpClientOptions { Endpoint = Agent, Community = "c", Retries = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnmpClient(new SnmpClientOptions { Endpoint = Agent, Community = "c", Timeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnmpClient(new SnmpClientOptions { Endpoint = Agent, Community = "c", MaxRepetitions = 0 }));
    }

    [Fact]
    public async Task DisposeAsync_ThenGet_ThrowsObjectDisposed()
    {
        SnmpClient client = new(new SnmpClientOptions { Endpoint = Agent, Community = "c" });
        await client.DisposeAsync();
        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetAsync(Oid.Parse("1.3.6.1.2.1.1.1.0")));
    }
}
