namespace Orchestrator.Core.Events;

/// <summary>The orchestrator kinds that playbooks subscribe to with <c>on:</c>.</summary>
public static class EventKinds
{
    /// <summary>A detection (virus, risk, threat) as the antivirus reported it, with its source when it named one.</summary>
    public const string InfectionDetected = "infection.detected";

    /// <summary>
    /// A detection with its source: the one the antivirus reported, or the best candidate the tracer
    /// found in the connections into the victim, with the corroborating connections attached.
    /// </summary>
    public const string InfectionTraced = "infection.traced";

    /// <summary>A process started (Sysmon 1, EDR process events).</summary>
    public const string ProcessStarted = "process.started";

    /// <summary>A network connection (Sysmon 3, Zeek conn, firewall and SEP traffic logs).</summary>
    public const string NetworkConnection = "network.connection";

    /// <summary>Anything else; stored with its fields so nothing is lost.</summary>
    public const string Other = "other";

    /// <summary>Derived: an executable (by SHA-256, else path) ran for the first time in the fleet, or on a host.</summary>
    public const string ProcessUnknown = "process.unknown";

    /// <summary>Derived: one source passed the threshold of distinct victims within the correlation window.</summary>
    public const string OutbreakSource = "outbreak.source";

    /// <summary>The kinds the detectors derive from stored events.</summary>
    public static IReadOnlyList<string> Derived { get; } = [InfectionTraced, ProcessUnknown, OutbreakSource];

    /// <summary>Every kind an event can have, for validation of filters and playbooks.</summary>
    public static IReadOnlyList<string> All { get; } =
        [InfectionDetected, InfectionTraced, ProcessStarted, NetworkConnection, ProcessUnknown, OutbreakSource, Other];
}
