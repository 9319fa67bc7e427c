namespace Orchestrator.Core.Detection.FirstSeen;

/// <summary>
/// Keeps the first-seen registry durable, so that a restart never raises again what was already seen.
/// Both methods honour cancellation before they start; a commit in progress is not interrupted. On an
/// error (thrown) nothing of the call is committed.
/// </summary>
public interface IFirstSeenStore
{
    /// <summary>Everything saved, for <see cref="FirstSeenRegistry.Load"/>; <see cref="FirstSeenRecords.Empty"/> when nothing was.</summary>
    ValueTask<FirstSeenRecords> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Commits <paramref name="changes"/> (from <see cref="FirstSeenRegistry.TakeChanges"/>) in one
    /// transaction. Saving is idempotent and order-proof (first-seen times only go down, last-seen times
    /// and counts only up), so after a failure the caller saves the same changes again, before or
    /// after newer ones. Save only after the derived events of the same events are stored: a crash in
    /// between then replays those events, whose derived events the store's dedupe key drops.
    /// </summary>
    ValueTask SaveAsync(FirstSeenRecords changes, CancellationToken cancellationToken);
}
