namespace Orchestrator.Core.Playbooks;

/// <summary>What kind of value a key takes; the loader checks it and the JSON Schema describes it.</summary>
public enum KeyShape
{
    /// <summary>A plain string (ids, names).</summary>
    Text,

    /// <summary>A string that may hold Liquid markup.</summary>
    Template,

    /// <summary>A duration: <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>24h</c>, <c>7d</c>, <c>1h30m</c>.</summary>
    Duration,

    WholeNumber,
    Boolean,

    /// <summary>One of <see cref="KeySpec.Values"/>.</summary>
    Enum,

    /// <summary>One event kind or a list of them.</summary>
    EventKinds,

    /// <summary>One event field name (<c>event.source.ip</c>).</summary>
    Field,

    /// <summary>One event field name or a list of them.</summary>
    Fields,

    /// <summary>A condition in the condition language.</summary>
    Condition,

    /// <summary>A list of steps.</summary>
    Steps,

    /// <summary>A map whose keys are <see cref="KeySpec.Keys"/>.</summary>
    Map,

    /// <summary>A list of strings.</summary>
    TextList,

    /// <summary>A duration, or a map with <c>initial</c> and <c>max</c> durations.</summary>
    Backoff,

    /// <summary>Any value (a parameter the step itself interprets).</summary>
    Any,
}

/// <summary>One key of a playbook, step or parameter map: the single description used by both the loader and the JSON Schema.</summary>
public sealed record KeySpec(string Name, KeyShape Shape, string Description)
{
    public bool Required { get; init; }

    /// <summary>The allowed values of an <see cref="KeyShape.Enum"/> key.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>The keys of an <see cref="KeyShape.Map"/> key.</summary>
    public IReadOnlyList<KeySpec> Keys { get; init; } = [];

    /// <summary>The smallest value of an <see cref="KeyShape.WholeNumber"/> key.</summary>
    public int? Minimum { get; init; }

    /// <summary>A regular expression a <see cref="KeyShape.Text"/> value must match, and what it means in words.</summary>
    public (string Regex, string Meaning)? Pattern { get; init; }
}

/// <summary>The keys of a playbook, of a step, and of their parts, in the order they are documented.</summary>
public static class PlaybookSyntax
{
    /// <summary>The modes a playbook may have.</summary>
    public const string Enforce = "enforce";

    public const string DryRun = "dry-run";

    /// <summary>The pattern of a step <c>id</c>: an identifier, so <c>steps.ID.output</c> works in templates and conditions.</summary>
    public static readonly (string Regex, string Meaning) StepIdPattern =
        ("^[A-Za-z_][A-Za-z0-9_]*$", "letters, digits and '_', not starting with a digit");

    public static readonly (string Regex, string Meaning) PlaybookIdPattern =
        ("^[A-Za-z0-9][A-Za-z0-9_.-]*$", "letters, digits, '_', '.' and '-', starting with a letter or digit");

    /// <summary>The keys of <c>retry</c>'s <c>backoff</c> when written as a map.</summary>
    public static IReadOnlyList<KeySpec> BackoffKeys { get; } =
    [
        new("initial", KeyShape.Duration, "The first wait; each later wait doubles.") { Required = true },
        new("max", KeyShape.Duration, "The longest wait (default 5m)."),
    ];

    /// <summary>The keys every step may have besides its one action key.</summary>
    public static IReadOnlyList<KeySpec> StepKeys { get; } =
    [
        new("id", KeyShape.Text, "Names the step so later steps can use its outputs: {{ steps.ID.name }}.") { Pattern = StepIdPattern },
        new("if", KeyShape.Condition, "Run the step only when this condition holds."),
        new("timeout", KeyShape.Duration, "Fail the step when it takes longer than this."),
        new("retry", KeyShape.Map, "Retry a failed step.")
        {
            Keys =
            [
                new("attempts", KeyShape.WholeNumber, "Tries in all, the first included.") { Required = true, Minimum = 1 },
                new("backoff", KeyShape.Backoff, "The first wait between tries (doubling, with jitter, up to 5m), or {initial, max}."),
            ],
        },
        new("continue_on_error", KeyShape.Boolean, "When true, a failure is recorded and the run goes on."),
    ];

    /// <summary>The keys of a playbook.</summary>
    public static IReadOnlyList<KeySpec> PlaybookKeys { get; } =
    [
        new("id", KeyShape.Text, "Unique name of the playbook across all files.") { Required = true, Pattern = PlaybookIdPattern },
        new("description", KeyShape.Text, "What the playbook is for, in a sentence."),
        new("on", KeyShape.EventKinds, "The event kinds it listens to: one or a list.") { Required = true },
        new("when", KeyShape.Condition, "Only events for which this condition holds count."),
        new("group_by", KeyShape.Fields, "One window per value of these event fields (event.source.ip)."),
        new("threshold", KeyShape.Map, "Fire when this many events (or distinct values) fall in one group within a time.")
        {
            Keys =
            [
                new("count", KeyShape.WholeNumber, "How many events, or distinct values with 'distinct'.") { Required = true, Minimum = 1 },
                new("distinct", KeyShape.Field, "Count distinct values of this event field (event.host.name) instead of events."),
                new("within", KeyShape.Duration, "The window, in event time.") { Required = true },
            ],
        },
        new("throttle", KeyShape.Duration, "At most one run per group within this time."),
        new("mode", KeyShape.Enum, "enforce runs the steps; dry-run only records what they would do.") { Values = [Enforce, DryRun] },
        new("steps", KeyShape.Steps, "The steps to run, in order.") { Required = true },
        new("on_failure", KeyShape.Steps, "Steps run when a step fails (and does not continue on error)."),
    ];

    /// <summary>The keys of the inventory's <c>protected</c> map.</summary>
    public static IReadOnlyList<KeySpec> ProtectedKeys { get; } =
    [
        new("hosts", KeyShape.TextList, "Host names."),
        new("ips", KeyShape.TextList, "IP addresses."),
        new("networks", KeyShape.TextList, "CIDR networks (10.0.0.0/24) or addresses."),
        new("macs", KeyShape.TextList, "MAC addresses."),
        new("lists", KeyShape.TextList, "Named lists whose entries are protected too."),
    ];

    /// <summary>The keys of the inventory file.</summary>
    public static IReadOnlyList<KeySpec> InventoryKeys { get; } =
    [
        new("lists", KeyShape.Any, "Named lists (lists.NAME in conditions): host names, IPs, CIDRs, hashes."),
        new("protected", KeyShape.Map, "Assets that containment steps never target.") { Keys = ProtectedKeys },
        new("devices", KeyShape.Any, "Devices steps act on, by name."),
    ];

    /// <summary>The keys of one device in the inventory.</summary>
    public static IReadOnlyList<KeySpec> DeviceKeys { get; } =
    [
        new("driver", KeyShape.Text, "The driver that speaks to it (switches: snmp, cisco-ios, aruba-aoscx, junos, linux-bridge; firewalls: nftables, iptables, cisco-asa, paloalto, fortigate, opnsense, mikrotik).") { Required = true },
        new("address", KeyShape.Text, "Host name or IP, with :port when not the driver's default.") { Required = true },
        new("credentials", KeyShape.Any, "Credential name to reference: ${env:NAME} or ${file:PATH}, never the secret itself."),
        new("options", KeyShape.Any, "Driver settings."),
        new("uplinks", KeyShape.TextList, "Switches: ports toward other switches and routers, never contained."),
        new("protected_ports", KeyShape.TextList, "Switches: ports never contained."),
        new("quarantine_vlan", KeyShape.WholeNumber, "Switches: the VLAN (1-4094) quarantined hosts are moved to."),
    ];
}
