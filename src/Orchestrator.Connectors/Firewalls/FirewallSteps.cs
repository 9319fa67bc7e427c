using System.Globalization;
using System.Net;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;
using static Orchestrator.Core.Runs.StepParameters;

namespace Orchestrator.Connectors.Firewalls;

/// <summary>What blocks default to, and how they grow for repeat offenders.</summary>
public sealed record FirewallBlockOptions
{
    /// <summary>The duration of a block whose step gives no <c>for</c>.</summary>
    public TimeSpan DefaultDuration { get; init; } = TimeSpan.FromHours(1);

    public RepeatOffenders Repeat { get; init; } = RepeatOffenders.None;
}

/// <summary>
/// The <c>firewall.block</c> step: blocks an IP on a firewall of the inventory for a time. The containment is recorded
/// in the ledger before the device is asked, verified by listing the device, and ends by itself: the device's own
/// timeout where it has one, and always the ledger's expiry (a durable timer). An address already blocked on that
/// device keeps its one record and gets the later expiry. A target blocked before within the repeat-offender
/// lookback is blocked longer (multiplier and cap). A retried or resumed step continues its own record.
/// </summary>
public sealed class FirewallBlockStep(
    Func<Inventory> inventory,
    FirewallBatcher batcher,
    IReadOnlyDictionary<string, IFirewallDriver> drivers,
    IContainmentLedger ledger,
    IContainmentExpiry expiry,
    FirewallBlockOptions options,
    TimeProvider time) : IContainmentConnector, IBatchingConnector
{
    public const string Name = "firewall.block";

    public static StepDefinition Definition { get; } = new(Name, "Block an IP on a firewall for a time (recorded, verified, expires by itself, undone by firewall.unblock).",
    [
        new("ip", KeyShape.Template, "The address to block.") { Required = true },
        new("device", KeyShape.Text, "The firewall of the inventory (needed when it has more than one)."),
        new("for", KeyShape.Duration, "How long (default: containment.default_block); repeat offenders get longer, as containment.repeat says."),
        new("reason", KeyShape.Template, "Why, kept in the containment ledger."),
    ]);

    public ContainmentTargets TargetsOf(IReadOnlyDictionary<string, object?> parameters) =>
        ParseIp(Text(parameters, "ip")) is { } ip ? new ContainmentTargets([ip], [], []) : ContainmentTargets.None;

    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var text = Text(context.Parameters, "ip");
        if (ParseIp(text) is not { } ip)
        {
            return StepResult.Failed($"ip: '{text}' is not an IP address");
        }

        var requested = options.DefaultDuration;
        if (Text(context.Parameters, "for") is { } forText && (!Durations.TryParse(forText, out requested) || requested <= TimeSpan.Zero))
        {
            return StepResult.Failed($"for: '{forText}' is not a positive duration (e.g. 30m, 2h, 7d)");
        }

        if (Firewall(inventory(), Text(context.Parameters, "device"), drivers) is not { } device)
        {
            return StepResult.Failed(NoFirewall(inventory(), Text(context.Parameters, "device"), drivers));
        }

        var earlier = await ledger.FindAsync(context.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        if (earlier is { Status: ContainmentStatus.Active })
        {
            return StepResult.Success(Outputs(earlier, alreadyDone: true));
        }

        var now = time.GetUtcNow();
        var history = (await ledger.ForTargetAsync(ip.ToString(), 1_000, cancellationToken).ConfigureAwait(false))
            .Where(r => r.Action == Name && r.Id != earlier?.Id)
            .ToList();
        if (history.FirstOrDefault(r => r.Device == device.Name && r.MayBeInForce) is { } blocked)
        {
            return await RefreshAsync(blocked, device, ip, now + requested, context.DryRun, cancellationToken).ConfigureAwait(false);
        }

        var offences = options.Repeat.EarlierOffences(history, now);
        var duration = options.Repeat.DurationFor(requested, offences);
        var record = earlier ?? new ContainmentRecord
        {
            Id = Guid.CreateVersion7(now).ToString("N"),
            IdempotencyKey = context.IdempotencyKey,
            Target = ip.ToString(),
            Ip = ip.ToString(),
            Device = device.Name,
            Driver = device.Driver,
            Action = Name,
            PlaybookId = context.PlaybookId,
            RunId = context.RunId,
            IncidentId = context.IncidentId,
            CreatedBy = context.RequestedBy,
            CreatedAt = now,
            ExpiresAt = now + duration,
            Reason = Text(context.Parameters, "reason"),
        };
        if (context.DryRun)
        {
            return StepResult.Success(new Dictionary<string, object?>(Outputs(record, alreadyDone: false)) { ["dry_run"] = true, ["earlier_blocks"] = offences });
        }

        record.Status = ContainmentStatus.Pending;
        record.Error = null;
        await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
        try
        {
            await batcher.BlockAsync(device, RequestFor(drivers[device.Driver], ip, record, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch (FirewallException ex)
        {
            record.Status = ContainmentStatus.Failed;
            record.Error = ex.Message;
            await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
            return StepResult.Failed(ex.Message);
        }

        record.Status = ContainmentStatus.Active;
        await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
        await expiry.ScheduleAsync(record.Id, record.ExpiresAt!.Value, cancellationToken).ConfigureAwait(false);
        return StepResult.Success(new Dictionary<string, object?>(Outputs(record, alreadyDone: false)) { ["earlier_blocks"] = offences });
    }

    /// <summary>The firewall a step names, or the inventory's only firewall a driver of this build speaks; null when there is no such one.</summary>
    public static DeviceDefinition? Firewall(Inventory inventory, string? name, IReadOnlyDictionary<string, IFirewallDriver> drivers)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(drivers);
        var firewalls = inventory.Devices.Values.Where(d => d.Kind == DeviceKind.Firewall && drivers.ContainsKey(d.Driver) && (name is null || d.Name == name)).ToList();
        return firewalls.Count == 1 ? firewalls[0] : null;
    }

    /// <summary>Why <see cref="Firewall"/> found none.</summary>
    public static string NoFirewall(Inventory inventory, string? name, IReadOnlyDictionary<string, IFirewallDriver> drivers)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(drivers);
        if (name is not null)
        {
            return inventory.Devices.TryGetValue(name, out var named)
                ? $"device '{name}' is not a firewall with a driver this build speaks (it is {named.Kind.ToString().ToLowerInvariant()} '{named.Driver}'; firewall drivers: {string.Join(", ", drivers.Keys)})"
                : $"no device '{name}' in the inventory";
        }

        var count = inventory.Devices.Values.Count(d => d.Kind == DeviceKind.Firewall && drivers.ContainsKey(d.Driver));
        return count == 0
            ? $"no firewall in the inventory has a driver this build speaks ({string.Join(", ", drivers.Keys)})"
            : $"the inventory has {count} firewalls: say which with device:";
    }

    /// <summary>The ledger's outputs of a block, for later steps and the API.</summary>
    public static Dictionary<string, object?> Outputs(ContainmentRecord record, bool alreadyDone)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(StringComparer.Ordinal)
        {
            ["containment_id"] = record.Id,
            ["device"] = record.Device,
            ["ip"] = record.Ip,
            ["action"] = record.Action,
            ["expires_at"] = record.ExpiresAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["already_done"] = alreadyDone,
        };
    }

    /// <summary>What to ask the device for: its own timeout when it has one (at least a second), and the containment id as its note.</summary>
    public static BlockRequest RequestFor(IFirewallDriver driver, IPAddress ip, ContainmentRecord record, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(record);
        var remaining = record.ExpiresAt is { } at ? at - now : (TimeSpan?)null;
        var native = driver.NativeExpiry && remaining is { } left ? (left < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left) : (TimeSpan?)null;
        return new BlockRequest(ip, native, record.Id);
    }

    private static IPAddress? ParseIp(string? text) =>
        text is not null && IPAddress.TryParse(text.Trim(), out var ip) && (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3) ? ip : null;

    // Blocking a blocked address: one record, the later of the two expiries, and the device's timeout refreshed.
    private async Task<StepResult> RefreshAsync(ContainmentRecord blocked, DeviceDefinition device, IPAddress ip, DateTimeOffset until, bool dryRun, CancellationToken cancellationToken)
    {
        if (blocked.ExpiresAt is { } current && current >= until)
        {
            return StepResult.Success(new Dictionary<string, object?>(Outputs(blocked, alreadyDone: true)) { ["refreshed"] = false });
        }

        if (dryRun)
        {
            return StepResult.Success(new Dictionary<string, object?>(Outputs(blocked, alreadyDone: true)) { ["refreshed"] = true, ["dry_run"] = true });
        }

        blocked.ExpiresAt = until;
        try
        {
            await batcher.BlockAsync(device, RequestFor(drivers[device.Driver], ip, blocked, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch (FirewallException ex)
        {
            return StepResult.Failed($"{ex.Message} (refreshing containment {blocked.Id})");
        }

        await ledger.SaveAsync(blocked, cancellationToken).ConfigureAwait(false);
        await expiry.ScheduleAsync(blocked.Id, until, cancellationToken).ConfigureAwait(false);
        return StepResult.Success(new Dictionary<string, object?>(Outputs(blocked, alreadyDone: true)) { ["refreshed"] = true });
    }
}

/// <summary>
/// The <c>firewall.unblock</c> step: removes a block (by <c>containment</c> id, or every active block of <c>ip</c>, on
/// one <c>device</c> or all), verifies the device no longer lists it, and marks the ledger released — or expired, when
/// the service's expiry runs it.
/// </summary>
public sealed class FirewallUnblockStep(
    Func<Inventory> inventory,
    FirewallBatcher batcher,
    IContainmentLedger ledger,
    IContainmentExpiry expiry,
    TimeProvider time) : IBatchingConnector
{
    public const string Name = "firewall.unblock";

    public static StepDefinition Definition { get; } = new(Name, "Undo a firewall block: the address is removed from the device, checked, and the ledger marks it released.",
    [
        new("containment", KeyShape.Template, "The containment id (a firewall.block step's containment_id)."),
        new("ip", KeyShape.Template, "Or: every active block of this address."),
        new("device", KeyShape.Text, "With ip: only on this firewall."),
        new("outcome", KeyShape.Enum, "released (default), or expired when its time ran out.") { Values = ["released", "expired"] },
    ]);

    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = Text(context.Parameters, "containment");
        var ip = Text(context.Parameters, "ip");
        var only = Text(context.Parameters, "device");
        List<ContainmentRecord> records;
        if (id is not null)
        {
            records = await ledger.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } one ? [one] : [];
            if (records.Count == 0)
            {
                return StepResult.Failed($"no containment '{id}'");
            }
        }
        else if (ip is not null && IPAddress.TryParse(ip, out var address))
        {
            records = [.. (await ledger.ForTargetAsync(address.ToString(), 1_000, cancellationToken).ConfigureAwait(false))
                .Where(r => r.Action == FirewallBlockStep.Name && (only is null || r.Device == only))];
        }
        else
        {
            return StepResult.Failed("give containment (an id) or ip (an address)");
        }

        var expired = Text(context.Parameters, "outcome") == "expired";
        var released = new List<object?>();
        foreach (var record in records.Where(r => r.MayBeInForce))
        {
            if (record.Action != FirewallBlockStep.Name || record.Ip is null || !IPAddress.TryParse(record.Ip, out var blocked))
            {
                return StepResult.Failed($"containment {record.Id} is a {record.Action}, not a firewall block");
            }

            if (!inventory().Devices.TryGetValue(record.Device, out var device))
            {
                return StepResult.Failed($"containment {record.Id}: device '{record.Device}' is no longer in the inventory; remove {record.Ip} from it by hand");
            }

            if (context.DryRun)
            {
                released.Add(record.Id);
                continue;
            }

            try
            {
                await batcher.UnblockAsync(device, blocked, cancellationToken).ConfigureAwait(false);
            }
            catch (FirewallException ex)
            {
                record.Error = $"{(expired ? "expiry" : "release")} failed: {ex.Message}";
                await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
                return StepResult.Failed($"containment {record.Id}: {ex.Message}");
            }

            record.Status = expired ? ContainmentStatus.Expired : ContainmentStatus.Released;
            record.ReleasedBy = context.RequestedBy;
            record.ReleasedAt = time.GetUtcNow();
            record.Error = null;
            await ledger.SaveAsync(record, cancellationToken).ConfigureAwait(false);
            if (!expired)
            {
                await expiry.CancelAsync(record.Id, cancellationToken).ConfigureAwait(false);
            }

            released.Add(record.Id);
        }

        return StepResult.Success(new Dictionary<string, object?> { ["released"] = released, ["dry_run"] = context.DryRun });
    }
}
