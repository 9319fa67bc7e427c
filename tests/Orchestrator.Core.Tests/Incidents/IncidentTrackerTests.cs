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

    private static SecurityEvent Detection(long id, string victim, string? source) => new()
    {
        Id = id,
        Kind = source is null ? EventKinds.InfectionDetected : EventKinds.InfectionTraced,
        HostName = victim,
        SourceIp = source is null ? null : IPAddress.Parse(source),
    };
}
