using System.Net;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Events;
using Orchestrator.Core.Reports;
using static Orchestrator.Core.Tests.Detection.FirstSeen.ProcessStarts;

namespace Orchestrator.Core.Tests.Reports;

public sealed class PinpointReportTests
{
    private const string HashC = "4ed2a27860fa154415f65452ff1f94bd6af762982e2f3470030c504dc3c8a354";
    private const string KnownHash = "c1e59519b5e5d84af07afa6f5a8625f1c1e59519b5e5d84af07afa6f5a8625f1";

    // The share was encrypted between 10:00 and 11:00 on the day.
    private static readonly DateTimeOffset From = Day.AddHours(10);
    private static readonly DateTimeOffset To = Day.AddHours(11);

    private static SecurityEvent Connection(string? sourceIp, string? sourceName, string destinationIp, string? destinationName, string? host = null) => new()
    {
        Kind = EventKinds.NetworkConnection,
        Format = "sysmon",
        Timestamp = From.AddMinutes(5),
        HostName = host,
        HostIp = host is null || sourceIp is null ? null : IPAddress.Parse(sourceIp),
        SourceIp = sourceIp is null ? null : IPAddress.Parse(sourceIp),
        SourceName = sourceName,
        DestinationIp = IPAddress.Parse(destinationIp),
        DestinationName = destinationName,
        DestinationPort = 445,
    };

    /// <summary>
    /// The fleet's record: a known executable (first seen 30 days ago) everywhere, and three new ones:
    /// A on pc-1 and pc-2, B on pc-2 and pc-3, C on pc-4 only.
    /// </summary>
    private static (FirstSeenRegistry Registry, List<SecurityEvent> Window) Fleet(FirstSeenOptions? options = null)
    {
        var registry = new FirstSeenRegistry(options ?? new FirstSeenOptions());
        var id = 0;
        foreach (var host in new[] { "pc-1", "pc-2", "pc-3", "pc-4" })
        {
            registry.Observe(Start(++id, Day.AddDays(-30), host, KnownHash, path: @"C:\Windows\explorer.exe", name: "explorer.exe"));
        }

        var window = new List<SecurityEvent>
        {
            Start(++id, From.AddMinutes(20), "PC-1", HashA, hostIp: "10.0.0.11"),
            Start(++id, From.AddMinutes(30), "pc-2", HashA, hostIp: "10.0.0.12"),
            Start(++id, From.AddMinutes(35), "pc-2", HashB, name: "crypt0.exe", path: @"C:\Temp\crypt0.exe"),
            Start(++id, From.AddMinutes(10), "pc-3", HashB, name: "crypt0.exe", path: @"C:\Temp\crypt0.exe", hostIp: "10.0.0.13"),
            Start(++id, From.AddMinutes(40), "pc-4", HashC, name: "solo.exe", path: @"C:\Temp\solo.exe"),
            Start(++id, From.AddMinutes(1), "pc-5", KnownHash, path: @"C:\Windows\explorer.exe", name: "explorer.exe"),
        };
        foreach (var evt in window)
        {
            registry.Observe(evt);
        }

        return (registry, window);
    }

    private static PinpointReport Pinpoint(FirstSeenRegistry registry, IEnumerable<SecurityEvent> window)
    {
        var pinpoint = new PinpointReport(registry);
        foreach (var evt in window)
        {
            pinpoint.Add(evt);
        }

        return pinpoint;
    }

    [Fact]
    public void Rank_HostsThatRanUnknownExecutables_MostDistinctFirstThenEarliestRunThenName()
    {
        var (registry, window) = Fleet();

        var ranked = Pinpoint(registry, window).Rank();

        // pc-2 ran two; pc-3 (10:10) ran its one before pc-1 (10:20) and pc-4 (10:40).
        Assert.Equal(["pc-2", "pc-3", "pc-1", "pc-4"], ranked.Select(h => h.Host));
        var pc2 = ranked[0];
        Assert.Equal((2, From.AddMinutes(30), From.AddMinutes(35), 2), (pc2.UnknownExecutables, pc2.FirstUnknownRun, pc2.LastUnknownRun, pc2.LowestPrevalence));
        Assert.Equal(["invoice.exe", "crypt0.exe"], pc2.Names);
        Assert.Equal(1, ranked[3].LowestPrevalence);
        Assert.All(ranked, h => Assert.Null(h.ShareConnections));
    }

    [Fact]
    public void Rank_SameUnknownCountAndTime_NameDecides()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        var window = new[] { Start(1, From, "pc-b"), Start(2, From, "pc-a") };
        foreach (var evt in window)
        {
            registry.Observe(evt);
        }

        Assert.Equal(["pc-a", "pc-b"], Pinpoint(registry, window).Rank().Select(h => h.Host));
    }

    [Fact]
    public void Add_ExecutableFirstSeenLongerThanUnknownForBefore_NotCounted()
    {
        var (registry, window) = Fleet(new FirstSeenOptions { UnknownFor = TimeSpan.FromDays(7) });

        var ranked = Pinpoint(registry, window).Rank();

        Assert.DoesNotContain(ranked, h => h.Host == "pc-5");
        Assert.DoesNotContain(ranked.SelectMany(h => h.Names), n => n == "explorer.exe");
    }

    [Fact]
    public void Add_ExecutableFirstSeenJustInsideUnknownFor_Counted()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions { UnknownFor = TimeSpan.FromHours(1) });
        registry.Observe(Start(1, From.AddHours(-1).AddTicks(1), "pc-1"));
        var stillUnknown = Start(2, From, "pc-2");
        var known = Start(3, From.AddTicks(1), "pc-3");
        registry.Observe(stillUnknown);
        registry.Observe(known);

        Assert.Equal(["pc-2"], Pinpoint(registry, [stillUnknown, known]).Rank().Select(h => h.Host));
    }

    [Fact]
    public void Add_AllowlistedExecutable_NotCounted()
    {
        var allowlist = ProcessAllowlist.Create([HashA], [], [], out var errors);
        Assert.Empty(errors);
        var (registry, window) = Fleet(new FirstSeenOptions { Allowlist = allowlist });

        var ranked = Pinpoint(registry, window).Rank();

        // pc-1 ran only the allowed executable; pc-2 is left with one, run after pc-3's.
        Assert.Equal(["pc-3", "pc-2", "pc-4"], ranked.Select(h => h.Host));
        Assert.Equal(["crypt0.exe"], ranked[1].Names);
    }

    [Fact]
    public void Rank_ShareServerByIp_OnlyHostsThatConnectedWithTheirCounts()
    {
        var (registry, window) = Fleet();
        var share = new ShareServerClients("10.0.0.5");
        // pc-1 twice and pc-3 once by address (their process starts gave it); pc-4 only to another server.
        foreach (var connection in new[]
        {
            Connection("10.0.0.11", null, "10.0.0.5", null),
            Connection("10.0.0.11", null, "10.0.0.5", null),
            Connection("10.0.0.13", null, "10.0.0.5", null),
            Connection("10.0.0.14", "pc-4", "10.0.0.6", null),
        })
        {
            share.Add(connection);
        }

        var ranked = Pinpoint(registry, window).Rank(share);

        Assert.Equal([("pc-3", 1), ("pc-1", 2)], ranked.Select(h => (h.Host, h.ShareConnections!.Value)));
        Assert.Equal(3, share.Connections);
    }

    [Fact]
    public void Rank_ShareServerByName_MatchesTheServerAndClientsByName()
    {
        var (registry, window) = Fleet();
        var share = new ShareServerClients("FS01");
        share.Add(Connection("10.9.9.2", "PC-2.corp.local", "10.0.0.5", "fs01.corp.local"));
        share.Add(Connection("10.9.9.4", "pc-4", "10.0.0.5", "fs02.corp.local"));

        var ranked = Pinpoint(registry, window).Rank(share);

        Assert.Equal([("pc-2", 1)], ranked.Select(h => (h.Host, h.ShareConnections!.Value)));
    }

    [Fact]
    public void Rank_ShareServer_AddressLearntFromTheHostsOwnConnectionEvents()
    {
        var (registry, window) = Fleet();
        var share = new ShareServerClients("10.0.0.5");
        // pc-4's process start gave no address; its own Sysmon connection event names it.
        var own = Connection("10.0.0.14", null, "10.0.0.5", null, host: "PC-4");
        share.Add(own);
        var pinpoint = Pinpoint(registry, window);
        pinpoint.Add(own);

        var host = Assert.Single(pinpoint.Rank(share));

        Assert.Equal(("pc-4", 1), (host.Host, host.ShareConnections!.Value));
        Assert.Equal([IPAddress.Parse("10.0.0.14")], host.Addresses);
    }

    [Fact]
    public void ToTable_WithShareServer_RanksRowsAndAddsTheConnectionsColumn()
    {
        var (registry, window) = Fleet();
        var share = new ShareServerClients("10.0.0.5");
        share.Add(Connection("10.0.0.12", null, "10.0.0.5", null));

        var report = Pinpoint(registry, window).ToTable(From, To, share);

        Assert.Equal("Hosts running unknown processes from 2026-11-23 10:00 to 2026-11-23 11:00 UTC", report.Title);
        Assert.Equal("1 host of 4 ran 2 unknown executables and connected to 10.0.0.5 (unknown: first seen in the fleet less than 7d before the run)", report.Summary);
        Assert.Equal("share_connections", report.Columns[^1].Key);
        Assert.Equal(["1", "pc-2", "10.0.0.12", "2", "invoice.exe, crypt0.exe", "2026-11-23 10:30:00", "2026-11-23 10:35:00", "2", "1"], Assert.Single(report.Rows));
    }

    [Fact]
    public void ToTable_WithoutShareServer_EveryHostAndNoConnectionsColumn()
    {
        var (registry, window) = Fleet();

        var report = Pinpoint(registry, window).ToTable(From, To);

        Assert.Equal("4 hosts ran 3 unknown executables (unknown: first seen in the fleet less than 7d before the run)", report.Summary);
        Assert.DoesNotContain(report.Columns, c => c.Key == "share_connections");
        Assert.Equal(["1", "2", "3", "4"], report.Rows.Select(r => r[0]));
    }
}
