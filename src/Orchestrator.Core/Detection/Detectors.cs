using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Detection.Lookback;
using Orchestrator.Core.Detection.Outbreaks;
using Orchestrator.Core.Detection.Tracing;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Detection;

/// <summary>
/// The detectors together, fed every stored event in id order: connections go into the lookback,
/// detections are traced (or wait a little event time for connections that arrive late) and the traced
/// ones correlated by source, process starts are checked against the
/// first-seen record. What they derive is handed back to be stored; the service, <c>orchestrator
/// test</c> and the benchmarks all go through this one routing. Not thread-safe for writers (one
/// loop feeds it); the parts answer readers concurrently.
/// </summary>
public sealed class Detectors
{
    public Detectors(ConnectionLookback lookback, InfectionTracer tracer, OutbreakCorrelator outbreaks, FirstSeenRegistry firstSeen)
    {
        Lookback = lookback;
        Tracer = tracer;
        Outbreaks = outbreaks;
        FirstSeen = firstSeen;
    }

    // Traces of detections that waited for late connections, made during one call.
    private readonly List<DerivedEvent> _late = [];

    public ConnectionLookback Lookback { get; }

    public InfectionTracer Tracer { get; }

    public OutbreakCorrelator Outbreaks { get; }

    public FirstSeenRegistry FirstSeen { get; }

    /// <summary>
    /// Takes one stored event. Derived events are added to <paramref name="derived"/> in the order
    /// they should be stored. Events the detectors derived themselves are ignored (their effect was
    /// taken when they were derived). <paramref name="checkProcesses"/> false skips the first-seen
    /// check: for events replayed to rebuild the windows, whose processes the record holds already.
    /// </summary>
    public void Process(SecurityEvent evt, List<DerivedEvent> derived, bool checkProcesses = true)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(derived);
        if (IsDerived(evt))
        {
            return;
        }

        Lookback.Learn(evt);
        switch (evt.Kind)
        {
            case EventKinds.NetworkConnection:
                Lookback.Add(evt);
                break;
            case EventKinds.InfectionDetected:
                if (Tracer.TraceOrWait(evt, _late) is { } traced)
                {
                    Correlate(traced, derived);
                }

                break;
            case EventKinds.InfectionTraced:
                // Traced before it reached us (an EDR that traces, an exported event): correlated as it is.
                derived.AddRange(Outbreaks.Observe(evt));
                break;
            case EventKinds.ProcessStarted when checkProcesses:
                derived.AddRange(FirstSeen.Derive(evt));
                break;
        }

        // Every event moves event time on: detections that waited for late connections are traced once it passes their wait.
        Tracer.TraceWaited(evt.Timestamp, _late);
        CorrelateLate(derived);
    }

    /// <summary>
    /// Traces every detection still waiting for late connections, with what has come: for the end of a
    /// finite input (<c>orchestrator test</c>, <c>replay</c>), where no later event would end their wait.
    /// </summary>
    public void Flush(List<DerivedEvent> derived)
    {
        ArgumentNullException.ThrowIfNull(derived);
        Tracer.TraceWaited(null, _late);
        CorrelateLate(derived);
    }

    // Only a traced detection can make its source an outbreak source; the unknown ones are counted where
    // the sources are listed (the outbreak view reads them from the store).
    private void Correlate(DerivedEvent traced, List<DerivedEvent> derived)
    {
        derived.Add(traced);
        derived.AddRange(Outbreaks.Observe(traced.Event));
    }

    private void CorrelateLate(List<DerivedEvent> derived)
    {
        foreach (var traced in _late)
        {
            Correlate(traced, derived);
        }

        _late.Clear();
    }

    /// <summary>Whether a detector derived <paramref name="evt"/>.</summary>
    public static bool IsDerived(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        return evt.Labels?.ContainsKey(DerivedEvents.DetectorLabel) == true;
    }
}
