namespace Orchestrator.Core.Rules;

/// <summary>Memory bounds of the <see cref="RulesEngine"/>.</summary>
public sealed class RulesEngineOptions
{
    /// <summary>
    /// How far behind a rule's watermark (newest event time seen) an event may arrive and still meet
    /// the events it belongs with; older window entries are dropped.
    /// </summary>
    public TimeSpan AllowedLateness { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most groups kept for one <c>group_by</c> (rules that group the same way share their groups);
    /// beyond it the groups idle longest are evicted (and counted in <see cref="RulesEngine.EvictedGroups"/>).
    /// </summary>
    public int MaxGroupsPerRule { get; set; } = 200_000;

    /// <summary>The most events one group's window keeps; the oldest go first.</summary>
    public int MaxEventsPerGroup { get; set; } = 10_000;

    public void Validate()
    {
        if (AllowedLateness < TimeSpan.Zero)
        {
            throw new ArgumentException($"Rules:AllowedLateness {AllowedLateness} must not be negative.");
        }

        if (MaxGroupsPerRule < 1 || MaxEventsPerGroup < 1)
        {
            throw new ArgumentException($"Rules:MaxGroupsPerRule ({MaxGroupsPerRule}) and Rules:MaxEventsPerGroup ({MaxEventsPerGroup}) must be at least 1.");
        }
    }
}
