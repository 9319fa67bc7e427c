namespace Orchestrator.Core.Rules;

/// <summary>The rules engine's saved state: the checkpoint (highest event id processed) and the serialised windows.</summary>
/// <param name="Checkpoint">Every event with an id at or below it is reflected in <paramref name="State"/>.</param>
/// <param name="State">The bytes <see cref="RulesEngine.SaveState"/> wrote.</param>
public sealed record RuleStateSnapshot(long Checkpoint, byte[] State);

/// <summary>
/// Keeps the rules engine's decisions and its state durable. Decisions are recorded idempotently
/// (unique on rule, group and event), so a decision made again while replaying after a crash is not
/// recorded twice; the snapshot is saved separately and less often. Both methods honour cancellation
/// before they start; a commit in progress is not interrupted.
/// </summary>
public interface IRuleStateStore
{
    /// <summary>The last saved snapshot, or null when none was ever saved.</summary>
    ValueTask<RuleStateSnapshot?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Commits <paramref name="decisions"/> in one transaction; one already recorded (same rule, group and event) is ignored.</summary>
    ValueTask RecordDecisionsAsync(IReadOnlyList<RuleDecision> decisions, CancellationToken cancellationToken);

    /// <summary>Replaces the snapshot. The caller has already recorded every decision of the events at or below its checkpoint.</summary>
    ValueTask SaveSnapshotAsync(RuleStateSnapshot snapshot, CancellationToken cancellationToken);
}

/// <summary>Reads stored events in id order, so the engine can replay what came after its checkpoint.</summary>
public interface IEventReplaySource
{
    /// <summary>Up to <paramref name="limit"/> stored events with an id above <paramref name="afterId"/>, lowest id first; empty at the end.</summary>
    ValueTask<IReadOnlyList<Events.SecurityEvent>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken);
}
