using System.CommandLine;
using System.Text.Json;
using Orchestrator.Connectors.Switches;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Snmp;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator locate IP|MAC|HOST</c>: which switch port a host is plugged into, read now from the
/// inventory's switches (SNMP or SSH) — the edge port, never an uplink or trunk — and how sure that is.
/// Exit 0 when an edge port is found, 1 when not (the reason is printed), 2 for a usage or inventory error.
/// </summary>
public static class LocateCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = false };

    public static Command Create()
    {
        var target = new Argument<string>("TARGET") { Description = "An IP address, a MAC address (any common spelling) or a host name" };
        var playbooks = new Option<string?>("--playbooks") { Description = "The folder with inventory.yaml. Default: response.playbooks from the config file" };
        var output = new Option<string>("--output") { Description = "text or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var command = new Command("locate", "Find the switch port a host is plugged into (IP, MAC or host name), from the inventory's switches (SNMP or SSH).") { target, playbooks, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var settings = CliApp.LoadSettings(parseResult);
            if (settings is null)
            {
                return 2;
            }

            var directory = parseResult.GetValue(playbooks) ?? settings.Config.Response.Playbooks;
            var set = PlaybookLoader.LoadDirectory(directory, PlaybookSetup.LoaderOptions);
            if (!set.IsValid)
            {
                foreach (var error in set.Errors)
                {
                    await stderr.WriteLineAsync(error.ToString()).ConfigureAwait(false);
                }

                return 2;
            }

            using var sessions = new SshSessionPool();
            var locator = new SwitchLocator(SwitchDrivers.Create(sessions, TimeProvider.System), TimeProvider.System);
            var switches = locator.Switches(set.Inventory);
            if (switches.Count == 0)
            {
                await stderr.WriteLineAsync($"{Path.Combine(directory, Inventory.FileName)}: {locator.NoSwitches(null)}").ConfigureAwait(false);
                return 2;
            }

            HostLocation location;
            try
            {
                location = (await locator.LocateAsync(parseResult.GetValue(target)!, switches, TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).Location;
            }
            catch (Exception ex) when (ex is SnmpException or SshSwitchException)
            {
                await stderr.WriteLineAsync($"reading the switches failed: {ex.Message}").ConfigureAwait(false);
                return 1;
            }

            if (parseResult.GetValue(output) == "json")
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(View(location), Json)).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync(location.Edge is { } edge
                    ? $"{location.Mac} is on {edge.Device} {edge.Port} (ifIndex {edge.IfIndex}, VLAN {edge.Vlan?.ToString() ?? "?"}), confidence {Name(location.Confidence)}: {edge.Why}{(edge.Protected ? "; a protected port: containment will refuse it" : "")}"
                    : $"not located ({Name(location.Confidence)}): {location.Why}").ConfigureAwait(false);
                foreach (var seen in location.Seen)
                {
                    await stdout.WriteLineAsync($"  seen on {seen.Device} {seen.Port}: {seen.Why}").ConfigureAwait(false);
                }
            }

            return location.Edge is null ? 1 : 0;
        });
        return command;
    }

    private static string Name(LocateConfidence confidence) => HostLocator.Name(confidence);

    private static object View(HostLocation location) => new
    {
        mac = location.Mac?.ToString(),
        ip = location.Ip?.ToString(),
        confidence = Name(location.Confidence),
        device = location.Edge?.Device,
        port = location.Edge?.Port.Value,
        if_index = location.Edge?.IfIndex,
        vlan = location.Edge?.Vlan?.Value,
        @protected = location.Edge?.Protected,
        why = location.Why,
        seen = location.Seen.Select(s => new { device = s.Device, port = s.Port.Value, if_index = s.IfIndex, vlan = s.Vlan?.Value, macs_on_port = s.MacsOnPort, edge = s.Edge, why = s.Why }),
    };
}
