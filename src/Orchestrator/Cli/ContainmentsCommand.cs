using System.CommandLine;
using System.Text.Json;
using Orchestrator.Api;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator containments</c> lists and shows the containment ledger from the data directory;
/// <c>orchestrator contain</c> and <c>orchestrator release ID</c> contain a host and undo a containment through
/// the running service (it owns the device sessions and the ledger's writes).
/// </summary>
public static class ContainmentsCommand
{
    public static Command Create()
    {
        var active = new Option<bool>("--active") { Description = "Only containments that may be in force (active, or pending after a crash)" };
        var limit = new Option<string?>("--limit") { Description = $"At most this many, newest first (default {RunViews.DefaultLimit})" };
        var output = RunsCommand.OutputOption();
        var command = new Command("containments", "List containments (switch ports shut or quarantined, blocks), newest first; show or release one.") { active, limit, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!RunViews.TryParseLimit(parseResult.GetValue(limit), out var parsedLimit, out var limitError))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("--" + limitError).ConfigureAwait(false);
                return 2;
            }

            return await WithLedgerAsync(parseResult, async ledger =>
            {
                var records = await ledger.ListAsync(parseResult.GetValue(active), parsedLimit, cancellationToken).ConfigureAwait(false);
                var writer = parseResult.InvocationConfiguration.Output;
                if (parseResult.GetValue(output) == "json")
                {
                    foreach (var record in records)
                    {
                        await writer.WriteLineAsync(JsonSerializer.Serialize(ContainmentView.From(record), RunViews.Json)).ConfigureAwait(false);
                    }

                    return 0;
                }

                TablePrinter.Print(
                    writer,
                    ["ID", "STATUS", "ACTION", "TARGET", "DEVICE", "PORT", "CREATED (UTC)", "BY", "RELEASED BY / ERROR"],
                    [.. records.Select(ContainmentView.From).Select(c => new[]
                    {
                        c.Id, c.Status, c.Action, c.Target + (c.Mac is { } mac && mac != c.Target ? $" ({mac})" : ""), c.Device, c.Port ?? "",
                        RunsCommand.Time(c.CreatedAt), c.CreatedBy, c.ReleasedBy ?? c.Error ?? "",
                    })]);
                return 0;
            }).ConfigureAwait(false);
        });
        command.Subcommands.Add(ShowCommand());
        command.Subcommands.Add(ReleaseCommand());
        command.Subcommands.Add(ExtendCommand());
        return command;
    }

    /// <summary><c>extend ID --for 2h</c>: the containment now ends that long from now (the device's own timeout refreshed too).</summary>
    public static Command ExtendCommand()
    {
        var id = new Argument<string>("ID") { Description = "The containment's id" };
        var duration = new Option<string>("--for") { Description = "How long from now it lasts (e.g. 2h, 7d)", Required = true };
        var comment = new Option<string?>("--comment") { Description = "Why, recorded in the audit trail" };
        var command = new Command("extend", "Make a containment last longer (through the running service): it ends --for from now.") { id, duration, comment };
        var connection = ServiceClient.AddConnectionOptions(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var path = "api/v1/containments/" + Uri.EscapeDataString(parseResult.GetValue(id)!) + "/extend";
            var body = JsonSerializer.Serialize(new Dictionary<string, string?> { ["for"] = parseResult.GetValue(duration), ["comment"] = parseResult.GetValue(comment) });
            return ServiceClient.PostAsync(parseResult, connection, path, body, answer =>
            {
                var c = answer.GetProperty("containment");
                return $"containment {Text(c, "id")} ({Text(c, "target")} on {Text(c, "device")}) now lasts until {Text(c, "expires_at")}";
            }, cancellationToken);
        });
        return command;
    }

    /// <summary><c>release ID</c>: puts back what the containment replaced, through the running service.</summary>
    public static Command ReleaseCommand() => ServiceClient.ChangeCommand(
        "release",
        "Undo a containment (through the running service): the state it replaced is put back on the device and read back.",
        "containment",
        "api/v1/containments/{0}/release",
        answer => answer.TryGetProperty("containment", out var c) && c.ValueKind == JsonValueKind.Object
            ? $"containment {Text(c, "id")} released: {Text(c, "action")} of {Text(c, "target")} on {Text(c, "device")}{(Text(c, "port") is "?" ? "" : " " + Text(c, "port"))} undone and verified"
            : "released");

    /// <summary><c>contain --host X --switch-action quarantine|shutdown</c>: locates the host and contains it, through the running service.</summary>
    public static Command ContainCommand()
    {
        var host = new Option<string?>("--host") { Description = "The host to contain: a host name, an IP or a MAC" };
        var ip = new Option<string?>("--ip") { Description = "The host's IP (instead of --host)" };
        var mac = new Option<string?>("--mac") { Description = "The host's MAC (instead of --host)" };
        var action = new Option<string?>("--switch-action") { Description = "quarantine (move its port to the quarantine VLAN) or shutdown (shut its port); without it, --ip is blocked on a firewall" };
        action.AcceptOnlyFromAmong("quarantine", "shutdown");
        var device = new Option<string?>("--device") { Description = "The firewall to block on (needed when the inventory has several), or the only switch to look on" };
        var duration = new Option<string?>("--for") { Description = "How long it lasts (e.g. 2h). A block: default response.containment.default_block, repeat offenders longer; a switch action: until released" };
        var vlan = new Option<int?>("--vlan") { Description = "The VLAN to move to (quarantine; default: the switch's quarantine_vlan)" };
        var fallback = new Option<bool>("--fallback-shutdown") { Description = "Shut the port when the VLAN cannot be changed (quarantine)" };
        var reason = new Option<string?>("--reason") { Description = "Why, kept in the ledger and the audit trail" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Locate and say what would change, change nothing" };
        var command = new Command("contain", "Contain a host now (through the running service): block its IP on a firewall, or locate its switch port and shut or quarantine it; recorded, verified, undone by release.")
        {
            host, ip, mac, action, device, duration, vlan, fallback, reason, dryRun,
        };
        var connection = ServiceClient.AddConnectionOptions(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var given = new[] { parseResult.GetValue(host), parseResult.GetValue(ip), parseResult.GetValue(mac) }.Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
            if (given.Count != 1)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("give exactly one of --host, --ip or --mac").ConfigureAwait(false);
                return 2;
            }

            var switchAction = parseResult.GetValue(action);
            if (switchAction is null && string.IsNullOrWhiteSpace(parseResult.GetValue(ip)))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("a firewall block needs --ip (or give --switch-action quarantine|shutdown to act on the host's switch port)").ConfigureAwait(false);
                return 2;
            }

            var body = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["target"] = given[0]!.Trim(),
                ["action"] = switchAction ?? "block",
                ["for"] = parseResult.GetValue(duration),
                ["device"] = parseResult.GetValue(device),
                ["vlan"] = parseResult.GetValue(vlan),
                ["fallback"] = parseResult.GetValue(fallback) ? "shutdown" : null,
                ["reason"] = parseResult.GetValue(reason),
                ["dry_run"] = parseResult.GetValue(dryRun),
            };
            return await ServiceClient.PostAsync(parseResult, connection, "api/v1/containments", JsonSerializer.Serialize(body), DescribeContained, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static string DescribeContained(JsonElement answer)
    {
        var run = answer.GetProperty("run");
        if (run.GetProperty("status").GetString() == "waiting_approval")
        {
            var runId = run.GetProperty("id").GetString();
            return $"held for approval: run {runId} waits ({Text(run.GetProperty("waiting"), "reason")}); approve with 'orchestrator runs approve {runId}'";
        }

        var outputs = run.GetProperty("steps")[0].GetProperty("outputs");
        if (outputs.TryGetProperty("dry_run", out var dry) && dry.ValueKind == JsonValueKind.True)
        {
            return $"dry run: would contain {Text(outputs, "mac")} on {Text(outputs, "device")} {Text(outputs, "port")} (confidence {Text(outputs, "confidence")}); nothing changed";
        }

        var c = answer.GetProperty("containment");
        return Text(c, "action") == "firewall.block"
            ? $"blocked {Text(c, "target")} on {Text(c, "device")} until {Text(c, "expires_at")}, verified; containment {Text(c, "id")} — undo with 'orchestrator release {Text(c, "id")}'"
            : $"contained {Text(c, "target")} ({Text(c, "mac")}): {Text(c, "action")} on {Text(c, "device")} {Text(c, "port")}, verified; containment {Text(c, "id")} — undo with 'orchestrator release {Text(c, "id")}'";
    }

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : "?";

    private static Command ShowCommand()
    {
        var id = new Argument<string>("ID") { Description = "The containment's id" };
        var output = RunsCommand.OutputOption();
        var command = new Command("show", "Show a containment: target, device, port, the state it replaced, who made and released it.") { id, output };
        command.SetAction((parseResult, cancellationToken) => WithLedgerAsync(parseResult, async ledger =>
        {
            var containmentId = parseResult.GetValue(id)!;
            var record = await ledger.GetAsync(containmentId, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"no containment with id {containmentId} in this data directory (--data); list them with 'orchestrator containments'").ConfigureAwait(false);
                return 1;
            }

            var view = ContainmentView.From(record);
            var writer = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(output) == "json")
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(view, RunViews.Json)).ConfigureAwait(false);
                return 0;
            }

            foreach (var (name, value) in JsonSerializer.SerializeToElement(view, RunViews.Json).EnumerateObject().Select(p => (p.Name, p.Value)))
            {
                if (value.ValueKind != JsonValueKind.Null)
                {
                    await writer.WriteLineAsync($"{name + ":",-15} {value}").ConfigureAwait(false);
                }
            }

            return 0;
        }));
        return command;
    }

    // The ledger of the data directory, read beside a running service (SQLite WAL); the CLI never writes it.
    private static Task<int> WithLedgerAsync(ParseResult parseResult, Func<SqliteContainmentLedger, Task<int>> read) =>
        RunsCommand.WithDatabaseAsync(parseResult, (path, synchronous) => new SqliteContainmentLedger(path, synchronous), read);
}
