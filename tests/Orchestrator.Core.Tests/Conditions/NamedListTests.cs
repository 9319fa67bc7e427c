using System.Net;
using Orchestrator.Core.Conditions;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Tests.Conditions;

public class NamedListTests
{
    [Fact]
    public void Parse_NetworkWithHostBits_IsRefusedNamingTheEntry()
    {
        var error = Assert.Throws<FormatException>(() => NamedList.Parse("protected", ["10.0.0.0/8", "172.16.5.0/12"]));

        Assert.Equal("list 'protected': '172.16.5.0/12' has host bits set; did you mean 172.16.0.0/12?", error.Message);
    }

    [Fact]
    public void Parse_MixedEntries_MatchEachByItsKind()
    {
        var list = NamedList.Parse("quarantine", [" 00-1A-2B-3C-4D-5E ", "", "2001:db8::/32", "445", "FILESRV-01"]);
        var environment = ConditionEnvironment.WithLists(list);
        var evt = new SecurityEvent
        {
            SourceMac = MacAddress.Parse("00:1a:2b:3c:4d:5e"),
            DestinationIp = IPAddress.Parse("2001:db8:1::9"),
            DestinationPort = 445,
            HostName = "filesrv-01",
        };

        var condition = ConditionCompiler.Compile(
            "event.source.mac in lists.quarantine and event.destination.ip in lists.quarantine"
            + " and event.destination.port in lists.quarantine and event.host.name in lists.quarantine",
            environment);

        Assert.Equal(4, list.Entries.Count);
        Assert.True(condition.Evaluate(new ConditionInput(evt)));
    }
}
