using System.Globalization;
using Orchestrator.Core.Configuration;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;
using static Orchestrator.Core.Runs.StepParameters;

namespace Orchestrator.Connectors.Switches;

/// <summary>
/// The <c>switch.shutdown_port</c> and <c>switch.quarantine</c> steps: locate the <c>target</c> (an IP, a MAC or
/// a host name) on the inventory's switches, refuse anything but a single edge port that is not protected,
/// record the port's state in the containment ledger, then change and verify it. A quarantine without a
/// quarantine VLAN, or one the switch refuses, falls back to a shutdown when <c>fallback: shutdown</c>. The
/// step's idempotency key finds the containment a retry or a resumed run already made.
/// </summary>
public sealed class SwitchContainmentStep(
    PortChange change,
    Func<Inventory> inventory,
    IReadOnlyDictionary<string, ISwitchDriver> drivers,
    IContainmentLedger ledger,
    TimeProvider time,
    IContainmentExpiry? expiry = null) : IContainmentConnector
{
    // Containment reads the switches afresh: a host that moved since the last read must not cost the wrong port.
    private readonly SwitchLocator locator = new(drivers, time);

    public const string ShutdownName = "switch.shutdown_port";
    public const string QuarantineName = "switch.quarantine";

    public static StepDefinition ShutdownDefinition { get; } = new(ShutdownName, "Locate a host and shut its switch port (recorded, verified, undone by switch.release).",
    [
        new("target", KeyShape.Template, "The host: an IP, a MAC or a host name.") { Required = true },
        new("device", KeyShape.Text, "Only look on this switch of the inventory."),
        new("reason", KeyShape.Template, "Why, kept in the containment ledger."),
        new("for", KeyShape.Duration, "Undo it by itself after this long (default: until released)."),
    ]);

    public static StepDefinition QuarantineDefinition { get; } = new(QuarantineName, "Locate a host and move its switch port to the quarantine VLAN (recorded, verified, undone by switch.release).",
    [
        new("target", KeyShape.Template, "The host: an IP, a MAC or a host name.") { Required = true },
        new("device", KeyShape.Text, "Only look on this switch of the inventory."),
        new("vlan", KeyShape.WholeNumber, "The VLAN to move to; the switch's quarantine_vlan by default."),
        new("fallback", KeyShape.Enum, "What to do when the VLAN cannot be changed: shutdown, or none (default: fail).") { Values = ["shutdown", "none"] },
        new("reason", KeyShape.Template, "Why, kept in the containment ledger."),
        new("for", KeyShape.Duration, "Undo it by itself after this long (default: until released)."),
    ]);

    public ContainmentTargets TargetsOf(IReadOnlyDictionary<string, object?> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var target = Text(parameters, "target");
        if (target is null)
        {
            return ContainmentTargets.None;
        }

        if (MacAddress.TryParse(target, out var mac))
        {
            return new ContainmentTargets([], [mac], []);
        }

        return IPAddress.TryParse(target, out var ip) && target.Contains('.', StringComparison.Ordinal)
            ? new ContainmentTargets([ip], [], [])
            : new ContainmentTargets([], [], [target]);
    }

    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = Text(context.Parameters, "target");
        if (string.IsNullOrWhiteSpace(target))
        {
            return StepResult.Failed("target: required (an IP, a MAC or a host name)");
        }

        TimeSpan? lasts = null;
        if (Text(context.Parameters, "for") is { } forText)
        {
            if (!Durations.TryParse(forText, out var span) || span <= TimeSpan.Zero)
            {
                return StepResult.Failed($"for: '{forText}' is not a positive duration (e.g. 30m, 4h)");
            }

            if (expiry is null)
            {
                return StepResult.Failed("for: this service schedules no expiries; release the containment by hand");
            }

            lasts = span;
        }

        var earlier = await ledger.FindAsync(context.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        if (earlier is { Status: ContainmentStatus.Active })
        {
            return StepResult.Success(Outputs(earlier, alreadyDone: true));
        }

        var only = Text(context.Parameters, "device");
        var switches = locator.Switches(inventory(), only);
        if (switches.Count == 0)
        {
            return StepResult.Failed(locator.NoSwitches(only));
        }

        var (location, tables) = await locator.LocateAsync(target, switches, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (location.Edge is not { } edge)
        {
            return StepResult.Failed($"not contained: {location.Why}");
        }

        if (edge.Protected)
        {
            return StepResult.Failed($"not contained: {edge.Device} {edge.Port} is a protected port of the inventory");
        }

        // A retry or a resumed run continues what it recorded: the same port, and the state captured before its first change.
        if (earlier is { ReplacedState: not null } && (earlier.Device != edge.Device || earlier.Port != edge.Port.Value))
        {
            return StepResult.Failed($"containment {earlier.Id} was begun on {earlier.Device} {earlier.Port}, but {target} is now on {edge.Device} {edge.Port}: release {earlier.Id}, then contain again");
        }

        var device = switches.Single(d => d.Name == edge.Device);
        var port = tables.Single(t => t.Device == device.Name).Ports.Single(p => p.IfIndex == edge.IfIndex);
        var portChange = change;
        VlanId? vlan = null;
        var fallback = Text(context.Parameters, "fallback") == "shutdown";
        if (change == PortChange.Quarantine)
        {
            vlan = Text(context.Parameters, "vlan") is { } text ? (VlanId.TryParse(text, out var given) ? given : null) : device.QuarantineVlan;
            if (vlan is null)
            {
                if (!fallback)
                {
                    return StepResult.Failed($"{device.Name} has no quarantine_vlan in the inventory (and the step gives no valid vlan or fallback: shutdown)");
                }

                portChange = PortChange.Shutdown;
            }
        }

        ContainmentRecord NewRecord(string key, PortChange made) => new()
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            IdempotencyKey = key,
            Target = target,
            Mac = location.Mac?.ToString(),
            Ip = location.Ip?.ToString(),
            Device = device.Name,
            Driver = device.Driver,
            Action = made == PortChange.Shutdown ? ShutdownName : QuarantineName,
            Port = edge.Port.Value,
            PortIfIndex = edge.IfIndex,
            PlaybookId = context.PlaybookId,
            RunId = context.RunId,
            IncidentId = context.IncidentId,
            CreatedBy = context.RequestedBy,
            CreatedAt = time.GetUtcNow(),
            ExpiresAt = time.GetUtcNow() + lasts,
            Reason = Text(context.Parameters, "reason"),
        };

        var record = earlier is { Action: var action } && action == (portChange == PortChange.Shutdown ? ShutdownName : QuarantineName) ? earlier : NewRecord(context.IdempotencyKey, portChange);
        if (context.DryRun)
        {
            return StepResult.Success(new Dictionary<string, object?>(Outputs(record, alreadyDone: false)) { ["dry_run"] = true, ["confidence"] = HostLocator.Name(location.Confidence) });
        }

        var driver = drivers[device.Driver];
        var (error, warning) = await ContainAsync(record, driver, device, port, portChange, vlan, cancellationToken).ConfigureAwait(false);
        if (error is not null && portChange == PortChange.Quarantine && fallback)
        {
            // The quarantine's record stays, failed, with why; the shutdown is a containment of its own.
            var key = context.IdempotencyKey + "/fallback";
            var shutdown = await ledger.FindAsync(key, cancellationToken).ConfigureAwait(false) ?? NewRecord(key, PortChange.Shutdown);
            (var fallbackError, warning) = await ContainAsync(shutdown, driver, device, port, PortChange.Shutdown, null, cancellationToken).ConfigureAwait(false);
            return fallbackError is not null
                ? StepResult.Failed($"{device.Name} {port.Name}: quarantine failed ({error}), and so did the shutdown: {fallbackError}")
                : StepResult.Success(new Dictionary<string, object?>(Outputs(shutdown, alreadyDone: false)) { ["fallback"] = $"quarantine failed, shut down instead: {error}", ["warning"] = warning });
        }

        return error is not null
            ? StepResult.Failed($"{device.Name} {port.Name}: {error}")
            : StepResult.Success(new Dictionary<string, object?>(Outputs(record, alreadyDone: false)) { ["confidence"] = HostLocator.Name(location.Confidence), ["vlan"] = vlan?.Value, ["warning"] = warning });
    }

    /// <summary>
    /// Records the port's state (kept from an earlier attempt when there is one: by now it may be the changed state),
    /// changes the port and reads it back, marks its description, and records the outcome. Returns the error, if any,
    /// and a warning when the description could not be marked (the containment stands without it).
    /// </summary>
    private async Task<(string? Error, string? Warning)> ContainAsync(ContainmentRecord record, ISwitchDriver driver, DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken)
    {
        try
        {
            if (record.ReplacedState is null)
            {
                record.ReplacedState = await driver.CaptureAsync(device, port, change, vlan, cancellationToken).ConfigureAwait(false);
                record.ReplacedDescription = await TryAsync(() => driver.ReadDescriptionAsync(device, port, cancellationToken)).ConfigureAwait(false);
            }

            record.Status = ContainmentStatus.Pending;
            record.Error = null;
            await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
            await driver.ApplyAsync(device, port, change, vlan, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            record.Status = ContainmentStatus.Failed;
            record.Error = ex.Message;
            if (record.ReplacedState is not null)
            {
                await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
            }

            return (ex.Message, null);
        }

        string? warning = null;
        try
        {
            await driver.SetDescriptionAsync(device, port, $"orchestrator {(change == PortChange.Shutdown ? "shutdown" : "quarantine")} {record.Id}", cancellationToken).ConfigureAwait(false);
            record.DescriptionMarked = true;
        }
        catch (NotSupportedException)
        {
            // The driver says it has no descriptions to mark: nothing to warn about.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            warning = $"the port's description was not marked: {ex.Message}";
        }

        record.Status = ContainmentStatus.Active;
        await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
        if (record.ExpiresAt is { } end && expiry is not null)
        {
            await expiry.ScheduleAsync(record.Id, end, cancellationToken).ConfigureAwait(false);
        }

        return (null, warning);
    }

    // A driver that cannot read descriptions leaves none recorded; the containment does not depend on it.
    private static async Task<string?> TryAsync(Func<Task<string?>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    private static Dictionary<string, object?> Outputs(ContainmentRecord record, bool alreadyDone) => new(StringComparer.Ordinal)
    {
        ["containment_id"] = record.Id,
        ["device"] = record.Device,
        ["port"] = record.Port,
        ["mac"] = record.Mac,
        ["action"] = record.Action,
        ["expires_at"] = record.ExpiresAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["already_done"] = alreadyDone,
    };
}

/// <summary>
/// The <c>switch.release</c> step: puts back what a switch containment replaced (by <c>containment</c> id, or
/// every active switch containment of <c>target</c>), reads it back, and marks the ledger released.
/// </summary>
public sealed class SwitchReleaseStep(Func<Inventory> inventory, IReadOnlyDictionary<string, ISwitchDriver> drivers, IContainmentLedger ledger, TimeProvider time, IContainmentExpiry? expiry = null) : IActionConnector
{
    public const string Name = "switch.release";

    public static StepDefinition Definition { get; } = new(Name, "Undo a switch containment: the port's recorded state is put back and verified.",
    [
        new("containment", KeyShape.Template, "The containment id (an earlier step's containment_id)."),
        new("target", KeyShape.Template, "Or: release every active switch containment of this IP, MAC or host name."),
        new("outcome", KeyShape.Enum, "released (default), or expired when its time ran out.") { Values = ["released", "expired"] },
    ]);

    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = Text(context.Parameters, "containment");
        var target = Text(context.Parameters, "target");
        List<ContainmentRecord> records;
        if (id is not null)
        {
            records = await ledger.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } one ? [one] : [];
            if (records.Count == 0)
            {
                return StepResult.Failed($"no containment '{id}'");
            }
        }
        else if (target is not null)
        {
            records = [.. (await ledger.ListAsync(activeOnly: true, 10_000, cancellationToken).ConfigureAwait(false))
                .Where(r => r.Action.StartsWith("switch.", StringComparison.Ordinal) && (r.Target == target || r.Mac == target || r.Ip == target))];
        }
        else
        {
            return StepResult.Failed("give containment (an id) or target");
        }

        var released = new List<object?>();
        var warnings = new List<string>();
        foreach (var record in records.Where(r => r.MayBeInForce))
        {
            if (!inventory().Devices.TryGetValue(record.Device, out var device) || !drivers.TryGetValue(record.Driver, out var driver) || record.ReplacedState is null)
            {
                return StepResult.Failed($"containment {record.Id}: device '{record.Device}' or its driver '{record.Driver}' is no longer configured; release it by hand");
            }

            if (context.DryRun)
            {
                released.Add(record.Id);
                continue;
            }

            try
            {
                await driver.RestoreAsync(device, record.ReplacedState, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                record.Error = $"release failed: {ex.Message}";
                await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
                return StepResult.Failed($"containment {record.Id} ({record.Device} {record.Port}): {ex.Message}");
            }

            if (record.DescriptionMarked)
            {
                try
                {
                    await driver.SetDescriptionAsync(device, PortOf(device, record), record.ReplacedDescription ?? "", cancellationToken).ConfigureAwait(false);
                    record.DescriptionMarked = false;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    warnings.Add($"containment {record.Id}: the port is back, but its description was not restored: {ex.Message}");
                }
            }

            var expired = Text(context.Parameters, "outcome") == "expired";
            record.Status = expired ? ContainmentStatus.Expired : ContainmentStatus.Released;
            record.ReleasedBy = context.RequestedBy;
            record.ReleasedAt = time.GetUtcNow();
            await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
            if (!expired && record.ExpiresAt is not null && expiry is not null)
            {
                await expiry.CancelAsync(record.Id, cancellationToken).ConfigureAwait(false);
            }

            released.Add(record.Id);
        }

        return StepResult.Success(new Dictionary<string, object?> { ["released"] = released, ["dry_run"] = context.DryRun, ["warning"] = warnings.Count > 0 ? string.Join("; ", warnings) : null });
    }

    // The port as the record names it: enough for a driver to address it again (name, and ifIndex for SNMP).
    private static SwitchPort PortOf(DeviceDefinition device, ContainmentRecord record) =>
        PortName.TryParse(record.Port ?? "", out var name) && record.PortIfIndex is { } ifIndex
            ? new SwitchPort(ifIndex, null, name)
            : throw new InvalidOperationException($"containment {record.Id} on {device.Name} names no port");
}
