using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Orchestrator.Connectors.Switches;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Snmp;

namespace Orchestrator.Cli;

/// <summary>
/// <c>orchestrator locate IP|MAC|HOST</c>: which switch port a host is plugged into, read now from the
/// inventory's switches over SNMP — the edge port, never an uplink or trunk — and how sure that is.
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
        var command = new Command("locate", "Find the switch port a host is plugged into (IP, MAC or host name), from the inventory's switches over SNMP.") { target, playbooks, output };
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

            var switches = set.Inventory.Devices.Values.Where(d => d.Kind == DeviceKind.Switch).ToList();
            if (switches.Count == 0)
            {
                await stderr.WriteLineAsync($"{Path.Combine(directory, Inventory.FileName)}: no switches under 'devices' to look on").ConfigureAwait(false);
                return 2;
            }

            var text = parseResult.GetValue(target)!;
            var locator = new SwitchLocator(TimeProvider.System, TimeSpan.Zero);
            HostLocation location;
            try
            {
                if (MacAddress.TryParse(text, out var mac))
                {
                    location = await locator.LocateAsync(mac, switches, cancellationToken).ConfigureAwait(false);
                }
                else if (IPAddress.TryParse(text, out var ip) && text.Count(c => c == '.') == 3)
                {
                    location = await locator.LocateAsync(ip, switches, cancellationToken).ConfigureAwait(false);
                }
                else if (DeviceAddress.TryParse(text, out var host) && host!.Ip is null && host.Port is null)
                {
                    var resolved = (await Dns.GetHostAddressesAsync(host.Host, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
                    if (resolved is null)
                    {
                        await stderr.WriteLineAsync($"{text}: the host name does not resolve to an IPv4 address").ConfigureAwait(false);
                        return 1;
                    }

                    location = await locator.LocateAsync(resolved, switches, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await stderr.WriteLineAsync($"'{text}' is not an IPv4 address, a MAC address or a host name").ConfigureAwait(false);
                    return 2;
                }
            }
            catch (SnmpException ex)
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

    private static string Name(LocateConfidence confidence) => JsonNamingPolicy.SnakeCaseLower.ConvertName(confidence.ToString());

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
