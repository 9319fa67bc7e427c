using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.Connectors.Tests.Paging;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

/// <summary>
/// RouterOS v7's REST API over <c>/ip/firewall/address-list</c> and <c>/ipv6/firewall/address-list</c> as documented:
/// Basic authentication (401 otherwise); <c>GET ?list=</c> filters; <c>PUT</c> JSON creates (an address already in the
/// list: 400 "already have such entry"), <c>PATCH /{.id}</c> updates, <c>DELETE /{.id}</c> removes (204; 404 for an
/// unknown id). Timeouts are <c>1w2d3h4m5s</c>, at most 35w3d13h13m56s; IPv6 entries read back as <c>addr/128</c>.
/// Errors are <c>{"error","message","detail"}</c>.
/// </summary>
public sealed partial class RouterOsVendor(string user, string password)
{
    private static readonly TimeSpan Max = new(248, 13, 13, 56);
    private readonly Lock _lock = new();
    private int _nextId = 1;

    public List<Entry> Entries { get; } = [];

    public Reply Handle(Recorded request)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        if (request.Header("Authorization") != expected)
        {
            return Error(401, "Unauthorized", null);
        }

        var match = PathPattern().Match(request.Path);
        if (!match.Success)
        {
            return Error(404, "Not Found", "no such command or directory");
        }

        var v6 = match.Groups["family"].Value == "ipv6";
        var id = match.Groups["id"].Success ? match.Groups["id"].Value : null;
        lock (_lock)
        {
            return (request.Method, id) switch
            {
                ("GET", null) => List(request, v6),
                ("PUT", null) => Create(request, v6),
                ("PATCH", { } target) => Update(request, target),
                ("DELETE", { } target) => Entries.RemoveAll(e => e.Id == target) > 0 ? new Reply(204, "") : Error(404, "Not Found", "no such item"),
                _ => Error(400, "Bad Request", "unsupported method"),
            };
        }
    }

    private Reply List(Recorded request, bool v6)
    {
        var list = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.Query).TryGetValue("list", out var value) ? value.ToString() : null;
        var rows = Entries.Where(e => e.V6 == v6 && (list is null || e.List == list)).Select(e =>
        {
            var row = new JsonObject
            {
                [".id"] = e.Id,
                ["list"] = e.List,
                ["address"] = e.V6 ? e.Address + "/128" : e.Address,
                ["creation-time"] = "2026-03-14 09:26:53",
                ["dynamic"] = e.Timeout is null ? "false" : "true",
                ["disabled"] = "false",
            };
            if (e.Timeout is { } timeout)
            {
                row["timeout"] = Format(timeout);
            }

            if (e.Comment is not null)
            {
                row["comment"] = e.Comment;
            }

            return (JsonNode)row;
        });
        return new Reply(200, new JsonArray([.. rows]).ToJsonString());
    }

    private Reply Create(Recorded request, bool v6)
    {
        if (Body(request) is not { } body || body["list"] is not JsonValue list || body["address"] is not JsonValue addressValue)
        {
            return Error(400, "Bad Request", "missing list or address");
        }

        var address = addressValue.GetValue<string>();
        if (!IPAddress.TryParse(address, out var ip) || (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != v6)
        {
            return Error(400, "Bad Request", $"invalid value for argument address: {address}");
        }

        if (Entries.Any(e => e.V6 == v6 && e.List == list.GetValue<string>() && e.Address == address))
        {
            return Error(400, "Bad Request", "failure: already have such entry");
        }

        TimeSpan? timeout = null;
        if (body["timeout"] is JsonValue timeoutValue)
        {
            if (Parse(timeoutValue.GetValue<string>()) is not { } parsed)
            {
                return Error(400, "Bad Request", "value of timeout is out of range (00:00:00 .. 35w3d13:13:56)");
            }

            timeout = parsed;
        }

        var entry = new Entry($"*{_nextId++:X}", list.GetValue<string>(), address, v6, timeout, (string?)body["comment"]);
        Entries.Add(entry);
        return new Reply(201, new JsonObject { [".id"] = entry.Id, ["list"] = entry.List, ["address"] = entry.Address }.ToJsonString());
    }

    private Reply Update(Recorded request, string id)
    {
        var index = Entries.FindIndex(e => e.Id == id);
        if (index < 0)
        {
            return Error(404, "Not Found", "no such item");
        }

        if (Body(request) is not { } body || body["timeout"] is not JsonValue value || Parse(value.GetValue<string>()) is not { } timeout)
        {
            return Error(400, "Bad Request", "value of timeout is out of range (00:00:00 .. 35w3d13:13:56)");
        }

        Entries[index] = Entries[index] with { Timeout = timeout };
        return new Reply(200, new JsonObject { [".id"] = id, ["timeout"] = Format(timeout) }.ToJsonString());
    }

    private static JsonObject? Body(Recorded request) =>
        request.Header("Content-Type")?.StartsWith("application/json", StringComparison.Ordinal) == true ? JsonNode.Parse(request.Body) as JsonObject : null;

    private static TimeSpan? Parse(string text)
    {
        var match = TimeoutPattern().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return null;
        }

        long Part(string unit) => match.Groups[unit].Success ? long.Parse(match.Groups[unit].Value, CultureInfo.InvariantCulture) : 0;
        var timeout = TimeSpan.FromSeconds((((((Part("w") * 7) + Part("d")) * 24 + Part("h")) * 60 + Part("m")) * 60) + Part("s"));
        return timeout <= Max ? timeout : null;
    }

    /// <summary>How RouterOS prints a remaining time: weeks first, zero units left out.</summary>
    private static string Format(TimeSpan timeout)
    {
        var seconds = (long)timeout.TotalSeconds;
        var text = new StringBuilder();
        foreach (var (unit, size) in (ReadOnlySpan<(string, long)>)[("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)])
        {
            if (seconds >= size)
            {
                text.Append(CultureInfo.InvariantCulture, $"{seconds / size}{unit}");
                seconds %= size;
            }
        }

        return text.Length == 0 ? "0s" : text.ToString();
    }

    private static Reply Error(int status, string message, string? detail)
    {
        var body = new JsonObject { ["error"] = status, ["message"] = message };
        if (detail is not null)
        {
            body["detail"] = detail;
        }

        return new Reply(status, body.ToJsonString());
    }

    [GeneratedRegex("^/rest/(?<family>ip|ipv6)/firewall/address-list(/(?<id>\\*[0-9A-F]+))?$")]
    private static partial Regex PathPattern();

    [GeneratedRegex("^(?:(?<w>\\d+)w)?(?:(?<d>\\d+)d)?(?:(?<h>\\d+)h)?(?:(?<m>\\d+)m)?(?:(?<s>\\d+)s)?$")]
    private static partial Regex TimeoutPattern();

    public sealed record Entry(string Id, string List, string Address, bool V6, TimeSpan? Timeout, string? Comment);
}
