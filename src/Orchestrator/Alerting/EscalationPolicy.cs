namespace Orchestrator.Alerting;

/// <summary>One level of an escalation policy: page <paramref name="Target"/> when the level before went unacknowledged for <paramref name="After"/>.</summary>
public sealed record EscalationLevel(TimeSpan After, string Target);

/// <summary>Who is paged, in order, until somebody acknowledges the incident.</summary>
public sealed record EscalationPolicy(string Name, IReadOnlyList<EscalationLevel> Levels);
