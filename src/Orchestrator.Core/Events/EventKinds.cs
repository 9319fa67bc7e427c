namespace Orchestrator.Core.Events;

/// <summary>The orchestrator kinds that playbooks subscribe to with <c>on:</c>.</summary>
public static class EventKinds
{
    /// <summary>A detection (virus, risk, threat) with no known source.</summary>
    public const string InfectionDetected = "infection.detected";

    /// <summary>A detection that names the host or IP the infection came from.</summary>
    public const string InfectionTraced = "infection.traced";

    /// <summary>A process started (Sysmon 1, EDR process events).</summary>
    public const string ProcessStarted = "process.started";

    /// <summary>A network connection (Sysmon 3, Zeek conn, firewall and SEP traffic logs).</summary>
    public const string NetworkConnection = "network.connection";

    /// <summary>Anything else; stored with its fields so nothing is lost.</summary>
    public const string Other = "other";

    /// <summary>Every kind the parsers emit, for validation of filters and playbooks.</summary>
    public static IReadOnlyList<string> All { get; } =
        [InfectionDetected, InfectionTraced, ProcessStarted, NetworkConnection, Other];

    /// <summary>The kind of a detection: traced when it names a source host or IP, otherwise detected.</summary>
    public static string ForDetection(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        return evt.SourceIp is not null || !string.IsNullOrEmpty(evt.SourceName) ? InfectionTraced : InfectionDetected;
    }
}
