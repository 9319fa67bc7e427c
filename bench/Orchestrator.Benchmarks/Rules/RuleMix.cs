using Orchestrator.Core.Events;
using Orchestrator.Core.Rules;

namespace Orchestrator.Benchmarks.Rules;

/// <summary>The rules the engine benchmarks load: the shared workload rule and a mix of 100.</summary>
internal static class RuleMix
{
    private static readonly string[] Risks = ["W32.Downadup.B", "W32.Ramnit", "W32.Sality.AE", "W32.Virut.CF", "Trojan.Gen.2", "W32.Changeup", "W32.Qakbot", "W32.Worm"];

    /// <summary>
    /// The shared workload's rule: SEP risk events with a source IP, group by source IP, 3 within
    /// 10 minutes, one decision per source. The generator puts an attacker's 3–8 events inside
    /// 480 s, so any throttle of at least 480 s after the first decision gives one per source;
    /// 1 h is what an admin would write ("block once, look again in an hour").
    /// </summary>
    public static RuleDefinition SharedWorkload() => new()
    {
        Id = "sep-source-block",
        On = new HashSet<string> { EventKinds.InfectionTraced },
        GroupBy = [EventFieldSelector.ForEcsPath("source.ip")],
        Threshold = new RuleThreshold(3, TimeSpan.FromMinutes(10)),
        Throttle = TimeSpan.FromHours(1),
    };

    /// <summary>
    /// 100 rules: 25 on traced infections and 25 on local detections (SEP events visit those 50),
    /// 50 on process, connection and other kinds (never visited by SEP events). Of the 50 visited,
    /// 40 have a <c>when</c> on the risk name (one risk each, so ~1/8 of events pass), 10 have none;
    /// they group by source IP, host name, user or a pair, with counts 2–8, some distinct, some throttled.
    /// <paramref name="quiet"/>: the same rules with every rule thresholded (counts ×10) and throttled, so
    /// decisions are rare, to show the engine's cost apart from making decisions.
    /// </summary>
    public static List<RuleDefinition> Hundred(bool quiet = false)
    {
        var rules = new List<RuleDefinition>();
        for (var i = 0; i < 100; i++)
        {
            var kind = KindOf(i);
            EventFieldSelector[] groupBy = (i % 4) switch
            {
                0 => [EventFieldSelector.ForEcsPath(kind == EventKinds.InfectionTraced ? "source.ip" : "host.name")],
                1 => [EventFieldSelector.ForEcsPath("host.name")],
                2 => [EventFieldSelector.ForEcsPath("user.name")],
                _ => [EventFieldSelector.ForEcsPath("host.name"), EventFieldSelector.ForEcsPath("rule.name")],
            };
            rules.Add(new RuleDefinition
            {
                Id = "rule-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                On = new HashSet<string> { kind },
                When = WhenOf(i),
                GroupBy = groupBy,
                Threshold = i % 7 == 6 && !quiet ? null : new RuleThreshold((quiet ? 10 : 1) * (2 + (i % 7)), TimeSpan.FromMinutes(5 + (i % 3 * 5)), i % 3 == 0 ? EventFieldSelector.ForEcsPath("file.path") : null),
                Throttle = i % 2 == 0 || quiet ? TimeSpan.FromMinutes(30) : null,
                Mode = i % 10 == 0 ? RuleMode.DryRun : RuleMode.Enforce,
            });
        }

        return rules;
    }

    /// <summary>
    /// 100 rules as an admin would write them ("100 playbooks loaded"): the same split of kinds and
    /// <c>when</c> clauses as <see cref="Hundred"/>, but every rule is thresholded (3–10 events, or
    /// distinct victims/files, within 2–10 minutes) on sources, hosts, source/host or host/user pairs, and
    /// throttled 30 minutes to 1 hour, so a group fires at most once in the file. Decisions are a small
    /// fraction of events, and the engine's cost is its windows, not making decisions.
    /// </summary>
    public static List<RuleDefinition> Realistic()
    {
        var rules = new List<RuleDefinition>();
        for (var i = 0; i < 100; i++)
        {
            var kind = KindOf(i);
            var traced = kind == EventKinds.InfectionTraced;
            EventFieldSelector[] groupBy = (i % 3) switch
            {
                0 => [EventFieldSelector.ForEcsPath(traced ? "source.ip" : "host.name")],
                1 => [EventFieldSelector.ForEcsPath("host.name")],
                _ => traced ? [EventFieldSelector.ForEcsPath("source.ip"), EventFieldSelector.ForEcsPath("host.name")] : [EventFieldSelector.ForEcsPath("host.name"), EventFieldSelector.ForEcsPath("user.name")],
            };
            var distinct = (i % 4) switch
            {
                1 => EventFieldSelector.ForEcsPath("file.path"),
                3 when traced => EventFieldSelector.ForEcsPath("host.name"),
                _ => null,
            };
            rules.Add(new RuleDefinition
            {
                Id = "playbook-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                On = new HashSet<string> { kind },
                When = WhenOf(i),
                GroupBy = groupBy,
                Threshold = new RuleThreshold(3 + (i % 8), TimeSpan.FromMinutes(2 + (i % 5 * 2)), distinct),
                Throttle = TimeSpan.FromMinutes(i % 2 == 0 ? 30 : 60),
                Mode = i % 10 == 0 ? RuleMode.DryRun : RuleMode.Enforce,
            });
        }

        return rules;
    }

    /// <summary>Rule i's kind: 25 each on traced infections, local detections, processes; 75–99 alternate connections and other kinds.</summary>
    private static string KindOf(int i)
    {
        string[] kinds = [EventKinds.InfectionTraced, EventKinds.InfectionDetected, EventKinds.ProcessStarted, EventKinds.NetworkConnection];
        return i >= 75 && i % 2 == 1 ? EventKinds.Other : kinds[Math.Min(i / 25, 3)];
    }

    /// <summary>Rule i's <c>when</c>: one risk name, for four rules in five; none for the fifth.</summary>
    private static DelegatePredicate? WhenOf(int i)
    {
        var risk = Risks[i % Risks.Length];
        return i % 5 != 0 ? new DelegatePredicate(e => string.Equals(e.RuleName, risk, StringComparison.Ordinal), "rule.name == '" + risk + "'") : null;
    }
}
