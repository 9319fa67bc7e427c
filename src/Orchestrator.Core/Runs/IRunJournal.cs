namespace Orchestrator.Core.Runs;

/// <summary>
/// Where runs are kept. <see cref="SaveAsync"/> is called after every change of a run and must be
/// durable when it returns: a run resumes after a crash from what was last saved.
/// </summary>
public interface IRunJournal
{
    ValueTask SaveAsync(RunRecord run, CancellationToken cancellationToken);

    ValueTask<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Runs not finished: running (to resume after a crash) and waiting for approval.</summary>
    ValueTask<IReadOnlyList<RunRecord>> ListUnfinishedAsync(CancellationToken cancellationToken);
}
