using Orchestrator.Core.Detection;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Events;
using static Orchestrator.Core.Tests.Detection.FirstSeen.ProcessStarts;

namespace Orchestrator.Core.Tests.Detection.FirstSeen;

public sealed class FirstSeenRegistryTests
{
    private static readonly string KeyA = "sha256:" + HashA;

    [Fact]
    public void Observe_FirstRunAnywhere_IsNewInFleetAndOnHost()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());

        var seen = registry.Observe(Start(1, Day.AddHours(9), "PC-1"));

        Assert.Equal((KeyA, "pc-1", true, true, 1, Day.AddHours(9)), (seen.Key, seen.Host, seen.IsNewInFleet, seen.IsNewOnHost, seen.Prevalence, seen.FirstSeen));
        Assert.Null(seen.AllowedBy);
    }

    [Fact]
    public void Observe_SameHashOnAnotherHostAndAgain_CountsDistinctHosts()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        registry.Observe(Start(1, Day.AddHours(9), "pc-1"));

        var second = registry.Observe(Start(2, Day.AddHours(10), "pc-2", path: @"D:\other\copy.exe"));
        var again = registry.Observe(Start(3, Day.AddHours(11), "PC-2"));

        Assert.Equal((false, true, 2), (second.IsNewInFleet, second.IsNewOnHost, second.Prevalence));
        Assert.Equal((false, false, 2), (again.IsNewInFleet, again.IsNewOnHost, again.Prevalence));
        var entry = registry.Get(KeyA)!;
        Assert.Equal(2, entry.HostCount);
        Assert.Equal(@"C:\Users\bob\AppData\Local\Temp\invoice.exe", entry.Path);
        Assert.Equal(Day.AddHours(11), entry.LastSeen);
        Assert.Equal(["pc-1", "pc-2"], registry.HostsOf(KeyA));
    }

    [Fact]
    public void Observe_ManyHostsInAnyOrder_EachIsNewOnceAndPrevalenceCountsThemAll()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        for (var h = 0; h < 150; h++)
        {
            registry.Observe(Start(h + 1, Day, $"pc-{h}", sha256: HashB));
        }

        // The first 16 hosts have the highest ids: the host set outgrows its list on a low one.
        var order = Enumerable.Range(134, 16).Reverse().Concat(Enumerable.Range(0, 134));
        var firstRuns = order.Select(h => registry.Observe(Start(1_000 + h, Day.AddHours(1), $"pc-{h}"))).ToList();
        var reruns = Enumerable.Range(0, 150).Select(h => registry.Observe(Start(2_000 + h, Day.AddHours(2), $"pc-{h}"))).ToList();

        Assert.All(firstRuns, seen => Assert.True(seen.IsNewOnHost));
        Assert.All(reruns, seen => Assert.False(seen.IsNewOnHost));
        Assert.Equal(Enumerable.Range(1, 150), firstRuns.Select(seen => seen.Prevalence));
        Assert.Equal(150, registry.Get(KeyA)!.HostCount);
    }

    [Fact]
    public void Observe_NoHostName_UsesTheHostIp()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());

        var seen = registry.Observe(Start(1, Day, host: null, hostIp: "10.1.2.3"));

        Assert.Equal("10.1.2.3", seen.Host);
    }

    [Fact]
    public void Observe_NoHostAtAll_RecordsTheExecutableWithoutPrevalence()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());

        var seen = registry.Observe(Start(1, Day, host: null));

        Assert.Equal((true, false, 0, null), (seen.IsNewInFleet, seen.IsNewOnHost, seen.Prevalence, seen.Host));
        Assert.Null(registry.Get(KeyA)!.FirstHost);
    }

    [Fact]
    public void Observe_OtherKindsOrNoProcess_RecordNothing()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        var detection = Start(1, Day, "pc-1");
        detection.Kind = EventKinds.InfectionDetected;

        Assert.Null(registry.Observe(detection).Key);
        Assert.Null(registry.Observe(new SecurityEvent { Id = 2, Kind = EventKinds.ProcessStarted, HostName = "pc-1" }).Key);
        Assert.Equal(0, registry.Count);
        Assert.Equal(2, registry.TakeChanges().Checkpoint);
    }

    [Fact]
    public void Observe_EarlierEventArrivesLate_LowersFirstSeenToIt()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        registry.Observe(Start(5, Day.AddHours(10), "pc-2"));

        var late = registry.Observe(Start(4, Day.AddHours(8), "pc-1", path: @"C:\first\invoice.exe"));

        Assert.Equal(Day.AddHours(8), late.FirstSeen);
        var entry = registry.Get(KeyA)!;
        Assert.Equal((Day.AddHours(8), "pc-1", 4L, @"C:\first\invoice.exe", Day.AddHours(10)), (entry.FirstSeen, entry.FirstHost, entry.FirstEventId, entry.Path, entry.LastSeen));
    }

    [Fact]
    public void Derive_FirstRunAnywhere_RaisesOneFleetEventWithItsLabels()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        var start = Start(41, Day.AddHours(9), "pc-1", signer: "Unknown Publisher");

        var derived = Assert.Single(registry.Derive(start));

        Assert.Equal("process.unknown:" + KeyA, derived.DedupeKey);
        var evt = derived.Event;
        Assert.Equal((EventKinds.ProcessUnknown, "pc-1", HashA, "Unknown Publisher", Day.AddHours(9)), (evt.Kind, evt.HostName, evt.ProcessHashSha256, evt.ProcessSigner, evt.Timestamp));
        Assert.Equal("fleet", evt.Labels![FirstSeenRegistry.ScopeLabel]);
        Assert.Equal(KeyA, evt.Labels[FirstSeenRegistry.KeyLabel]);
        Assert.Equal("2026-11-23T09:00:00.0000000Z", evt.Labels[FirstSeenRegistry.FirstSeenLabel]);
        Assert.Equal("1", evt.Labels[FirstSeenRegistry.PrevalenceLabel]);
        Assert.Equal("41", evt.Labels[DerivedEvents.DerivedFromLabel]);
        Assert.Equal("first-seen", evt.Labels[DerivedEvents.DetectorLabel]);
    }

    [Fact]
    public void Derive_FleetScopeOnly_SecondHostAndRerunsRaiseNothing()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());

        var raised = new[]
        {
            registry.Derive(Start(1, Day.AddHours(9), "pc-1")),
            registry.Derive(Start(2, Day.AddHours(9.5), "pc-1")),
            registry.Derive(Start(3, Day.AddHours(10), "pc-2")),
        };

        Assert.Equal([1, 0, 0], raised.Select(r => r.Count));
    }

    [Fact]
    public void Derive_PerHost_RaisesOnceOnEachFurtherHost()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions { PerHost = true });

        var raised = new[]
        {
            registry.Derive(Start(1, Day.AddHours(9), "pc-1")),
            registry.Derive(Start(2, Day.AddHours(10), "pc-2")),
            registry.Derive(Start(3, Day.AddHours(11), "PC-2")),
            registry.Derive(Start(4, Day.AddHours(12), "pc-3")),
        };

        Assert.Equal(
            [["process.unknown:" + KeyA], ["process.unknown:" + KeyA + "@pc-2"], [], ["process.unknown:" + KeyA + "@pc-3"]],
            raised.Select(r => r.Select(d => d.DedupeKey).ToArray()));
        Assert.Equal(["fleet", "host", "host"], raised.SelectMany(r => r).Select(d => d.Event.Labels![FirstSeenRegistry.ScopeLabel]));
        Assert.Equal("3", raised[3][0].Event.Labels![FirstSeenRegistry.PrevalenceLabel]);
    }

    [Fact]
    public void Derive_AllowedExecutable_IsRecordedForPrevalenceButNeverRaises()
    {
        var allowlist = ProcessAllowlist.Create([], [], ["Contoso Ltd"], out _);
        var registry = new FirstSeenRegistry(new FirstSeenOptions { PerHost = true, Allowlist = allowlist });

        var first = registry.Derive(Start(1, Day, "pc-1", signer: "contoso ltd"));
        var second = registry.Derive(Start(2, Day.AddHours(1), "pc-2", signer: "Contoso Ltd"));

        Assert.Empty(first);
        Assert.Empty(second);
        var entry = registry.Get(KeyA)!;
        Assert.Equal((2, "allow.signers: Contoso Ltd"), (entry.HostCount, entry.AllowedBy));
    }

    [Fact]
    public void Derive_PerHostRunFromAnAllowedPath_DoesNotRaiseButARunElsewhereDoes()
    {
        var allowlist = ProcessAllowlist.Create([], [@"C:\Program Files\**"], [], out _);
        var registry = new FirstSeenRegistry(new FirstSeenOptions { PerHost = true, Allowlist = allowlist });
        registry.Derive(Start(1, Day, "pc-1", path: @"C:\Temp\tool.exe"));

        var allowed = registry.Derive(Start(2, Day.AddHours(1), "pc-2", path: @"C:\Program Files\Tool\tool.exe"));
        var elsewhere = registry.Derive(Start(3, Day.AddHours(2), "pc-3", path: @"C:\Temp\tool.exe"));

        Assert.Empty(allowed);
        Assert.Single(elsewhere);
    }

    [Fact]
    public void FirstSeenBetween_OneDay_KeepsThoseFirstSeenFromMidnightToBeforeTheNextOldestFirst()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        registry.Observe(Start(1, Day.AddTicks(-1), "pc-1", sha256: null, path: @"C:\a.exe"));
        registry.Observe(Start(2, Day.AddHours(15), "pc-1", sha256: null, path: @"C:\c.exe"));
        registry.Observe(Start(3, Day, "pc-1", sha256: null, path: @"C:\b.exe"));
        registry.Observe(Start(4, Day.AddDays(1), "pc-1", sha256: null, path: @"C:\d.exe"));

        var day = registry.FirstSeenBetween(Day, Day.AddDays(1));

        Assert.Equal([@"path:c:\b.exe", @"path:c:\c.exe"], day.Select(e => e.Key));
    }

    [Fact]
    public void IsUnknownAt_RunsWithinUnknownForOfTheFirstSighting_AreUnknown()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions { UnknownFor = TimeSpan.FromDays(7) });
        registry.Observe(Start(1, Day, "pc-1"));
        var entry = registry.Get(KeyA)!;

        Assert.True(registry.IsUnknownAt(entry, Day));
        Assert.True(registry.IsUnknownAt(entry, Day.AddDays(7).AddTicks(-1)));
        Assert.False(registry.IsUnknownAt(entry, Day.AddDays(7)));
        Assert.False(registry.IsUnknownAt(entry, Day.AddTicks(-1)));
    }

    [Fact]
    public void IsUnknownAt_AllowedExecutable_IsNeverUnknown()
    {
        var allowlist = ProcessAllowlist.Create([HashA], [], [], out _);
        var registry = new FirstSeenRegistry(new FirstSeenOptions { Allowlist = allowlist });
        registry.Observe(Start(1, Day, "pc-1"));

        Assert.False(registry.IsUnknownAt(registry.Get(KeyA)!, Day.AddHours(1)));
    }

    [Fact]
    public void UnknownRunsBetween_Window_NamesTheHostsThatFirstRanSomethingStillUnknown()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions { UnknownFor = TimeSpan.FromDays(1) });
        registry.Observe(Start(1, Day.AddHours(8), "pc-1"));
        registry.Observe(Start(2, Day.AddHours(10), "pc-2"));
        registry.Observe(Start(3, Day.AddHours(11), "pc-3", sha256: HashB));
        registry.Observe(Start(4, Day.AddDays(-3), "pc-4", sha256: null, path: @"C:\old.exe"));
        registry.Observe(Start(5, Day.AddHours(10.5), "pc-4", sha256: null, path: @"C:\old.exe"));
        registry.Observe(Start(6, Day.AddHours(13), "pc-5"));

        var runs = registry.UnknownRunsBetween(Day.AddHours(9), Day.AddHours(12));

        Assert.Equal([("pc-2", KeyA), ("pc-3", "sha256:" + HashB)], runs.Select(r => (r.Host, r.Entry.Key)));
        Assert.Equal(Day.AddHours(10), runs[0].FirstSeenOnHost);
    }

    [Fact]
    public void HostsOf_Limit_CapsTheList()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        for (var i = 0; i < 5; i++)
        {
            registry.Observe(Start(i + 1, Day.AddMinutes(i), $"pc-{i}"));
        }

        Assert.Equal(["pc-0", "pc-1"], registry.HostsOf(KeyA.ToUpperInvariant(), limit: 2));
        Assert.Empty(registry.HostsOf("sha256:" + HashB));
    }

    [Fact]
    public void TakeChanges_SecondCall_HoldsOnlyWhatChangedSinceTheFirst()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        registry.Observe(Start(1, Day.AddHours(9), "pc-1"));
        registry.Observe(Start(2, Day.AddHours(9), "pc-1", sha256: HashB));
        var first = registry.TakeChanges();

        registry.Observe(Start(3, Day.AddHours(10), "pc-2"));
        registry.Observe(Start(4, Day.AddHours(8), "pc-2"));
        var second = registry.TakeChanges();
        var third = registry.TakeChanges();

        Assert.Equal((1, 2, 2, 2L), (first.Hosts.Count, first.Entries.Count, first.Sightings.Count, first.Checkpoint));
        Assert.Equal([new FirstSeenHost(1, "pc-2")], second.Hosts);
        var changed = Assert.Single(second.Entries);
        Assert.Equal((KeyA, Day.AddHours(8), "pc-2", 2, Day.AddHours(10)), (changed.Key, changed.FirstSeen, changed.FirstHost, changed.HostCount, changed.LastSeen));
        Assert.Equal([new FirstSeenOnHost(0, 1, Day.AddHours(8))], second.Sightings);
        Assert.Equal(4, second.Checkpoint);
        Assert.True(third.IsEmpty);
    }

    [Fact]
    public void Load_EverythingTaken_NeverRaisesAgainAndKeepsPrevalence()
    {
        var options = new FirstSeenOptions { PerHost = true };
        var before = new FirstSeenRegistry(options);
        before.Derive(Start(1, Day, "pc-1"));
        before.Derive(Start(2, Day.AddHours(1), "pc-2"));
        var saved = before.TakeChanges();

        var after = FirstSeenRegistry.Load(saved, options);

        Assert.Empty(after.Derive(Start(3, Day.AddDays(1), "pc-1")));
        Assert.Empty(after.Derive(Start(4, Day.AddDays(1), "pc-2")));
        var onNewHost = Assert.Single(after.Derive(Start(5, Day.AddDays(1), "pc-3")));
        Assert.Equal("3", onNewHost.Event.Labels![FirstSeenRegistry.PrevalenceLabel]);
        Assert.Equal(Day, after.Get(KeyA)!.FirstSeen);
        var changes = after.TakeChanges();
        Assert.Equal([new FirstSeenHost(2, "pc-3")], changes.Hosts);
        Assert.Equal(5, changes.Checkpoint);
    }

    [Fact]
    public void Load_AllowlistChangedSinceTheSave_JudgesEntriesWithTheNewOne()
    {
        var before = new FirstSeenRegistry(new FirstSeenOptions());
        before.Observe(Start(1, Day, "pc-1"));
        var allowlist = ProcessAllowlist.Create([HashA], [], [], out _);

        var after = FirstSeenRegistry.Load(before.TakeChanges(), new FirstSeenOptions { Allowlist = allowlist });

        Assert.Equal("allow.hashes: " + HashA, after.Get(KeyA)!.AllowedBy);
    }

    [Fact]
    public void Load_GapInTheEntryIds_RefusesWithTheId()
    {
        var before = new FirstSeenRegistry(new FirstSeenOptions());
        before.Observe(Start(1, Day, "pc-1"));
        var saved = before.TakeChanges();
        var broken = saved with { Entries = [saved.Entries[0] with { Id = 3 }] };

        var error = Assert.Throws<InvalidDataException>(() => FirstSeenRegistry.Load(broken, new FirstSeenOptions()));

        Assert.Contains("entry 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Derive_DuringLearning_RaisesNothingButRecordsPrevalenceAndFirstSeen()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions { PerHost = true, LearnFor = TimeSpan.FromDays(7) });
        var before = registry.LearningUntil;

        var raised = new[]
        {
            registry.Derive(Start(1, Day.AddHours(9), "pc-1")),
            registry.Derive(Start(2, Day.AddHours(10), "pc-2")),
            registry.Derive(Start(3, Day.AddDays(7).AddHours(9).AddTicks(-1), "pc-3", sha256: HashB)),
        };

        Assert.Null(before);
        Assert.All(raised, Assert.Empty);
        Assert.Equal(Day.AddDays(7).AddHours(9), registry.LearningUntil);
        var entry = registry.Get(KeyA)!;
        Assert.Equal((Day.AddHours(9), "pc-1", 2), (entry.FirstSeen, entry.FirstHost, entry.HostCount));
        Assert.Equal(["pc-1", "pc-2"], registry.HostsOf(KeyA));
        var changes = registry.TakeChanges();
        Assert.Equal((3, 2, 3, 3L), (changes.Hosts.Count, changes.Entries.Count, changes.Sightings.Count, changes.Checkpoint));
    }

    [Fact]
    public void Derive_AfterLearning_NewExecutableRaisesAndLearnedOneDoesNot()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions { LearnFor = TimeSpan.FromDays(7) });
        registry.Derive(Start(1, Day, "pc-1"));

        var learned = registry.Derive(Start(2, Day.AddDays(7), "pc-2"));
        var learnedOnItsHost = registry.Derive(Start(3, Day.AddDays(8), "pc-1"));
        var fresh = registry.Derive(Start(4, Day.AddDays(8), "pc-1", sha256: HashB));

        Assert.Empty(learned);
        Assert.Empty(learnedOnItsHost);
        Assert.Equal("process.unknown:sha256:" + HashB, Assert.Single(fresh).DedupeKey);
        Assert.Null(registry.LearningUntil);
    }

    [Fact]
    public void Derive_PerHostAfterLearning_LearnedRunsStayQuietAndNewOnesRaise()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions { PerHost = true, LearnFor = TimeSpan.FromDays(1) });
        registry.Derive(Start(1, Day, "pc-1"));
        registry.Derive(Start(2, Day.AddHours(12), "pc-2"));

        var raised = new[]
        {
            registry.Derive(Start(3, Day.AddDays(2), "pc-1")),
            registry.Derive(Start(4, Day.AddDays(2), "pc-2")),
            registry.Derive(Start(5, Day.AddDays(2), "pc-3")),
            registry.Derive(Start(6, Day.AddDays(2), "pc-1", sha256: HashB)),
            registry.Derive(Start(7, Day.AddDays(3), "pc-2", sha256: HashB)),
        };

        Assert.Equal(
            [[], [], ["process.unknown:" + KeyA + "@pc-3"], ["process.unknown:sha256:" + HashB], ["process.unknown:sha256:" + HashB + "@pc-2"]],
            raised.Select(r => r.Select(d => d.DedupeKey).ToArray()));
    }

    [Fact]
    public void Load_DuringLearning_KeepsCountingFromTheEarliestRecord()
    {
        var options = new FirstSeenOptions { LearnFor = TimeSpan.FromDays(7) };
        var before = new FirstSeenRegistry(options);
        before.Derive(Start(1, Day.AddDays(2), "pc-1", sha256: HashB));
        // Arrives late with the earliest time: learning counts from it, before and after the restart alike.
        before.Derive(Start(2, Day, "pc-2"));
        var saved = before.TakeChanges();

        var after = FirstSeenRegistry.Load(saved, options);

        Assert.Equal(Day.AddDays(7), before.LearningUntil);
        Assert.Equal(Day.AddDays(7), after.LearningUntil);
        Assert.Empty(after.Derive(Start(3, Day.AddDays(7).AddTicks(-1), "pc-1", sha256: null, path: @"C:\during.exe")));
        Assert.Empty(after.Derive(Start(4, Day.AddDays(8), "pc-3")));
        Assert.Single(after.Derive(Start(5, Day.AddDays(8), "pc-1", sha256: null, path: @"C:fter.exe")));
    }

    [Fact]
    public void Derive_LearnForZero_RaisesTheFirstRunAsBefore()
    {
        var registry = new FirstSeenRegistry(new FirstSeenOptions());

        var first = registry.Derive(Start(1, Day, "pc-1"));

        Assert.Equal(TimeSpan.Zero, registry.Options.LearnFor);
        Assert.Single(first);
        Assert.Null(registry.LearningUntil);
    }

    [Fact]
    public void Options_LearnForNegative_IsRefusedNamingTheKey()
    {
        var error = Assert.Throws<ArgumentException>(() => new FirstSeenRegistry(new FirstSeenOptions { LearnFor = TimeSpan.FromDays(-1) }));

        Assert.Contains("detection.unknown_processes.learn_for", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_UnknownForZero_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new FirstSeenRegistry(new FirstSeenOptions { UnknownFor = TimeSpan.Zero }));

        Assert.Contains("unknown_for", error.Message, StringComparison.Ordinal);
    }
}
