using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Reports;

namespace Orchestrator.Core.Tests.Reports;

public sealed class ShareServerClientsTests
{
    private static SecurityEvent Connection(string sourceIp, string destinationIp, string kind = EventKinds.NetworkConnection) => new()
    {
        Kind = kind,
        SourceIp = IPAddress.Parse(sourceIp),
        DestinationIp = IPAddress.Parse(destinationIp),
    };

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("fe80::1")]
    [InlineData("FS01")]
    [InlineData("fs01.corp.local")]
    public void Problem_AddressOrHostName_None(string server) => Assert.Null(ShareServerClients.Problem(server));

    [Theory]
    [InlineData("file server", "'file server' is neither an IP address nor a host name")]
    [InlineData("fs01..corp", "'fs01..corp' is neither an IP address nor a host name")]
    [InlineData(" ", "give the share server's IP address or host name")]
    public void Problem_NotAServer_SaysWhy(string server, string expected) => Assert.Equal(expected, ShareServerClients.Problem(server));

    [Fact]
    public void Add_OnlyConnectionsAcceptedByTheServer_AreCounted()
    {
        var share = new ShareServerClients("10.0.0.5");

        var counted = new[]
        {
            share.Add(Connection("10.0.0.11", "10.0.0.5")),
            share.Add(Connection("10.0.0.5", "10.0.0.11")),
            share.Add(Connection("10.0.0.11", "10.0.0.6")),
            share.Add(Connection("10.0.0.11", "10.0.0.5", EventKinds.ProcessStarted)),
        };

        Assert.Equal([true, false, false, false], counted);
        Assert.Equal(1, share.ConnectionsFrom("pc-1", [IPAddress.Parse("10.0.0.11")]));
        Assert.Equal(1, share.ConnectionsFrom("10.0.0.11", []));
        Assert.Equal(0, share.ConnectionsFrom("pc-2", [IPAddress.Parse("10.0.0.12")]));
    }
}
