using System.Net;
using Orchestrator.Core.Detection.Lookback;
using Orchestrator.Core.Events;
using static Orchestrator.Core.Tests.Detection.Lookback.LookbackEvents;

namespace Orchestrator.Core.Tests.Detection.Lookback;

public sealed class ConnectionLookbackTests
{
    private const string Victim = "10.0.0.50";

    private static readonly IPAddress VictimIp = IPAddress.Parse(Victim);

    [Fact]
    public void Candidates_FileShareBeforeMoreRecentWeb_FileShareRanksFirst()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.0.0.7", Victim, 445, 10));
        lookback.Add(Connection("10.0.0.9", Victim, 80, 50));

        var candidates = lookback.Candidates(VictimIp, Start.AddSeconds(60));

        Assert.Equal(["10.0.0.7", "10.0.0.9"], candidates.Select(c => c.Ip.ToString()));
        Assert.True(candidates[0].FileSharing);
        Assert.False(candidates[1].FileSharing);
    }

    [Fact]
    public void Candidates_SameKindOfPort_MoreRecentFirstThenMoreConnections()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.0.0.1", Victim, 139, 10));
        lookback.Add(Connection("10.0.0.2", Victim, 445, 20));
        lookback.Add(Connection("10.0.0.3", Victim, 445, 20));
        lookback.Add(Connection("10.0.0.3", Victim, 445, 5));

        var candidates = lookback.Candidates(VictimIp, Start.AddSeconds(60));

        // .2 and .3 were both last seen at 20 s; .3 connected twice.
        Assert.Equal(["10.0.0.3", "10.0.0.2", "10.0.0.1"], candidates.Select(c => c.Ip.ToString()));
    }

    [Fact]
    public void Candidates_OneSourceManyConnections_OneCandidateWithPortsCountAndTimes()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.0.0.7", Victim, 445, 30, id: 3));
        lookback.Add(Connection("10.0.0.7", Victim, 139, 10, id: 1));
        lookback.Add(Connection("10.0.0.7", Victim, 445, 40, id: 4));
        lookback.Add(Connection("10.0.0.7", Victim, null, 20, id: 2));

        var candidate = Assert.Single(lookback.Candidates(VictimIp, Start.AddSeconds(60)));

        Assert.Equal(IPAddress.Parse("10.0.0.7"), candidate.Ip);
        Assert.Equal([139, 445], candidate.Ports);
        Assert.Equal(4, candidate.Connections);
        Assert.Equal(Start.AddSeconds(10), candidate.FirstSeen);
        Assert.Equal(Start.AddSeconds(40), candidate.LastSeen);
        Assert.Equal(4, candidate.LastEventId);
        Assert.True(candidate.FileSharing);
    }

    [Fact]
    public void Candidates_WindowEdges_BothEndsIncludedOutsideLeftOut()
    {
        var lookback = new ConnectionLookback(new LookbackOptions { Lookback = TimeSpan.FromMinutes(10) });
        var at = Start.AddMinutes(20);
        var tick = TimeSpan.FromTicks(1);
        lookback.Add(At(Connection("10.0.0.1", Victim, 445, 0), at - TimeSpan.FromMinutes(10) - tick));
        lookback.Add(At(Connection("10.0.0.2", Victim, 445, 0), at - TimeSpan.FromMinutes(10)));
        lookback.Add(At(Connection("10.0.0.3", Victim, 445, 0), at));

        Assert.Equal(["10.0.0.2", "10.0.0.3"], lookback.Candidates(VictimIp, at).Select(c => c.Ip.ToString()).Order());

        // A connection after the detection is not a candidate (and moves the host's horizon past 10.0.0.2).
        lookback.Add(At(Connection("10.0.0.4", Victim, 445, 0), at + tick));
        Assert.Equal(["10.0.0.3"], lookback.Candidates(VictimIp, at).Select(c => c.Ip.ToString()));
    }

    [Fact]
    public void Candidates_MoreSourcesThanTopCandidates_AttachesTheBestN()
    {
        var lookback = new ConnectionLookback(new LookbackOptions { TopCandidates = 2 });
        for (var i = 1; i <= 5; i++)
        {
            lookback.Add(Connection($"10.0.0.{i}", Victim, 80, i));
        }

        var candidates = lookback.Candidates(VictimIp, Start.AddMinutes(1));

        Assert.Equal(["10.0.0.5", "10.0.0.4"], candidates.Select(c => c.Ip.ToString()));
    }

    [Fact]
    public void Candidates_UnknownHost_Empty()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.0.0.7", Victim, 445, 10));

        Assert.Empty(lookback.Candidates(IPAddress.Parse("10.0.0.99"), Start.AddMinutes(1)));
    }

    [Fact]
    public void Add_LoopbackNotKept_OwnAddressKeptAndRankedAfterEveryRemoteSource()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());

        Assert.True(lookback.Add(Connection(Victim, Victim, 445, 20)));
        Assert.False(lookback.Add(Connection("127.0.0.1", Victim, 445, 10)));
        Assert.False(lookback.Add(Connection("::1", Victim, 445, 10)));
        Assert.False(lookback.Add(Connection("10.0.0.7", "127.0.0.1", 445, 10)));
        Assert.True(lookback.Add(Connection("10.0.0.7", Victim, 80, 10)));

        var candidates = lookback.Candidates(VictimIp, Start.AddMinutes(1));
        Assert.Equal(["10.0.0.7", Victim], candidates.Select(c => c.Ip.ToString()));
        Assert.Equal([false, true], candidates.Select(c => c.Local));
        Assert.Equal(new LookbackStats(1, 2, 0, lookback.Stats.EstimatedBytes), lookback.Stats);
    }

    [Fact]
    public void Add_NotAConnectionOrAnAddressMissing_ReturnsFalseAndKeepsNothing()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        var notConnection = Connection("10.0.0.7", Victim, 445, 10);
        notConnection.Kind = EventKinds.InfectionDetected;
        var noSource = Connection("10.0.0.7", Victim, 445, 10);
        noSource.SourceIp = null;
        var noDestination = Connection("10.0.0.7", Victim, 445, 10);
        noDestination.DestinationIp = null;

        Assert.False(lookback.Add(notConnection));
        Assert.False(lookback.Add(noSource));
        Assert.False(lookback.Add(noDestination));
        Assert.Equal(0, lookback.Stats.Hosts);
        Assert.Equal(0, lookback.Stats.Records);
    }

    [Fact]
    public void Add_PerHostCapReached_OldestRecordsDropped()
    {
        var lookback = new ConnectionLookback(new LookbackOptions { PerHostCap = 3 });
        for (var i = 1; i <= 5; i++)
        {
            Assert.True(lookback.Add(Connection($"10.0.0.{i}", Victim, 445, i)));
        }

        var candidates = lookback.Candidates(VictimIp, Start.AddMinutes(1));

        Assert.Equal(["10.0.0.3", "10.0.0.4", "10.0.0.5"], candidates.Select(c => c.Ip.ToString()).Order());
        Assert.Equal(3, lookback.Stats.Records);
    }

    [Fact]
    public void Add_RingGrowsPastItsFirstSize_KeepsEveryRecordInOrder()
    {
        var lookback = new ConnectionLookback(new LookbackOptions { PerHostCap = 100, TopCandidates = 100 });
        for (var i = 1; i <= 90; i++)
        {
            lookback.Add(Connection($"10.0.1.{i}", Victim, 80, i));
        }

        var candidates = lookback.Candidates(VictimIp, Start.AddMinutes(5));

        Assert.Equal(90, candidates.Count);
        Assert.Equal("10.0.1.90", candidates[0].Ip.ToString());
        Assert.Equal("10.0.1.1", candidates[^1].Ip.ToString());
    }

    [Fact]
    public void Add_MaxHostsReached_LeastRecentlyActiveHostDropped()
    {
        var lookback = new ConnectionLookback(new LookbackOptions { MaxHosts = 2 });
        lookback.Add(Connection("10.0.0.7", "10.0.0.1", 445, 1));
        lookback.Add(Connection("10.0.0.7", "10.0.0.2", 445, 2));
        lookback.Add(Connection("10.0.0.8", "10.0.0.1", 445, 3));
        lookback.Add(Connection("10.0.0.7", "10.0.0.3", 445, 4));

        Assert.Equal(2, lookback.Candidates(IPAddress.Parse("10.0.0.1"), Start.AddMinutes(1)).Count);
        Assert.Empty(lookback.Candidates(IPAddress.Parse("10.0.0.2"), Start.AddMinutes(1)));
        // 10.0.0.3 took over the ring of 10.0.0.2 and sees only its own connection.
        Assert.Equal(1, Assert.Single(lookback.Candidates(IPAddress.Parse("10.0.0.3"), Start.AddMinutes(1))).Connections);
        Assert.Equal(2, lookback.Stats.Hosts);
        Assert.Equal(3, lookback.Stats.Records);
    }

    [Fact]
    public void Add_ManyHostsAndRecordsBeyondTheCaps_HeldWithinTheCaps()
    {
        var options = new LookbackOptions { MaxHosts = 50, PerHostCap = 40 };
        var lookback = new ConnectionLookback(options);
        // 100 hosts one after the other, 400 connections each.
        for (var i = 0; i < 40_000; i++)
        {
            lookback.Add(Connection($"10.1.{i % 7}.{i % 200}", $"10.2.0.{i / 400}", 445, i / 100.0));
        }

        var stats = lookback.Stats;

        Assert.Equal(50, stats.Hosts);
        Assert.Equal(50 * 40, stats.Records);
        Assert.InRange(stats.EstimatedBytes, 50L * 40 * ConnectionLookback.BytesPerRecord, 50L * 40 * ConnectionLookback.BytesPerRecord * 2);
    }

    [Fact]
    public void Add_OlderThanLookbackBeforeTheHostsNewest_NotKeptAndOldRecordsDropped()
    {
        var lookback = new ConnectionLookback(new LookbackOptions { Lookback = TimeSpan.FromMinutes(10) });
        lookback.Add(Connection("10.0.0.1", Victim, 445, 0));
        lookback.Add(Connection("10.0.0.2", Victim, 445, 60));
        lookback.Add(Connection("10.0.0.3", Victim, 445, 660));

        Assert.False(lookback.Add(Connection("10.0.0.4", Victim, 445, 59)));
        Assert.Equal(2, lookback.Stats.Records);
        Assert.Equal(["10.0.0.2", "10.0.0.3"], lookback.Candidates(VictimIp, Start.AddSeconds(660)).Select(c => c.Ip.ToString()).Order());
    }

    [Fact]
    public void Candidates_IPv6AndIPv4Mapped_SameHostsAsPlainAddresses()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("fe80::1", "2001:db8::50", 445, 10));
        lookback.Add(Connection("::ffff:10.0.0.7", Victim, 445, 10));

        Assert.Equal(IPAddress.Parse("fe80::1"), Assert.Single(lookback.Candidates(IPAddress.Parse("2001:db8::50"), Start.AddMinutes(1))).Ip);
        Assert.Equal(IPAddress.Parse("10.0.0.7"), Assert.Single(lookback.Candidates(IPAddress.Parse("::ffff:" + Victim), Start.AddMinutes(1))).Ip);
    }

    [Fact]
    public void Candidates_SourceNamedByAConnectionOrByItsOwnEvents_NameAttached()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Add(Connection("10.0.0.7", Victim, 445, 10, sourceName: "PC7.corp.local"));
        lookback.Learn(Host("PC8", "10.0.0.8"));
        lookback.Add(Connection("10.0.0.8", Victim, 445, 20));
        lookback.Add(Connection("10.0.0.9", Victim, 445, 30));

        var names = lookback.Candidates(VictimIp, Start.AddMinutes(1)).ToDictionary(c => c.Ip.ToString(), c => c.Name);

        Assert.Equal(new Dictionary<string, string?> { ["10.0.0.7"] = "PC7.corp.local", ["10.0.0.8"] = "PC8", ["10.0.0.9"] = null }, names);
    }

    [Theory]
    [InlineData("pc7.corp.local")]
    [InlineData("PC7")]
    [InlineData("pc7.other.example")]
    public void Resolve_FullOrShortNameAnyCase_ReturnsTheLearnedAddress(string asked)
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Learn(Host("PC7.corp.local", "10.0.0.7"));

        Assert.Equal(IPAddress.Parse("10.0.0.7"), lookback.Resolve(asked));
    }

    [Fact]
    public void Resolve_NameMovedToAnotherAddress_ReturnsTheLatestAndItsNameFollows()
    {
        var lookback = new ConnectionLookback(new LookbackOptions());
        lookback.Learn(Host("pc7", "10.0.0.7"));
        lookback.Learn(Host("pc7", "10.0.0.17"));
        lookback.Add(Connection("10.0.0.7", Victim, 445, 10));
        lookback.Add(Connection("10.0.0.17", Victim, 445, 20));

        Assert.Equal(IPAddress.Parse("10.0.0.17"), lookback.Resolve("pc7"));
        var names = lookback.Candidates(VictimIp, Start.AddMinutes(1)).ToDictionary(c => c.Ip.ToString(), c => c.Name);
        Assert.Equal(new Dictionary<string, string?> { ["10.0.0.17"] = "pc7", ["10.0.0.7"] = null }, names);
    }

    [Fact]
    public void Resolve_MoreNamesThanMaxHosts_LeastRecentlySeenForgotten()
    {
        var lookback = new ConnectionLookback(new LookbackOptions { MaxHosts = 2 });
        lookback.Learn(Host("pc1", "10.0.0.1"));
        lookback.Learn(Host("pc2", "10.0.0.2"));
        lookback.Learn(Host("pc1", "10.0.0.1"));
        lookback.Learn(Host("pc3", "10.0.0.3"));

        Assert.Equal(IPAddress.Parse("10.0.0.1"), lookback.Resolve("pc1"));
        Assert.Null(lookback.Resolve("pc2"));
        Assert.Equal(IPAddress.Parse("10.0.0.3"), lookback.Resolve("pc3"));
        Assert.Equal(2, lookback.Stats.Names);
    }

    [Theory]
    [InlineData("10.0.0.7", "10.0.0.7")]
    [InlineData("fe80::7", "fe80::7")]
    [InlineData("7", null)]
    [InlineData("", null)]
    [InlineData("unknown-host", null)]
    public void Resolve_AddressLiteralOrUnknownName_TheAddressOrNull(string asked, string? expected)
    {
        var lookback = new ConnectionLookback(new LookbackOptions());

        Assert.Equal(expected is null ? null : IPAddress.Parse(expected), lookback.Resolve(asked));
    }

    private static SecurityEvent At(SecurityEvent connection, DateTimeOffset time)
    {
        connection.Timestamp = time;
        return connection;
    }
}
