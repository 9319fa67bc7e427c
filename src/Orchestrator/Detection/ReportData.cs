using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Reports;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Detection;

/// <summary>
/// What the first-seen reports read, for <c>orchestrator report</c> and the scheduled reports: the
/// first-seen record, and the stored events of the report's window.
/// </summary>
public sealed class ReportData
{
    private const int CatchUpBatch = 4_096;

    private readonly SqliteEventStore _events;
    private readonly Func<CancellationToken, ValueTask<FirstSeenRegistry>> _registry;

    private ReportData(SqliteEventStore events, Func<CancellationToken, ValueTask<FirstSeenRegistry>> registry)
    {
        _events = events;
        _registry = registry;
    }

    /// <summary>
    /// Reads the record from <paramref name="firstSeen"/> for each report, brought up to date with the
    /// events stored since it was saved (<see cref="LoadRegistryAsync"/>); writes nothing. For the CLI,
    /// and for the service when detection is off.
    /// </summary>
    public static ReportData FromStore(SqliteEventStore events, IFirstSeenStore firstSeen, FirstSeenOptions options)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(firstSeen);
        ArgumentNullException.ThrowIfNull(options);
        return new ReportData(events, cancellationToken => LoadRegistryAsync(events, firstSeen, options, cancellationToken));
    }

    /// <summary>Reads the running detector's record, which is current with the events as they arrive (once it has started).</summary>
    public static ReportData FromDetection(SqliteEventStore events, DetectionService detection)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(detection);
        return new ReportData(events, async cancellationToken =>
        {
            await detection.Started.WaitAsync(cancellationToken).ConfigureAwait(false);
            return detection.Detectors!.FirstSeen;
        });
    }

    /// <summary>
    /// The saved record, then every stored event the detectors have not processed observed as they
    /// would (in memory only): a report never misses what the service has not processed yet, or what
    /// it never saw with detection off.
    /// </summary>
    public static async ValueTask<FirstSeenRegistry> LoadRegistryAsync(SqliteEventStore events, IFirstSeenStore firstSeen, FirstSeenOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(firstSeen);
        // The detectors save the record's changes before their checkpoint, so the record read after the
        // checkpoint holds every event up to it. The record's own checkpoint only moves when it changes:
        // after a quiet spell of connections alone it lags, and the detectors' checkpoint saves re-reading those.
        using var state = new SqliteDetectionState(events);
        var (processed, _) = await state.ReadAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await firstSeen.LoadAsync(cancellationToken).ConfigureAwait(false);
        var registry = FirstSeenRegistry.Load(snapshot, options);
        var after = Math.Max(processed, snapshot.Checkpoint);
        if (after == 0)
        {
            // Nothing processed (detection off or never run): only process starts teach the record, and the
            // scan re-reads only those, where reading every event back would parse them all again.
            await events.ScanAsync(new EventQuery { Kind = EventKinds.ProcessStarted }, evt => registry.Observe(evt), cancellationToken).ConfigureAwait(false);
            return registry;
        }

        while (true)
        {
            var batch = await events.ReadAfterAsync(after, CatchUpBatch, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return registry;
            }

            foreach (var evt in batch)
            {
                registry.Observe(evt);
            }

            after = batch[^1].Id;
        }
    }

    /// <summary>The executables first seen in the fleet in [<paramref name="from"/>, <paramref name="to"/>) (<see cref="UnknownProcessesReport"/>).</summary>
    public async ValueTask<ReportTable> UnknownProcessesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var registry = await _registry(cancellationToken).ConfigureAwait(false);
        return UnknownProcessesReport.Create(registry, from, to);
    }

    /// <summary>
    /// The hosts that ran an unknown executable in [<paramref name="from"/>, <paramref name="to"/>), ranked
    /// (<see cref="PinpointReport"/>); with <paramref name="shareServer"/> (an IP or name, checked with
    /// <see cref="ShareServerClients.Problem"/>), only those that connected to it in the window.
    /// </summary>
    public async ValueTask<ReportTable> PinpointAsync(DateTimeOffset from, DateTimeOffset to, string? shareServer, CancellationToken cancellationToken)
    {
        var registry = await _registry(cancellationToken).ConfigureAwait(false);
        var pinpoint = new PinpointReport(registry);
        await _events.ScanAsync(new EventQuery { Kind = EventKinds.ProcessStarted, From = from, To = to }, pinpoint.Add, cancellationToken).ConfigureAwait(false);
        ShareServerClients? clients = null;
        if (shareServer is not null)
        {
            clients = new ShareServerClients(shareServer);
            // The clients' own connection events also tell which address each host had in the window.
            await _events.ScanAsync(new EventQuery { Kind = EventKinds.NetworkConnection, From = from, To = to }, evt =>
            {
                clients.Add(evt);
                pinpoint.Add(evt);
            }, cancellationToken).ConfigureAwait(false);
        }

        return pinpoint.ToTable(from, to, clients);
    }
}
