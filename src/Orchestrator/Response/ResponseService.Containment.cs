using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Switches;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Audit;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Runs;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Response;

/// <summary>
/// Containment by hand (<c>orchestrator contain</c>, <c>release</c>, and their API): each is a run of one step,
/// started by a person, so it passes the same checks as a playbook's step (protected assets, the blast-radius
/// breaker, the global dry run), is audited, and is recorded in the ledger with who asked. The step and its
/// parameters are written with the run before it starts, so a restart finishes it like any other run.
/// </summary>
public sealed partial class ResponseService
{
    /// <summary>The playbook id of runs started by hand with <see cref="ContainAsync"/> and <see cref="ReleaseContainmentAsync"/>.</summary>
    public const string ByHandPlaybookId = Core.Playbooks.PlaybookLoader.ReservedByHandId;

    private const string ByHandStepId = "contain";

    /// <summary>
    /// Runs the containment step <paramref name="stepType"/> (e.g. <c>switch.quarantine</c>) with <paramref name="parameters"/>
    /// for <paramref name="by"/>, and returns the run when it has finished (or waits for an approval the breaker asked for).
    /// </summary>
    public Task<RunRecord> ContainAsync(string stepType, IReadOnlyDictionary<string, object?> parameters, bool dryRun, string by, CancellationToken cancellationToken) =>
        RunByHandAsync(stepType, parameters, dryRun, by, $"containment by hand by {by}: {stepType} {Describe(parameters)}", cancellationToken);

    /// <summary>
    /// Undoes containment <paramref name="containmentId"/> on its device for <paramref name="by"/>. Throws
    /// <see cref="KeyNotFoundException"/> for an unknown id and <see cref="InvalidOperationException"/> when it is not in force.
    /// </summary>
    public async Task<RunRecord> ReleaseContainmentAsync(string containmentId, string by, string? comment, CancellationToken cancellationToken)
    {
        var record = await _ledger.GetAsync(containmentId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"no containment with id {containmentId}");
        if (!record.MayBeInForce)
        {
            throw new InvalidOperationException($"containment {record.Id} is already {record.Status.ToString().ToLowerInvariant()}{(record.ReleasedBy is { } who ? " (by " + who + ")" : "")}");
        }

        var releaseStep = ReleaseStepOf(record)
            ?? throw new InvalidOperationException($"containment {record.Id} was made by {record.Action}, which this build cannot undo; undo it on {record.Device} by hand");
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal) { ["containment"] = record.Id };
        return await RunByHandAsync(releaseStep, parameters, dryRun: false, by, WithComment($"release of containment {record.Id} ({record.Action} {record.Target} on {record.Device}) by hand by {by}", comment), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The expiry of containment <paramref name="containmentId"/> is due: it is undone on its device and marked expired
    /// (audited as by <c>expiry</c>). An expiry that was moved later meanwhile is scheduled again instead; one already
    /// released is nothing to do.
    /// </summary>
    public async Task ExpireContainmentAsync(string containmentId, CancellationToken cancellationToken)
    {
        if (await _ledger.GetAsync(containmentId, cancellationToken).ConfigureAwait(false) is not { } record || !record.MayBeInForce || record.ExpiresAt is not { } at)
        {
            return;
        }

        if (at > _time.GetUtcNow())
        {
            await _expiry.ScheduleAsync(record.Id, at, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (ReleaseStepOf(record) is not { } releaseStep)
        {
            await AuditAsync(new AuditEntry(_time.GetUtcNow(), AuditKinds.Containment, $"containment {record.Id} ({record.Action}) expired, but this build cannot undo it: undo it on {record.Device} by hand", Actor: ExpiryActor), cancellationToken).ConfigureAwait(false);
            return;
        }

        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal) { ["containment"] = record.Id, ["outcome"] = "expired" };
        await RunByHandAsync(releaseStep, parameters, dryRun: false, ExpiryActor, $"containment {record.Id} ({record.Action} {record.Target} on {record.Device}) expired at {at:u}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes containment <paramref name="containmentId"/> end <paramref name="duration"/> from now (the device's own timeout
    /// refreshed too). Throws <see cref="KeyNotFoundException"/> for an unknown id and <see cref="InvalidOperationException"/>
    /// when it is not in force, has no expiry, or would end sooner than it does now.
    /// </summary>
    public async Task<RunRecord> ExtendContainmentAsync(string containmentId, TimeSpan duration, string by, string? comment, CancellationToken cancellationToken)
    {
        var record = await _ledger.GetAsync(containmentId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"no containment with id {containmentId}");
        if (record.Status != ContainmentStatus.Active || record.ExpiresAt is not { } current)
        {
            throw new InvalidOperationException($"containment {record.Id} is {record.Status.ToString().ToLowerInvariant()}{(record.ExpiresAt is null ? " and has no expiry" : "")}: only an active containment with an expiry can be extended");
        }

        var until = _time.GetUtcNow() + duration;
        if (until <= current)
        {
            throw new InvalidOperationException($"containment {record.Id} already lasts until {current:u}; --for {Durations.Format(duration)} from now would end it sooner");
        }

        if (record.Action != FirewallBlockStep.Name)
        {
            throw new InvalidOperationException($"containment {record.Id} is a {record.Action}: only firewall blocks can be extended in this build");
        }

        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["ip"] = record.Ip,
            ["device"] = record.Device,
            ["for"] = Durations.Format(duration),
            ["reason"] = record.Reason,
        };
        return await RunByHandAsync(FirewallBlockStep.Name, parameters, dryRun: false, by, WithComment($"containment {record.Id} ({record.Target} on {record.Device}) extended by hand by {by} to {until:u}", comment), cancellationToken).ConfigureAwait(false);
    }

    private const string ExpiryActor = "expiry";

    /// <summary>The step that undoes what <paramref name="record"/>'s step did, or null when none of this build does.</summary>
    private static string? ReleaseStepOf(ContainmentRecord record) =>
        record.Action.StartsWith("switch.", StringComparison.Ordinal) ? SwitchReleaseStep.Name
        : record.Action == FirewallBlockStep.Name ? FirewallUnblockStep.Name
        : null;

    // Every active containment's expiry is (re)scheduled at start: a crash between recording a containment and
    // scheduling its end leaves no block that never ends. Overdue ones fire at once.
    private async Task ScheduleExpiriesAsync(CancellationToken cancellationToken)
    {
        foreach (var record in await _ledger.ListAsync(activeOnly: true, 1_000_000, cancellationToken).ConfigureAwait(false))
        {
            if (record.Status == ContainmentStatus.Active && record.ExpiresAt is { } at)
            {
                await _expiry.ScheduleAsync(record.Id, at, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<RunRecord> RunByHandAsync(string stepType, IReadOnlyDictionary<string, object?> parameters, bool dryRun, string by, string audit, CancellationToken cancellationToken)
    {
        var plan = ByHandPlan(stepType, parameters, dryRun);
        var run = _runner.NewRun(plan, null, new Dictionary<string, object?>(StringComparer.Ordinal), null);
        run.StartedBy = by;
        run.Step(ByHandStepId, stepType, StepPhase.Main).Parameters = parameters;
        var entry = new AuditEntry(_time.GetUtcNow(), AuditKinds.Run, audit + (run.DryRun ? " (dry run)" : ""), ByHandPlaybookId, run.Id, Actor: by);
        await _runs.RecordStartsAsync(new RunStarts([run], [], [entry], [], entry.At), cancellationToken).ConfigureAwait(false);
        await _runSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _runner.ContinueAsync(run, plan, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _runSlots.Release();
        }
    }

    /// <summary>The one-step plan of a run started by hand, rebuilt from the run itself after a restart; null when it has no step.</summary>
    private static RunPlan? ByHandPlan(RunRecord run) =>
        run.Steps.FirstOrDefault(s => s.Id == ByHandStepId) is { Parameters: { } parameters } step ? ByHandPlan(step.Type, parameters, run.DryRun) : null;

    private static RunPlan ByHandPlan(string stepType, IReadOnlyDictionary<string, object?> parameters, bool dryRun) =>
        new(ByHandPlaybookId, [new PlannedStep(ByHandStepId, stepType, _ => parameters)], [], dryRun);

    private static string Describe(IReadOnlyDictionary<string, object?> parameters) =>
        string.Join(", ", parameters.Where(p => p.Value is not null).Select(p => $"{p.Key}={p.Value}"));
}
