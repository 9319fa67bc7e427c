namespace Orchestrator.Core.Rules;

/// <summary>The rules engine's saved state: the checkpoint (highest event id processed) and the serialised windows.</summary>
/// <param name="Checkpoint">Every event with an id at or below it is reflected in <paramref name="State"/>.</param>
/// <param name="State">The bytes <see cref="RulesEngine.SaveState"/> wrote.</param>
public sealed record RuleStateSnapshot(long Checkpoint, byte[] State);

/// <summary>
/// Keeps the rules engine's state and its decisions durable. <see cref="SaveAsync"/> replaces the
/// snapshot and records the decisions it produced in one transaction: either both are committed or
/// neither, so after a crash a decision is neither recorded twice nor lost. Both methods honour
/// cancellation before they start; a commit in progress is not interrupted.
/// </summary>
public interface IRuleStateStore
{
    /// <summary>The last saved snapshot, or null when none was ever saved.</summary>
    ValueTask<RuleStateSnapshot?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Atomically replaces the snapshot and records <paramref name="decisions"/> (which may be empty).</summary>
    ValueTask SaveAsync(RuleStateSnapshot snapshot, IReadOnlyList<RuleDecision> decisions, CancellationToken cancellationToken);
}

/// <summary>Reads stored events in id order, so the engine can replay what came after its checkpoint.</summary>
public interface IEventReplaySource
{
    /// <summary>Up to <paramref name="limit"/> stored events with an id above <paramref name="afterId"/>, lowest id first; empty at the end.</summary>
    ValueTask<IReadOnlyList<Events.SecurityEvent>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken);
}
