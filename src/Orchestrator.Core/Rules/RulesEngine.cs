using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Rules;

/// <summary>
/// Evaluates compiled rules on events, on event time, exactly once per stored event.
/// </summary>
/// <remarks>
/// <para>Rules are indexed by kind: an event visits only the rules whose <c>on</c> names its kind.</para>
/// <para>Windows run on <see cref="SecurityEvent.Timestamp"/>, never on arrival: a group fires when it
/// holds, within <see cref="RuleThreshold.Within"/> of event time (last − first &lt; within), at
/// least <see cref="RuleThreshold.Count"/> events, or that many distinct values of
/// <see cref="RuleThreshold.Distinct"/>. A late event is placed by its own time. After a decision the
/// group's window restarts: the events that made it (and older ones) never count again.
/// <see cref="RuleDefinition.Throttle"/> suppresses further decisions for the group until that much
/// event time after the last one; events keep counting meanwhile, and the first event past the throttle
/// whose window meets the threshold fires. A rule without threshold fires on every match.</para>
/// <para>Exactly once: <see cref="Checkpoint"/> is the highest store id processed; an event at or
/// below it is ignored (events arrive in id order from <c>EventStored</c>). Events without an id
/// (0, not stored: <c>orchestrator test</c>) are always evaluated.</para>
/// <para>Memory: each rule keeps a watermark (newest event time seen); window entries older than
/// watermark − within − <see cref="RulesEngineOptions.AllowedLateness"/> are dropped, idle groups are
/// swept, and past <see cref="RulesEngineOptions.MaxGroupsPerRule"/> the idlest groups are evicted,
/// counted in <see cref="EvictedGroups"/> and logged. Rules with the same <c>group_by</c> share one
/// <see cref="GroupIndex"/>: an event looks its group up once for all of them. Not thread-safe: one
/// caller at a time.</para>
/// </remarks>
public sealed partial class RulesEngine
{
    /// <summary>Joins the values of a multi-field <c>group_by</c> into one key.</summary>
    public const char GroupKeySeparator = '\u001f';

    internal const string GroupKeySeparatorText = "\u001f";

    private static readonly RuleState[] NoRules = [];

    private readonly RuleState[] _rules;
    private readonly GroupIndex[] _indexes;
    private readonly Dictionary<string, RuleState[]> _byKind;
    private readonly ILogger _logger;
    private long _serial;

    public RulesEngine(IEnumerable<RuleDefinition> rules, RulesEngineOptions? options = null, ILogger<RulesEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        options ??= new RulesEngineOptions();
        options.Validate();
        _logger = logger ?? NullLogger<RulesEngine>.Instance;

        var list = new List<RuleState>();
        var indexes = new Dictionary<string, GroupIndex>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            rule.Validate();
            if (!ids.Add(rule.Id))
            {
                throw new ArgumentException($"rule id '{rule.Id}' is used twice; playbook ids must be unique.", nameof(rules));
            }

            var signature = GroupIndex.Signature(rule.GroupBy);
            if (!indexes.TryGetValue(signature, out var index))
            {
                index = new GroupIndex(rule.GroupBy, options);
                indexes.Add(signature, index);
            }

            list.Add(new RuleState(rule, options, index));
        }

        _rules = [.. list];
        _indexes = [.. indexes.Values];
        _byKind = _rules
            .SelectMany(r => r.Rule.On.Select(kind => (kind, r)))
            .GroupBy(x => x.kind, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.r).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The highest store id processed; events at or below it are ignored.</summary>
    public long Checkpoint { get; private set; }

    /// <summary>Groups evicted because a <c>group_by</c> reached <see cref="RulesEngineOptions.MaxGroupsPerRule"/>, since start.</summary>
    public long EvictedGroups => _indexes.Sum(i => i.Evicted);

    public IReadOnlyList<RuleDefinition> Rules => _rules.Select(r => r.Rule).ToArray();

    internal IReadOnlyList<RuleState> States => _rules;

    /// <summary>Groups a rule currently keeps (for metrics and tests).</summary>
    public int GroupCount(string ruleId) => _rules.FirstOrDefault(r => r.Rule.Id == ruleId)?.GroupCount ?? 0;

    /// <summary>Evaluates <paramref name="evt"/> and adds any decisions to <paramref name="decisions"/>; the hot path.</summary>
    public void Process(SecurityEvent evt, ICollection<RuleDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(decisions);
        if (!Admit(evt))
        {
            return;
        }

        var rules = _byKind.GetValueOrDefault(evt.Kind, NoRules);
        var serial = ++_serial;
        for (var i = 0; i < rules.Length; i++)
        {
            var trace = default(RuleTrace);
            if (rules[i].Apply(evt, serial, explain: false, ref trace, out var decision) == RuleOutcome.Fired)
            {
                decisions.Add(decision!);
            }
        }

        LogEvictions();
    }

    /// <summary>
    /// Like <see cref="Process"/> (the event counts), but returns every rule's verdict with its reason,
    /// for <c>orchestrator test</c> and the audit trail.
    /// </summary>
    public IReadOnlyList<RuleEvaluation> Evaluate(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var results = new List<RuleEvaluation>(_rules.Length);
        if (!Admit(evt))
        {
            foreach (var rule in _rules)
            {
                results.Add(new RuleEvaluation(rule.Rule.Id, RuleOutcome.AlreadyProcessed,
                    string.Create(CultureInfo.InvariantCulture, $"event {evt.Id} is at or below the checkpoint {Checkpoint}: already counted")));
            }

            return results;
        }

        var serial = ++_serial;
        foreach (var rule in _rules)
        {
            if (!rule.Rule.On.Contains(evt.Kind))
            {
                results.Add(new RuleEvaluation(rule.Rule.Id, RuleOutcome.KindNotSubscribed,
                    $"kind '{evt.Kind}' is not in on: [{string.Join(", ", rule.Rule.On)}]"));
                continue;
            }

            var trace = default(RuleTrace);
            var outcome = rule.Apply(evt, serial, explain: true, ref trace, out var decision);
            results.Add(new RuleEvaluation(rule.Rule.Id, outcome, Explain(rule.Rule, outcome, trace, decision), decision,
                outcome == RuleOutcome.Throttled ? RuleState.Time(trace.ThrottledUntilTicks) : null));
        }

        LogEvictions();
        return results;
    }

    private bool Admit(SecurityEvent evt)
    {
        if (evt.Id == 0)
        {
            return true;
        }

        if (evt.Id <= Checkpoint)
        {
            return false;
        }

        Checkpoint = evt.Id;
        return true;
    }

    /// <summary>Moves the checkpoint (when state is restored).</summary>
    internal void SetCheckpoint(long checkpoint) => Checkpoint = checkpoint;

    private static string Explain(RuleDefinition rule, RuleOutcome outcome, RuleTrace trace, RuleDecision? decision)
    {
        var group = trace.GroupKey is { Length: > 0 } key ? $" for group {key.Replace(GroupKeySeparator, '/')}" : "";
        var threshold = rule.Threshold;
        var unit = threshold?.Distinct is { } d ? $"distinct {d.Path}" : "events";
        return outcome switch
        {
            RuleOutcome.Fired when threshold is not null => string.Create(CultureInfo.InvariantCulture,
                $"fired{group}: {(threshold.Distinct is null ? decision!.Window.Count : decision!.Window.DistinctCount)} of {threshold.Count} {unit} within {Durations.Format(threshold.Within)}"),
            RuleOutcome.Fired => $"fired{group}",
            RuleOutcome.ConditionFalse => $"when is false: {rule.When}",
            RuleOutcome.GroupKeyNull => $"group_by {string.Join(", ", rule.GroupBy)}: a field is null on this event",
            RuleOutcome.DistinctValueNull => $"threshold distinct {threshold!.Distinct!.Path} is null on this event, so it does not count",
            RuleOutcome.BelowThreshold => string.Create(CultureInfo.InvariantCulture,
                $"threshold: {trace.Have} of {threshold!.Count} {unit} within {Durations.Format(threshold.Within)}{group}"),
            RuleOutcome.Throttled => string.Create(CultureInfo.InvariantCulture,
                $"throttled{group} until {RuleState.Time(trace.ThrottledUntilTicks):yyyy-MM-ddTHH:mm:ss.fffZ} (throttle {Durations.Format(rule.Throttle ?? TimeSpan.Zero)})"),
            _ => outcome.ToString(),
        };
    }

    private void LogEvictions()
    {
        foreach (var index in _indexes)
        {
            if (index.LastEviction > 0)
            {
                LogGroupsEvicted(string.Join(", ", index.SlotRules.Select(r => r.Rule.Id)), string.Join(", ", index.GroupBy), index.LastEviction, index.Evicted);
                index.LastEviction = 0;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rules {RuleIds} (group_by {GroupBy}) reached their group cap: evicted the {Evicted} idlest groups ({TotalEvicted} since start); raise Rules:MaxGroupsPerRule or narrow group_by")]
    private partial void LogGroupsEvicted(string ruleIds, string groupBy, int evicted, long totalEvicted);
}
