using System.Net;

namespace Orchestrator.Core.Events;

/// <summary>
/// The one canonical record every parser produces. Properties carry ECS field names in
/// <see cref="EcsFields"/>; the JSON form (<see cref="SecurityEventJson"/>) is nested ECS.
/// </summary>
public sealed class SecurityEvent
{
    /// <summary>Store id; 0 until the event is committed.</summary>
    public long Id { get; set; }

    /// <summary>The orchestrator kind (<see cref="EventKinds"/>), what playbooks match with <c>on:</c>.</summary>
    public string Kind { get; set; } = EventKinds.Other;

    /// <summary>The parser that produced this event (sep, epo, cef, ...).</summary>
    public string Format { get; set; } = "";

    /// <summary>When the event happened (event time), UTC. Windows and thresholds run on this.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>When Orchestrator received it.</summary>
    public DateTimeOffset Ingested { get; set; }

    /// <summary>The raw line or document as received, always kept.</summary>
    public string Original { get; set; } = "";

    public string? EventKind { get; set; }
    public string? EventCategory { get; set; }
    public string? EventType { get; set; }
    public string? EventAction { get; set; }
    public string? EventProvider { get; set; }
    public string? EventCode { get; set; }
    public int? EventSeverity { get; set; }
    public string? EventOutcome { get; set; }

    public string? ObserverName { get; set; }

    public string? HostName { get; set; }
    public IPAddress? HostIp { get; set; }
    public MacAddress? HostMac { get; set; }

    public IPAddress? SourceIp { get; set; }
    public int? SourcePort { get; set; }
    public string? SourceName { get; set; }
    public string? SourceUser { get; set; }
    public MacAddress? SourceMac { get; set; }

    public IPAddress? DestinationIp { get; set; }
    public int? DestinationPort { get; set; }
    public string? DestinationName { get; set; }
    public string? DestinationUser { get; set; }
    public MacAddress? DestinationMac { get; set; }

    public string? ProcessExecutable { get; set; }
    public string? ProcessName { get; set; }
    public long? ProcessPid { get; set; }
    public string? ProcessCommandLine { get; set; }
    public string? ProcessEntityId { get; set; }
    public string? ProcessHashMd5 { get; set; }
    public string? ProcessHashSha1 { get; set; }
    public string? ProcessHashSha256 { get; set; }
    public string? ProcessParentExecutable { get; set; }
    public string? ProcessParentName { get; set; }
    public long? ProcessParentPid { get; set; }
    public string? ProcessParentCommandLine { get; set; }
    public string? ProcessParentEntityId { get; set; }

    public string? UserName { get; set; }
    public string? UserDomain { get; set; }

    public string? FilePath { get; set; }
    public string? FileName { get; set; }
    public string? FileHashMd5 { get; set; }
    public string? FileHashSha1 { get; set; }
    public string? FileHashSha256 { get; set; }

    /// <summary>The threat, risk or signature name (SEP "Risk name", ePO ThreatName, CEF name).</summary>
    public string? RuleName { get; set; }

    public string? NetworkTransport { get; set; }
    public string? NetworkDirection { get; set; }
    public string? NetworkProtocol { get; set; }

    public string? UrlOriginal { get; set; }

    /// <summary>Vendor fields with no ECS home, keyed by their vendor label; created on first use.</summary>
    public LabelDictionary? Labels { get; set; }

    /// <summary>Adds a label (or replaces its value), creating <see cref="Labels"/> on first use.</summary>
    public void SetLabel(string key, string value)
    {
        (Labels ??= new LabelDictionary()).Set(key, value);
    }
}
