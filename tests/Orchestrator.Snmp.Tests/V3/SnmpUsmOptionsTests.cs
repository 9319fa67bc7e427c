using System.Net;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Snmp.Tests.V3;

public class SnmpUsmOptionsTests
{
    private static readonly IPEndPoint Agent = new(IPAddress.Loopback, 161);

    [Fact]
    public void Constructor_V3WithoutUsm_NamesTheUsmOption()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new SnmpClient(new SnmpClientOptions { Endpoint = Agent, Version = SnmpVersion.V3 }));
        Assert.Equal("Usm", e.ParamName);
    }

    [Fact]
    public void Constructor_V2cWithoutCommunity_NamesTheCommunityOption()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new SnmpClient(new SnmpClientOptions { Endpoint = Agent }));
        Assert.Equal("Community", e.ParamName);
    }

    [Fact]
    public void Constructor_ShortAuthPassword_NamesTheOptionButNotThePassword()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new SnmpClient(V3(new SnmpUsmOptions
        {
            User = "ops",
            AuthProtocol = SnmpAuthProtocol.Sha256,
            AuthPassword = "s3cr3t",
        })));
        Assert.Equal("Usm.AuthPassword", e.ParamName);
        Assert.DoesNotContain("s3cr3t", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PrivacyWithoutAuthentication_NamesPrivProtocol()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new SnmpClient(V3(new SnmpUsmOptions
        {
            User = "ops",
            PrivProtocol = SnmpPrivProtocol.Aes128,
            PrivPassword = "long-enough-1",
        })));
        Assert.Equal("Usm.PrivProtocol", e.ParamName);
    }

    [Fact]
    public void Constructor_MissingPrivPassword_NamesPrivPassword()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new SnmpClient(V3(new SnmpUsmOptions
        {
            User = "ops",
            AuthProtocol = SnmpAuthProtocol.Sha1,
            AuthPassword = "long-enough-1",
            PrivProtocol = SnmpPrivProtocol.Des,
        })));
        Assert.Equal("Usm.PrivPassword", e.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-user-name-that-is-longer-than-32-bytes")]
    public void Constructor_BadUserName_NamesUser(string name)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new SnmpClient(V3(new SnmpUsmOptions { User = name })));
        Assert.Equal("Usm.User", e.ParamName);
    }

    [Theory]
    [InlineData("zz")]
    [InlineData("0102")]
    public void Constructor_BadContextEngineId_NamesContextEngineId(string hex)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new SnmpClient(V3(new SnmpUsmOptions { User = "ops", ContextEngineId = hex })));
        Assert.Equal("Usm.ContextEngineId", e.ParamName);
    }

    private static SnmpClientOptions V3(SnmpUsmOptions usm) => new() { Endpoint = Agent, Version = SnmpVersion.V3, Usm = usm };
}
