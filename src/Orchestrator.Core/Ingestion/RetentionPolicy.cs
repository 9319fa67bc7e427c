namespace Orchestrator.Core.Ingestion;

/// <summary>How long events and dead letters are kept: by age, by database size, or both. Null disables a bound.</summary>
public sealed record RetentionPolicy(TimeSpan? MaxAge, long? MaxBytes);

/// <summary>What one retention pass removed.</summary>
public readonly record struct RetentionResult(long EventsDeleted, long DeadLettersDeleted);
