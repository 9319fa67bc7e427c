using Orchestrator.Core.Events;

namespace Orchestrator.Core.Detection;

/// <summary>
/// An event a detector derives from stored events (<see cref="EventKinds.Derived"/>), with the key
/// that makes storing it idempotent: the store keeps the first event under a key and ignores any
/// later one, so a detector that re-processes events after a crash never raises anything twice.
/// </summary>
public sealed record DerivedEvent(SecurityEvent Event, string DedupeKey);

/// <summary>Builds derived events in one shape: what every detector copies from the event it derives from.</summary>
public static class DerivedEvents
{
    /// <summary>Labels every derived event carries.</summary>
    public const string DerivedFromLabel = "orchestrator.derived_from";

    public const string DetectorLabel = "orchestrator.detector";

    /// <summary>The id of the event <paramref name="derived"/> was derived from (its <see cref="DerivedFromLabel"/>), or null.</summary>
    public static long? DerivedFrom(SecurityEvent derived)
    {
        ArgumentNullException.ThrowIfNull(derived);
        return derived.Labels is { } labels && labels.TryGetValue(DerivedFromLabel, out var from)
            && long.TryParse(from, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
    }

    /// <summary>
    /// A new event of <paramref name="kind"/> at the time of <paramref name="basis"/>, naming the
    /// same host, user, process, file and threat, labelled with the id of <paramref name="basis"/>
    /// and the detector's name. Source and destination are left to the detector.
    /// </summary>
    public static SecurityEvent From(SecurityEvent basis, string kind, string detector)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var evt = new SecurityEvent
        {
            Kind = kind,
            Timestamp = basis.Timestamp,
            Ingested = basis.Ingested,
            EventKind = "signal",
            EventCategory = basis.EventCategory,
            EventType = basis.EventType,
            EventAction = basis.EventAction,
            EventProvider = "orchestrator",
            EventSeverity = basis.EventSeverity,
            ObserverName = basis.ObserverName,
            HostName = basis.HostName,
            HostIp = basis.HostIp,
            HostMac = basis.HostMac,
            UserName = basis.UserName,
            UserDomain = basis.UserDomain,
            FilePath = basis.FilePath,
            FileName = basis.FileName,
            FileHashMd5 = basis.FileHashMd5,
            FileHashSha1 = basis.FileHashSha1,
            FileHashSha256 = basis.FileHashSha256,
            RuleName = basis.RuleName,
            ProcessExecutable = basis.ProcessExecutable,
            ProcessName = basis.ProcessName,
            ProcessPid = basis.ProcessPid,
            ProcessCommandLine = basis.ProcessCommandLine,
            ProcessEntityId = basis.ProcessEntityId,
            ProcessHashMd5 = basis.ProcessHashMd5,
            ProcessHashSha1 = basis.ProcessHashSha1,
            ProcessHashSha256 = basis.ProcessHashSha256,
            ProcessSigner = basis.ProcessSigner,
            ProcessParentExecutable = basis.ProcessParentExecutable,
            ProcessParentName = basis.ProcessParentName,
            ProcessParentPid = basis.ProcessParentPid,
            ProcessParentCommandLine = basis.ProcessParentCommandLine,
            ProcessParentEntityId = basis.ProcessParentEntityId,
        };
        evt.SetLabel(DerivedFromLabel, basis.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        evt.SetLabel(DetectorLabel, detector);
        return evt;
    }
}
