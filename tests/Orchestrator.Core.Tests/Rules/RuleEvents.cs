using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Rules;

namespace Orchestrator.Core.Tests.Rules;

/// <summary>Events and rules for the rules engine tests.</summary>
internal static class RuleEvents
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    public static SecurityEvent Traced(long id, double seconds, string? sourceIp, string host = "HOST-1") => new()
    {
        Id = id,
        Kind = EventKinds.InfectionTraced,
        Timestamp = Start.AddSeconds(seconds),
        SourceIp = sourceIp is null ? null : IPAddress.Parse(sourceIp),
        HostName = host,
    };

    /// <summary>The shared workload rule: 3 events from one source within 10 minutes.</summary>
    public static RuleDefinition SourceRule(TimeSpan? throttle = null, EventFieldSelector? distinct = null, int count = 3, string id = "share-worm") => new()
    {
        Id = id,
        On = new HashSet<string> { EventKinds.InfectionTraced },
        GroupBy = [EventFieldSelector.ForEcsPath("source.ip")],
        Threshold = new RuleThreshold(count, TimeSpan.FromMinutes(10), distinct),
        Throttle = throttle,
    };

    public static List<RuleDecision> Run(RulesEngine engine, IEnumerable<SecurityEvent> events)
    {
        var decisions = new List<RuleDecision>();
        foreach (var evt in events)
        {
            engine.Process(evt, decisions);
        }

        return decisions;
    }
}
