using System.Net;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Events;
using Orchestrator.Core.Incidents;

namespace Orchestrator.Core.Tests.Incidents;

public sealed class IncidentTrackerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Track_DetectionsFromTheSameSourceOnTwoVictims_OneIncidentWithBothVictims()
    {
        var tracker = new IncidentTracker(_time);

        var first = tracker.Track(Detection(1, victim: "WS-1", source: "10.1.1.50"), "share-worm-source", "run-a");
        var second = tracker.Track(Detection(2, victim: "WS-2", source: "10.1.1.50"), "share-worm-source", "run-b");

        Assert.Same(first, second);
        Assert.Equal(["WS-1", "WS-2"], first.Hosts.Order(StringComparer.Ordinal));
        Assert.Equal(["run-a", "run-b"], first.RunIds);
        Assert.Equal([1L, 2L], first.EventIds);
        Assert.Equal("share-worm-source: 10.1.1.50", first.Title);
    }

    [Fact]
    public void Track_UnrelatedHosts_SeparateIncidents()
    {
        var tracker = new IncidentTracker(_time);

        var first = tracker.Track(Detection(1, victim: "WS-1", source: "10.1.1.50"), "p", null);
        var second = tracker.Track(Detection(2, victim: "WS-9", source: "10.1.1.99"), "p", null);

        Assert.NotSame(first, second);
        Assert.Equal(2, tracker.Open.Count);
    }

    [Fact]
    public void Track_SameHostAfterTheQuietPeriod_NewIncident()
    {
        var tracker = new IncidentTracker(_time);
        var first = tracker.Track(Detection(1, victim: "WS-1", source: null), "p", null);

        _time.Advance(TimeSpan.FromHours(25));
        var later = tracker.Track(Detection(2, victim: "ws-1", source: null), "p", null);

        Assert.NotSame(first, later);
    }

    [Fact]
    public void Track_AfterResolve_NewIncidentForTheSameHost()
    {
        var tracker = new IncidentTracker(_time);
        var first = tracker.Track(Detection(1, victim: "WS-1", source: null), "p", null);

        tracker.Resolve(first, "alice");
        var next = tracker.Track(Detection(2, victim: "WS-1", source: null), "p", null);

        Assert.NotSame(first, next);
        Assert.Equal(IncidentStatus.Resolved, first.Status);
        Assert.Equal("alice", first.ResolvedBy);
    }

    [Fact]
    public void Track_EventLinkingTwoIncidents_JoinsTheOlder()
    {
        var tracker = new IncidentTracker(_time);
        var older = tracker.Track(Detection(1, victim: "WS-1", source: "10.1.1.50"), "p", null);
        _time.Advance(TimeSpan.FromMinutes(1));
        var newer = tracker.Track(Detection(2, victim: "WS-2", source: "10.1.1.99"), "p", null);

        var linking = tracker.Track(Detection(3, victim: "WS-2", source: "10.1.1.50"), "p", null);

        Assert.Same(older, linking);
        Assert.NotSame(newer, linking);
        Assert.Contains("WS-2", older.Hosts);
    }

    [Fact]
    public void Track_RestoredIncident_IsJoinedByItsHost()
    {
        var restored = new Incident("i-1", "p: WS-1", _time.GetUtcNow().AddHours(-1)) { LastActivity = _time.GetUtcNow().AddMinutes(-5) };
        restored.Hosts.Add("WS-1");
        var tracker = new IncidentTracker(_time);
        tracker.Restore([restored]);

        var joined = tracker.Track(Detection(1, victim: "ws-1", source: null), "p", "run-a");

        Assert.Same(restored, joined);
        Assert.Equal(["run-a"], joined.RunIds);
    }

    [Fact]
    public void Track_ManyDecisions_QuietAndResolvedIncidentsAreForgotten()
    {
        var tracker = new IncidentTracker(_time);
        var resolvedElsewhere = tracker.Track(Detection(1, victim: "WS-0", source: null), "p", null);
        resolvedElsewhere.Status = IncidentStatus.Resolved;
        for (var i = 1; i <= 1_500; i++)
        {
            tracker.Track(Detection(i + 1, victim: "WS-" + i, source: null), "p", null);
        }

        _time.Advance(TimeSpan.FromHours(25));
        for (var i = 0; i < 1_100; i++)
        {
            tracker.Track(Detection(10_000 + i, victim: "NEW-" + i, source: null), "p", null);
        }

        Assert.DoesNotContain(resolvedElsewhere, tracker.Open);
        Assert.All(tracker.Open, incident => Assert.StartsWith("NEW-", incident.Hosts.Single(), StringComparison.Ordinal));
    }

    private static SecurityEvent Detection(long id, string victim, string? source) => new()
    {
        Id = id,
        Kind = source is null ? EventKinds.InfectionDetected : EventKinds.InfectionTraced,
        HostName = victim,
        SourceIp = source is null ? null : IPAddress.Parse(source),
    };
}
