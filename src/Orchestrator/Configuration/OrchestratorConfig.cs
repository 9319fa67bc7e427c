namespace Orchestrator.Configuration;

/// <summary>The file <c>orchestrator.yaml</c> as written by the admin; every key is optional and has an embedded default.</summary>
public sealed class OrchestratorConfig
{
    /// <summary>The data directory (SQLite database, generated keys); <c>--data</c> overrides it.</summary>
    public string? Data { get; set; }

    public HttpConfig Http { get; set; } = new();

    public SyslogConfig Syslog { get; set; } = new();

    public StorageConfig Storage { get; set; } = new();

    public RetentionConfig Retention { get; set; } = new();

    public ResponseConfig Response { get; set; } = new();

    public AlertingConfig Alerting { get; set; } = new();

    public ScriptsConfig Scripts { get; set; } = new();

    public DetectionConfig Detection { get; set; } = new();
}

/// <summary>The detectors between the store and the playbooks: connection lookback and tracer, outbreak correlation, unknown processes.</summary>
public sealed class DetectionConfig
{
    /// <summary>Off: no <c>infection.traced</c>, <c>outbreak.source</c> or <c>process.unknown</c> is derived.</summary>
    public bool Enabled { get; set; } = true;

    public LookbackConfig Lookback { get; set; } = new();

    public OutbreakConfig Outbreak { get; set; } = new();

    public UnknownProcessesConfig UnknownProcesses { get; set; } = new();
}

/// <summary>Connection telemetry kept per host, and how a detection is traced through it.</summary>
public sealed class LookbackConfig
{
    /// <summary>How far before a detection its victim's incoming connections are searched.</summary>
    public string Window { get; set; } = "30m";

    /// <summary>Connections kept per receiving host at most; the oldest go first.</summary>
    public int PerHost { get; set; } = 1_000;

    /// <summary>Receiving hosts kept at most; the one quiet longest goes first.</summary>
    public int MaxHosts { get; set; } = 10_000;

    /// <summary>Candidate sources attached to an <c>infection.traced</c> event.</summary>
    public int Candidates { get; set; } = 5;

    /// <summary>Destination ports ranked first (file sharing: SMB and NetBIOS session).</summary>
    public List<int> FileSharingPorts { get; set; } = [445, 139];

    /// <summary>How long of event time a detection that traces to nothing waits for connections that arrive late; <c>0</c>: never waits.</summary>
    public string LateTelemetry { get; set; } = "2m";

    /// <summary>Detections waiting for late connections at most; beyond it the oldest is traced at once.</summary>
    public int MaxWaiting { get; set; } = 10_000;
}

/// <summary>Detections grouped by source; a source reaching <c>threshold</c> distinct victims within <c>window</c> raises <c>outbreak.source</c>.</summary>
public sealed class OutbreakConfig
{
    public string Window { get; set; } = "1h";

    public int Threshold { get; set; } = 3;

    /// <summary>How long detections stay in memory for the live correlation.</summary>
    public string Horizon { get; set; } = "24h";

    /// <summary>Detections kept in memory at most; the oldest go first.</summary>
    public int MaxDetections { get; set; } = 100_000;
}

/// <summary>The fleet-wide first-seen record of executables and its allowlist.</summary>
public sealed class UnknownProcessesConfig
{
    /// <summary>Also raise <c>process.unknown</c> the first time an executable runs on each host.</summary>
    public bool PerHost { get; set; }

    /// <summary>An executable first seen in the fleet less than this long before it runs still counts as unknown in reports.</summary>
    public string UnknownFor { get; set; } = "7d";

    /// <summary>
    /// The learning period, counted from the earliest first-seen record: process starts in it are recorded
    /// but raise nothing. <c>0</c> (the default) learns nothing; set it on a first deployment, e.g. <c>7d</c>.
    /// </summary>
    public string LearnFor { get; set; } = "0";

    public ProcessAllowConfig Allow { get; set; } = new();
}

/// <summary>Executables that are recorded but never raised: by SHA-256, path glob (<c>*</c>, <c>**</c>, <c>?</c>) or signer.</summary>
public sealed class ProcessAllowConfig
{
    public List<string> Hashes { get; set; } = [];

    public List<string> Paths { get; set; } = [];

    public List<string> Signers { get; set; } = [];
}

/// <summary>The HTTP API: where it listens, its keys and its webhook sources.</summary>
public sealed class HttpConfig
{
    public string Listen { get; set; } = "127.0.0.1:8080";

    /// <summary>Largest request body accepted; larger gets 413.</summary>
    public string MaxBody { get; set; } = "16MB";

    /// <summary>When true, <c>/metrics</c> needs an admin key too.</summary>
    public bool MetricsRequireKey { get; set; }

    public List<ApiKeyConfig> Keys { get; set; } = [];

    public List<WebhookConfig> Webhooks { get; set; } = [];
}

/// <summary>One API key, stored as the SHA-256 of the key (hex); the key itself is never in the file.</summary>
public sealed class ApiKeyConfig
{
    public string Name { get; set; } = "";

    /// <summary><c>ingest</c> (may post events) or <c>admin</c> (may also read and administer).</summary>
    public string Role { get; set; } = "";

    public string Sha256 { get; set; } = "";
}

/// <summary>A webhook source: <c>POST /api/v1/webhooks/{name}</c>, optionally signed with HMAC-SHA256.</summary>
public sealed class WebhookConfig
{
    public string Name { get; set; } = "";

    public string Format { get; set; } = "json";

    /// <summary>The shared HMAC secret, by reference (<c>${env:NAME}</c> or <c>${file:PATH}</c>). Without it, an ingest key is required.</summary>
    public string? Secret { get; set; }

    public string SignatureHeader { get; set; } = "X-Signature-256";
}

/// <summary>The syslog listeners; an endpoint of <c>off</c> disables one.</summary>
public sealed class SyslogConfig
{
    public string Udp { get; set; } = "127.0.0.1:5514";

    public string Tcp { get; set; } = "127.0.0.1:5514";

    public TlsConfig? Tls { get; set; }

    /// <summary>The format of syslog messages; <c>auto</c> recognises each line.</summary>
    public string Format { get; set; } = "auto";

    public string MaxMessage { get; set; } = "64KB";

    public int MaxConnections { get; set; } = 1000;

    public string IdleTimeout { get; set; } = "10m";
}

/// <summary>Syslog over TLS (RFC 5425): a PEM certificate and key, or a PFX.</summary>
public sealed class TlsConfig
{
    public string Listen { get; set; } = "127.0.0.1:6514";

    public string? Certificate { get; set; }

    public string? Key { get; set; }

    public string? Pfx { get; set; }

    /// <summary>The PFX password, by reference.</summary>
    public string? PfxPassword { get; set; }

    public bool RequireClientCertificate { get; set; }
}

/// <summary>The event store.</summary>
public sealed class StorageConfig
{
    /// <summary><c>full</c> (an fsync per commit: survives power loss) or <c>normal</c> (survives a process crash).</summary>
    public string Synchronous { get; set; } = "full";

    /// <summary>Memory SQLite may use for caches before it evicts pages.</summary>
    public string MemoryLimit { get; set; } = "64MB";
}

/// <summary>How long events are kept.</summary>
public sealed class RetentionConfig
{
    public string? MaxAge { get; set; } = "30d";

    public string? MaxSize { get; set; }

    public string Interval { get; set; } = "10m";
}

/// <summary>The rules engine and the action runner: where the playbooks are, and the safety limits.</summary>
public sealed class ResponseConfig
{
    /// <summary>The playbook folder (playbooks and <c>inventory.yaml</c>); relative to the working directory.</summary>
    public string Playbooks { get; set; } = "./playbooks";

    /// <summary>Every run only simulates (the embedded default, so a first start changes nothing on the network).</summary>
    public bool DryRun { get; set; } = true;

    /// <summary>Runs carried out at once; more wait their turn.</summary>
    public int MaxConcurrentRuns { get; set; } = 64;

    /// <summary>The timeout of a step that sets none.</summary>
    public string StepTimeout { get; set; } = "1m";

    public BlastRadiusConfig BlastRadius { get; set; } = new();

    public ContainmentConfig Containment { get; set; } = new();
}

/// <summary>How containments last: the default block, repeat offenders, and the reconcile of the ledger with the devices.</summary>
public sealed class ContainmentConfig
{
    /// <summary>The duration of a <c>firewall.block</c> that gives no <c>for</c>.</summary>
    public string DefaultBlock { get; set; } = "1h";

    public RepeatOffendersConfig Repeat { get; set; } = new();

    public ReconcileConfig Reconcile { get; set; } = new();
}

/// <summary>Each earlier block of the same address within <c>lookback</c> multiplies the next one's duration, up to <c>max</c>.</summary>
public sealed class RepeatOffendersConfig
{
    public double Multiplier { get; set; } = 2;

    public string Max { get; set; } = "7d";

    public string Lookback { get; set; } = "30d";
}

/// <summary>Compares the ledger with what each firewall blocks, every <c>every</c>; <c>drift</c>: flag (audit and notify) or reapply (block again what the ledger says is active).</summary>
public sealed class ReconcileConfig
{
    public string Every { get; set; } = "5m";

    public string Drift { get; set; } = "flag";
}

/// <summary>Containment actions allowed per window before further ones are held for approval.</summary>
public sealed class BlastRadiusConfig
{
    public int Global { get; set; } = 5;

    public int PerPlaybook { get; set; } = 5;

    public string Window { get; set; } = "10m";
}

/// <summary>How people are told: the SMTP server, pager targets, escalation policies and scheduled reports.</summary>
public sealed class AlertingConfig
{
    /// <summary>The SMTP server email goes through; absent = the email step and emailed reports fail with a clear error.</summary>
    public SmtpConfig? Smtp { get; set; }

    /// <summary>Where the <c>notify</c> step and the engine's own alerts (approval waiting, containment refused) go.</summary>
    public NotifyConfig Notify { get; set; } = new();

    /// <summary>Pager targets by the name playbooks and escalation policies use.</summary>
    public Dictionary<string, PagerTargetConfig> Pagers { get; set; } = [];

    /// <summary>Escalation policies by name: the levels in order; each level pages its target when the one before was not acknowledged within <c>after</c>.</summary>
    public Dictionary<string, List<EscalationLevelConfig>> Escalation { get; set; } = [];

    /// <summary>Reports emailed on a schedule.</summary>
    public List<ReportScheduleConfig> Reports { get; set; } = [];
}

/// <summary>One level of an escalation policy.</summary>
public sealed class EscalationLevelConfig
{
    /// <summary>How long after the previous level this one pages, unacknowledged (the first level pages at once: leave it out).</summary>
    public string? After { get; set; }

    /// <summary>The pager target to page (a name under <c>alerting.pagers</c>).</summary>
    public string Target { get; set; } = "";
}

/// <summary>A report run on a schedule and emailed.</summary>
public sealed class ReportScheduleConfig
{
    public string Name { get; set; } = "";

    /// <summary>Which report: <c>incidents-summary</c>, <c>unknown-processes</c> (executables first seen in the period) or <c>pinpoint</c> (hosts that ran unknown executables in the period).</summary>
    public string Report { get; set; } = "incidents-summary";

    /// <summary>A Quartz cron expression (seconds first), e.g. <c>0 0 7 * * ?</c> for 07:00 every day.</summary>
    public string Cron { get; set; } = "";

    /// <summary>The time zone the cron expression is read in (IANA id); UTC when left out.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Who gets it.</summary>
    public List<string> To { get; set; } = [];

    /// <summary>How far back the report looks (default 24h).</summary>
    public string Period { get; set; } = "24h";

    /// <summary><c>pinpoint</c> only: keep the hosts that connected to this share server (IP or host name) in the period; all hosts when left out.</summary>
    public string? ShareServer { get; set; }
}

/// <summary>One pager target: which service, where, and its credential by reference.</summary>
public sealed class PagerTargetConfig
{
    /// <summary>pagerduty, opsgenie, webhook, slack or teams.</summary>
    public string Kind { get; set; } = "";

    /// <summary>PagerDuty: the integration's routing key, by reference.</summary>
    public string? RoutingKey { get; set; }

    /// <summary>Opsgenie: the API key, by reference.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Opsgenie: us (default) or eu.</summary>
    public string? Region { get; set; }

    /// <summary>PagerDuty or Opsgenie: another API address (an EU or test endpoint).</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Webhook, Slack, Teams: where to post; Slack and Teams URLs are secrets, so by reference.</summary>
    public string? Url { get; set; }

    /// <summary>Webhook: the HMAC-SHA256 signing secret, by reference.</summary>
    public string? Secret { get; set; }

    /// <summary>Webhook: a Liquid template of the JSON body (fields under <c>page.</c>).</summary>
    public string? Body { get; set; }

    /// <summary>Webhook: extra headers.</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>Opsgenie: who the alert goes to (type team/user/escalation/schedule, and name).</summary>
    public List<OpsgenieResponderConfig> Responders { get; set; } = [];

    public string Timeout { get; set; } = "10s";
}

/// <summary>An Opsgenie responder.</summary>
public sealed class OpsgenieResponderConfig
{
    public string Type { get; set; } = "";

    public string Name { get; set; } = "";
}

/// <summary>What the <c>script</c> step may run, and the limits every run gets.</summary>
public sealed class ScriptsConfig
{
    /// <summary>Directories programs must lie in (symlinks resolved); empty allows any absolute path.</summary>
    public List<string> AllowedDirs { get; set; } = [];

    /// <summary>Bytes of stdout, and of stderr, kept per run when a step sets no <c>max_output</c>.</summary>
    public string MaxOutput { get; set; } = "64KB";

    /// <summary>The largest <c>max_output</c> a step may ask for.</summary>
    public string MaxOutputLimit { get; set; } = "1MB";

    /// <summary>A script's time limit when the step sets none (the step timeout applies otherwise).</summary>
    public string? Timeout { get; set; }

    /// <summary>Service environment variables passed on to scripts; nothing else is.</summary>
    public List<string> PassEnv { get; set; } = [];
}

/// <summary>The SMTP server, with one connection kept open and reused.</summary>
public sealed class SmtpConfig
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 587;

    /// <summary>starttls (default), tls (implicit, usually port 465) or none.</summary>
    public string Security { get; set; } = "starttls";

    public string? Username { get; set; }

    /// <summary>By reference: <c>${env:NAME}</c> or <c>${file:PATH}</c>.</summary>
    public string? Password { get; set; }

    public string From { get; set; } = "";

    /// <summary>A PEM file of a CA to trust besides the system's (a private mail relay).</summary>
    public string? CaFile { get; set; }

    /// <summary>The SHA-256 (hex) of the one server certificate to accept.</summary>
    public string? PinnedSha256 { get; set; }

    public string Timeout { get; set; } = "30s";

    public int RetryAttempts { get; set; } = 3;

    public string RetryBackoff { get; set; } = "1s";

    /// <summary>At most this many emails per recipient within <see cref="Per"/>; 0 = no limit.</summary>
    public int MaxPerRecipient { get; set; }

    public string Per { get; set; } = "1h";

    /// <summary>When the window ends, one digest of what was held back goes to the recipient.</summary>
    public bool Digest { get; set; } = true;
}

/// <summary>Where notifications go: email recipients and pager targets (pages only from a severity up).</summary>
public sealed class NotifyConfig
{
    public List<string> Email { get; set; } = [];

    public List<string> Pagers { get; set; } = [];

    /// <summary>The lowest severity that pages: critical (default), warning or info.</summary>
    public string PageAt { get; set; } = "critical";
}
