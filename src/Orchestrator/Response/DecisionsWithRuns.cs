using Orchestrator.Core.Rules;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Response;

/// <summary>
/// The rules engine's state store as the response service uses it: a batch's decisions are not
/// committed on their own but with the runs they start (<see cref="SqliteRunStore.RecordStartsAsync"/>),
/// so one commit, not two, stands between an event and its run's first step. A snapshot can only
/// be saved after the decisions it covers are durable, so saving one first commits any decisions
/// still waiting (a later commit with the runs ignores the repeats).
/// </summary>
public sealed class DecisionsWithRuns(SqliteRuleStateStore store) : IRuleStateStore
{
    private readonly List<RuleDecision> _waiting = [];

    public ValueTask<RuleStateSnapshot?> LoadAsync(CancellationToken cancellationToken) => store.LoadAsync(cancellationToken);

    /// <summary>Keeps the decisions for <see cref="TakeWaiting"/>: the caller commits them with their runs.</summary>
    public ValueTask RecordDecisionsAsync(IReadOnlyList<RuleDecision> decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        _waiting.AddRange(decisions);
        return ValueTask.CompletedTask;
    }

    public async ValueTask SaveSnapshotAsync(RuleStateSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (_waiting.Count > 0)
        {
            await store.RecordDecisionsAsync([.. _waiting], cancellationToken).ConfigureAwait(false);
        }

        await store.SaveSnapshotAsync(snapshot, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The decisions handed out since the last call, for the caller to commit with their runs.</summary>
    public IReadOnlyList<RuleDecision> TakeWaiting()
    {
        var taken = _waiting.ToArray();
        _waiting.Clear();
        return taken;
    }
}
