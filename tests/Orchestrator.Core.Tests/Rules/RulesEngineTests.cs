using Orchestrator.Core.Events;
using Orchestrator.Core.Rules;
using static Orchestrator.Core.Tests.Rules.RuleEvents;

namespace Orchestrator.Core.Tests.Rules;

public sealed class RulesEngineTests
{
    [Fact]
    public void Process_ThreeEventsFromOneSourceWithinTenMinutes_FiresOnceWithTheWindow()
    {
        var engine = new RulesEngine([SourceRule()]);

        var decisions = Run(engine, [Traced(1, 0, "10.0.0.5"), Traced(2, 100, "10.0.0.6"), Traced(3, 200, "10.0.0.5"), Traced(4, 599, "10.0.0.5")]);

        var decision = Assert.Single(decisions);
        Assert.Equal("share-worm", decision.RuleId);
        Assert.Equal("10.0.0.5", decision.GroupKey);
        Assert.Equal(4, decision.Event.Id);
        Assert.Equal(3, decision.Window.Count);
        Assert.Equal([1L, 3L, 4L], decision.Window.EventIds);
        Assert.Equal(Start, decision.Window.First);
        Assert.Equal(Start.AddSeconds(599), decision.Window.Last);
    }

    [Fact]
    public void Process_ThreeEventsSpreadOverMoreThanTheWindowArrivingInOneBurst_DoesNotFire()
    {
        // The workload's decoys: an arrival-time window would see all three at once and fire.
        var engine = new RulesEngine([SourceRule()]);

        var decisions = Run(engine, [Traced(1, 0, "10.0.0.9"), Traced(2, 315, "10.0.0.9"), Traced(3, 630, "10.0.0.9")]);

        Assert.Empty(decisions);
    }

    [Fact]
    public void Process_LastMinusFirstEqualsWithin_DoesNotFire()
    {
        var engine = new RulesEngine([SourceRule()]);

        var decisions = Run(engine, [Traced(1, 0, "10.0.0.9"), Traced(2, 300, "10.0.0.9"), Traced(3, 600, "10.0.0.9")]);

        Assert.Empty(decisions);
    }

    [Fact]
    public void Process_DistinctVictims_CountsEachVictimOnce()
    {
        var engine = new RulesEngine([SourceRule(distinct: EventFieldSelector.ForEcsPath("host.name"))]);

        var decisions = Run(engine,
        [
            Traced(1, 0, "10.0.0.5", "HOST-A"), Traced(2, 10, "10.0.0.5", "HOST-A"), Traced(3, 20, "10.0.0.5", "HOST-B"),
            Traced(4, 30, "10.0.0.5", "HOST-B"), Traced(5, 40, "10.0.0.5", "HOST-C"),
        ]);

        var decision = Assert.Single(decisions);
        Assert.Equal(5, decision.Event.Id);
        Assert.Equal(3, decision.Window.DistinctCount);
        Assert.Equal(["HOST-A", "HOST-B", "HOST-C"], decision.Window.DistinctValues);
        Assert.Equal(5, decision.Window.Count);
    }

    [Fact]
    public void Process_NoThrottle_FiresAgainOnlyAfterAFreshThreshold()
    {
        var engine = new RulesEngine([SourceRule()]);

        var decisions = Run(engine, Enumerable.Range(1, 7).Select(i => Traced(i, i * 10, "10.0.0.5")));

        Assert.Equal([3L, 6L], decisions.Select(d => d.Event.Id));
        Assert.Equal([4L, 5L, 6L], decisions[1].Window.EventIds);
    }

    [Fact]
    public void Process_Throttle_SuppressesUntilThrottleOfEventTimeAfterTheDecision()
    {
        var engine = new RulesEngine([SourceRule(throttle: TimeSpan.FromMinutes(30))]);

        // 1-3 fire at 20 s; 4-9 would make two more thresholds but fall inside the throttle (until 1820 s);
        // 10 at 1830 s fires with 10 and the two before it that are within 10 minutes (1500, 1700).
        var times = new[] { 0, 10, 20, 30, 40, 50, 60, 70, 80, 1500, 1700, 1830 };
        var decisions = Run(engine, times.Select((t, i) => Traced(i + 1, t, "10.0.0.5")));

        Assert.Equal([3L, 12L], decisions.Select(d => d.Event.Id));
        Assert.Equal([10L, 11L, 12L], decisions[1].Window.EventIds);
    }

    [Theory]
    [InlineData(1220, false)]
    [InlineData(1221, true)]
    public void Process_EventDuringThrottle_CountsOnlyWhenWithinReachOfTheThrottleEnd(int seconds, bool fires)
    {
        var engine = new RulesEngine([SourceRule(throttle: TimeSpan.FromMinutes(30))]);

        // Fires at 20 s, throttled until 1820 s; a window ending at 1820 s reaches back to just after 1220 s.
        var times = new[] { 0, 10, 20, seconds, 1700, 1820 };
        var decisions = Run(engine, times.Select((t, i) => Traced(i + 1, t, "10.0.0.5")));

        Assert.Equal(fires ? [3L, 6L] : [3L], decisions.Select(d => d.Event.Id));
    }

    [Fact]
    public void Process_LateEvent_IsPlacedByItsOwnTime()
    {
        var engine = new RulesEngine([SourceRule()]);

        // 200 s arrives after 700 s: with 0 it spans 200 s, with 700 it spans 500 s; 750 s makes 200/700/750.
        var decisions = Run(engine, [Traced(1, 0, "10.0.0.5"), Traced(2, 700, "10.0.0.5"), Traced(3, 200, "10.0.0.5"), Traced(4, 750, "10.0.0.5")]);

        var decision = Assert.Single(decisions);
        Assert.Equal([3L, 2L, 4L], decision.Window.EventIds);
    }

    [Fact]
    public void Process_SameEventDeliveredTwice_CountsOnce()
    {
        var engine = new RulesEngine([SourceRule()]);

        var decisions = Run(engine, [Traced(1, 0, "10.0.0.5"), Traced(2, 10, "10.0.0.5"), Traced(2, 10, "10.0.0.5"), Traced(1, 0, "10.0.0.5")]);

        Assert.Empty(decisions);
        Assert.Equal(2, engine.Checkpoint);
    }

    [Fact]
    public void Process_RuleWithoutThresholdOrThrottle_FiresOnEveryMatch()
    {
        var rule = new RuleDefinition
        {
            Id = "new-process",
            On = new HashSet<string> { EventKinds.ProcessStarted },
            When = new DelegatePredicate(e => e.ProcessName == "evil.exe", "process.name == 'evil.exe'"),
            Mode = RuleMode.DryRun,
        };
        var engine = new RulesEngine([rule]);
        var events = new[] { "evil.exe", "good.exe", "evil.exe" }.Select((name, i) =>
            new SecurityEvent { Id = i + 1, Kind = EventKinds.ProcessStarted, Timestamp = Start, ProcessName = name });

        var decisions = Run(engine, events);

        Assert.Equal([1L, 3L], decisions.Select(d => d.Event.Id));
        Assert.All(decisions, d => Assert.Equal(RuleMode.DryRun, d.Mode));
    }

    [Fact]
    public void Process_GroupByTwoFields_KeepsOneWindowPerPair()
    {
        var rule = new RuleDefinition
        {
            Id = "share-worm",
            On = new HashSet<string> { EventKinds.InfectionTraced },
            GroupBy = [EventFieldSelector.ForEcsPath("source.ip"), EventFieldSelector.ForEcsPath("host.name")],
            Threshold = new RuleThreshold(3, TimeSpan.FromMinutes(10)),
        };
        var engine = new RulesEngine([rule]);

        var decisions = Run(engine,
        [
            Traced(1, 0, "10.0.0.5", "A"), Traced(2, 1, "10.0.0.5", "B"), Traced(3, 2, "10.0.0.5", "A"),
            Traced(4, 3, "10.0.0.5", "B"), Traced(5, 4, "10.0.0.5", "A"),
        ]);

        var decision = Assert.Single(decisions);
        Assert.Equal("10.0.0.5" + RulesEngine.GroupKeySeparator + "A", decision.GroupKey);
    }

    [Fact]
    public void Process_IdleGroups_ExpireByEventTime()
    {
        var engine = new RulesEngine([SourceRule()], new RulesEngineOptions { AllowedLateness = TimeSpan.FromMinutes(1) });
        Run(engine, Enumerable.Range(1, 100).Select(i => Traced(i, i, "10.0.1." + i)));
        Assert.Equal(100, engine.GroupCount("share-worm"));

        Run(engine, [Traced(101, 3600, "10.0.0.1"), Traced(102, 3700, "10.0.0.2")]);

        Assert.Equal(2, engine.GroupCount("share-worm"));
    }

    [Fact]
    public void Process_GroupCapReached_EvictsTheIdlestAndCountsThem()
    {
        var engine = new RulesEngine([SourceRule()], new RulesEngineOptions { MaxGroupsPerRule = 10 });

        Run(engine, Enumerable.Range(1, 11).Select(i => Traced(i, i, "10.0.1." + i)));

        Assert.True(engine.GroupCount("share-worm") <= 10);
        Assert.True(engine.EvictedGroups >= 1);
    }

    [Fact]
    public void Process_EventOfAnotherKind_DoesNotVisitTheRule()
    {
        var engine = new RulesEngine([SourceRule()]);
        var evt = Traced(1, 0, "10.0.0.5");
        evt.Kind = EventKinds.InfectionDetected;

        var evaluation = Assert.Single(engine.Evaluate(evt));

        Assert.Equal(RuleOutcome.KindNotSubscribed, evaluation.Outcome);
        Assert.Equal(0, engine.GroupCount("share-worm"));
    }

    [Fact]
    public void Evaluate_NonFiringEvents_SayWhy()
    {
        var rule = new RuleDefinition
        {
            Id = "worm",
            On = new HashSet<string> { EventKinds.InfectionTraced },
            When = new DelegatePredicate(e => e.HostName != "PROTECTED", "host.name != 'PROTECTED'"),
            GroupBy = [EventFieldSelector.ForEcsPath("source.ip")],
            Threshold = new RuleThreshold(3, TimeSpan.FromMinutes(10)),
            Throttle = TimeSpan.FromHours(1),
        };
        var engine = new RulesEngine([rule]);

        var noSource = Assert.Single(engine.Evaluate(Traced(1, 0, null)));
        var protectedHost = Assert.Single(engine.Evaluate(Traced(2, 0, "10.0.0.5", "PROTECTED")));
        engine.Evaluate(Traced(3, 0, "10.0.0.5"));
        var second = Assert.Single(engine.Evaluate(Traced(4, 10, "10.0.0.5")));
        var third = Assert.Single(engine.Evaluate(Traced(5, 20, "10.0.0.5")));
        engine.Evaluate(Traced(6, 30, "10.0.0.5"));
        engine.Evaluate(Traced(7, 40, "10.0.0.5"));
        var throttled = Assert.Single(engine.Evaluate(Traced(8, 50, "10.0.0.5")));

        Assert.Equal(RuleOutcome.GroupKeyNull, noSource.Outcome);
        Assert.Contains("source.ip", noSource.Reason, StringComparison.Ordinal);
        Assert.Equal(RuleOutcome.ConditionFalse, protectedHost.Outcome);
        Assert.Contains("host.name != 'PROTECTED'", protectedHost.Reason, StringComparison.Ordinal);
        Assert.Equal(RuleOutcome.BelowThreshold, second.Outcome);
        Assert.Equal("threshold: 2 of 3 events within 10m for group 10.0.0.5", second.Reason);
        Assert.Equal(RuleOutcome.Fired, third.Outcome);
        Assert.NotNull(third.Decision);
        Assert.Equal(RuleOutcome.Throttled, throttled.Outcome);
        Assert.Equal(Start.AddSeconds(20).AddHours(1), throttled.ThrottledUntil);
        Assert.Contains("throttled for group 10.0.0.5 until 2026-11-23T11:00:20.000Z", throttled.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreState_MidWindow_ContinuesAsIfNeverStopped()
    {
        var rule = SourceRule(throttle: TimeSpan.FromHours(1), distinct: EventFieldSelector.ForEcsPath("host.name"));
        var first = new RulesEngine([rule]);
        Run(first, [Traced(1, 0, "10.0.0.5", "A"), Traced(2, 5, "10.0.0.5", "B")]);

        var second = new RulesEngine([rule]);
        second.RestoreState(first.SaveState());
        var decisions = Run(second, [Traced(2, 5, "10.0.0.5", "B"), Traced(3, 10, "10.0.0.5", "C")]);

        var decision = Assert.Single(decisions);
        Assert.Equal([1L, 2L, 3L], decision.Window.EventIds);
        Assert.Equal(3, second.Checkpoint);
    }

    [Fact]
    public void Constructor_DuplicateRuleId_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new RulesEngine([SourceRule(), SourceRule()]));

        Assert.Contains("'share-worm' is used twice", error.Message, StringComparison.Ordinal);
    }
}
