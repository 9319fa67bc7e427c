using System.Net;

namespace Orchestrator.Core.Events;

/// <summary>
/// The one canonical record every parser produces. Properties carry ECS field names in
/// <see cref="EcsFields"/>; the JSON form (<see cref="SecurityEventJson"/>) is nested ECS.
/// </summary>
public sealed class SecurityEvent
{
    // Most events have no process, no destination or no file hashes: those groups live in objects
    // made on the first non-null write, which keeps the event small while thousands wait for their batch.
    private ProcessFields? _process;
    private DestinationFields? _destination;
    private FileHashFields? _fileHash;

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

    public IPAddress? DestinationIp { get => _destination?.Ip; set => Destination(value is not null)?.Ip = value; }
    public int? DestinationPort { get => _destination?.Port; set => Destination(value is not null)?.Port = value; }
    public string? DestinationName { get => _destination?.Name; set => Destination(value is not null)?.Name = value; }
    public string? DestinationUser { get => _destination?.User; set => Destination(value is not null)?.User = value; }
    public MacAddress? DestinationMac { get => _destination?.Mac; set => Destination(value is not null)?.Mac = value; }

    public string? ProcessExecutable { get => _process?.Executable; set => Process(value is not null)?.Executable = value; }
    public string? ProcessName { get => _process?.Name; set => Process(value is not null)?.Name = value; }
    public long? ProcessPid { get => _process?.Pid; set => Process(value is not null)?.Pid = value; }
    public string? ProcessCommandLine { get => _process?.CommandLine; set => Process(value is not null)?.CommandLine = value; }
    public string? ProcessEntityId { get => _process?.EntityId; set => Process(value is not null)?.EntityId = value; }
    public string? ProcessHashMd5 { get => _process?.HashMd5; set => Process(value is not null)?.HashMd5 = value; }
    public string? ProcessHashSha1 { get => _process?.HashSha1; set => Process(value is not null)?.HashSha1 = value; }
    public string? ProcessHashSha256 { get => _process?.HashSha256; set => Process(value is not null)?.HashSha256 = value; }

    /// <summary>The subject of the executable's code-signing certificate (ECS <c>process.code_signature.subject_name</c>).</summary>
    public string? ProcessSigner { get => _process?.Signer; set => Process(value is not null)?.Signer = value; }

    public string? ProcessParentExecutable { get => _process?.ParentExecutable; set => Process(value is not null)?.ParentExecutable = value; }
    public string? ProcessParentName { get => _process?.ParentName; set => Process(value is not null)?.ParentName = value; }
    public long? ProcessParentPid { get => _process?.ParentPid; set => Process(value is not null)?.ParentPid = value; }
    public string? ProcessParentCommandLine { get => _process?.ParentCommandLine; set => Process(value is not null)?.ParentCommandLine = value; }
    public string? ProcessParentEntityId { get => _process?.ParentEntityId; set => Process(value is not null)?.ParentEntityId = value; }

    public string? UserName { get; set; }
    public string? UserDomain { get; set; }

    public string? FilePath { get; set; }
    public string? FileName { get; set; }
    public string? FileHashMd5 { get => _fileHash?.Md5; set => FileHash(value is not null)?.Md5 = value; }
    public string? FileHashSha1 { get => _fileHash?.Sha1; set => FileHash(value is not null)?.Sha1 = value; }
    public string? FileHashSha256 { get => _fileHash?.Sha256; set => FileHash(value is not null)?.Sha256 = value; }

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

    private ProcessFields? Process(bool create) => create ? _process ??= new ProcessFields() : _process;

    private DestinationFields? Destination(bool create) => create ? _destination ??= new DestinationFields() : _destination;

    private FileHashFields? FileHash(bool create) => create ? _fileHash ??= new FileHashFields() : _fileHash;

    private sealed class ProcessFields
    {
        public string? Executable { get; set; }
        public string? Name { get; set; }
        public long? Pid { get; set; }
        public string? CommandLine { get; set; }
        public string? EntityId { get; set; }
        public string? HashMd5 { get; set; }
        public string? HashSha1 { get; set; }
        public string? HashSha256 { get; set; }
        public string? Signer { get; set; }
        public string? ParentExecutable { get; set; }
        public string? ParentName { get; set; }
        public long? ParentPid { get; set; }
        public string? ParentCommandLine { get; set; }
        public string? ParentEntityId { get; set; }
    }

    private sealed class DestinationFields
    {
        public IPAddress? Ip { get; set; }
        public int? Port { get; set; }
        public string? Name { get; set; }
        public string? User { get; set; }
        public MacAddress? Mac { get; set; }
    }

    private sealed class FileHashFields
    {
        public string? Md5 { get; set; }
        public string? Sha1 { get; set; }
        public string? Sha256 { get; set; }
    }
}
