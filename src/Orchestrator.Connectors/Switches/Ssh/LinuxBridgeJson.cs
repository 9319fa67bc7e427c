using System.Text.Json;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>A link from <c>ip -j -d link show</c>.</summary>
/// <param name="IfIndex">Kernel ifindex (the bridge port number we report).</param>
/// <param name="Name">ifname.</param>
/// <param name="Master">The bridge (or bond) it is enslaved to, if any.</param>
/// <param name="AdminUp">The UP flag (administrative state; operstate is the carrier).</param>
/// <param name="Kind">linkinfo.info_kind: veth, bond, team, vlan, bridge … (needs <c>-d</c>).</param>
/// <param name="Alias">ifalias, the port's description (IF-MIB ifAlias), when set.</param>
public sealed record LinuxLink(int IfIndex, string Name, string? Master, bool AdminUp, string? Kind, string? Alias = null);

/// <summary>An entry from <c>bridge -j fdb show</c>.</summary>
/// <param name="Mac">The MAC as printed.</param>
/// <param name="Port">ifname it was learned on.</param>
/// <param name="Master">The bridge the entry belongs to.</param>
/// <param name="Vlan">Only on a vlan_filtering bridge.</param>
/// <param name="Local">A permanent or <c>self</c> entry (the port's own address, multicast): never a host.</param>
public sealed record LinuxFdbEntry(string Mac, string Port, string? Master, int? Vlan, bool Local);

/// <summary>One VLAN of a port from <c>bridge -j vlan show</c> (vlan_filtering bridges).</summary>
public sealed record LinuxPortVlan(int Vlan, int? VlanEnd, bool Pvid, bool Untagged);

/// <summary>Parses the JSON iproute2 prints (<c>ip -j</c>, <c>bridge -j</c>); fields it does not need are ignored.</summary>
public static class LinuxBridgeJson
{
    public static IReadOnlyList<LinuxLink> Links(string json)
    {
        using var doc = Parse(json, "ip -j link show");
        var links = new List<LinuxLink>();
        foreach (var link in doc.RootElement.EnumerateArray())
        {
            if (!link.TryGetProperty("ifindex", out var index) || !link.TryGetProperty("ifname", out var name))
            {
                continue;
            }

            var flags = link.TryGetProperty("flags", out var f) ? f.EnumerateArray().Select(x => x.GetString()).ToList() : [];
            string? kind = link.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var k) ? k.GetString() : null;
            links.Add(new LinuxLink(index.GetInt32(), name.GetString()!, Text(link, "master"), flags.Contains("UP"), kind, Text(link, "ifalias")));
        }

        return links;
    }

    public static IReadOnlyList<LinuxFdbEntry> Fdb(string json)
    {
        using var doc = Parse(json, "bridge -j fdb show");
        var entries = new List<LinuxFdbEntry>();
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            if (Text(entry, "mac") is not { } mac || Text(entry, "ifname") is not { } port)
            {
                continue;
            }

            var flags = entry.TryGetProperty("flags", out var f) ? f.EnumerateArray().Select(x => x.GetString()).ToList() : [];
            var state = Text(entry, "state");
            int? vlan = entry.TryGetProperty("vlan", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
            entries.Add(new LinuxFdbEntry(mac, port, Text(entry, "master"), vlan, flags.Contains("self") || state == "permanent"));
        }

        return entries;
    }

    /// <summary>Port → its VLANs. iproute2 ≥ 5.x prints <c>[{"ifname":"p1","vlans":[{"vlan":10,"flags":["PVID","Egress Untagged"]}]}]</c>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<LinuxPortVlan>> Vlans(string json)
    {
        using var doc = Parse(json, "bridge -j vlan show");
        var result = new Dictionary<string, IReadOnlyList<LinuxPortVlan>>(StringComparer.Ordinal);
        foreach (var port in doc.RootElement.EnumerateArray())
        {
            if (Text(port, "ifname") is not { } name || !port.TryGetProperty("vlans", out var vlans))
            {
                continue;
            }

            result[name] = [.. vlans.EnumerateArray().Select(v =>
            {
                var flags = v.TryGetProperty("flags", out var f) ? f.EnumerateArray().Select(x => x.GetString()).ToList() : [];
                int? end = v.TryGetProperty("vlanEnd", out var e) ? e.GetInt32() : null;
                return new LinuxPortVlan(v.GetProperty("vlan").GetInt32(), end, flags.Contains("PVID"), flags.Contains("Egress Untagged"));
            })];
        }

        return result;
    }

    /// <summary>
    /// The IPv4 neighbours of <c>ip -j -4 neigh show</c> with a usable MAC: <c>[{"dst":"10.1.2.3","dev":"br10","lladdr":"02:..","state":["REACHABLE"]}]</c>.
    /// Entries in state FAILED or INCOMPLETE (no answer) are left out.
    /// </summary>
    public static IReadOnlyList<(string Ip, string Mac)> Neighbours(string json)
    {
        using var doc = Parse(json, "ip -j -4 neigh show");
        var result = new List<(string, string)>();
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var states = entry.TryGetProperty("state", out var s) && s.ValueKind == JsonValueKind.Array ? s.EnumerateArray().Select(x => x.GetString()).ToList() : [];
            if (Text(entry, "dst") is { } ip && Text(entry, "lladdr") is { } mac && !states.Contains("FAILED") && !states.Contains("INCOMPLETE"))
            {
                result.Add((ip, mac));
            }
        }

        return result;
    }

    private static JsonDocument Parse(string json, string command)
    {
        try
        {
            var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                doc.Dispose();
                throw new FormatException($"'{command}' did not print a JSON array");
            }

            return doc;
        }
        catch (JsonException e)
        {
            throw new FormatException($"'{command}' printed something that is not JSON: {e.Message}", e);
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
