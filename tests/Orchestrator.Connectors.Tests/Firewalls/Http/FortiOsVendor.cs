using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Connectors.Tests.Paging;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

/// <summary>
/// The FortiOS monitor API's banned-IP list as documented: Bearer token (401 otherwise); <c>POST
/// /api/v2/monitor/user/banned/add_users</c> JSON <c>{"ip_addresses":[…],"expiry":seconds}</c> (0 = no end, IPv4 and
/// IPv6), <c>POST …/clear_users</c> <c>{"ip_addresses":[…]}</c>, <c>GET /api/v2/monitor/user/banned</c> with
/// <c>results[]</c> of ip_address, ipv6, created, expires (Unix seconds, 0 = never), source. Every answer carries the
/// FortiOS envelope (<c>status</c>, <c>http_status</c>, <c>vdom</c>, …). One entry per address: banning again sets the new expiry.
/// </summary>
public sealed class FortiOsVendor(string token, TimeProvider time)
{
    private readonly Lock _lock = new();

    /// <summary>Address → Unix time the ban ends (0: never).</summary>
    public Dictionary<IPAddress, long> Banned { get; } = [];

    public List<string> Vdoms { get; } = [];

    public Reply Handle(Recorded request)
    {
        const string Base = "/api/v2/monitor/user/banned";
        if (request.Header("Authorization") != "Bearer " + token)
        {
            return Envelope(request, 401, "error", extra: null);
        }

        var vdom = QueryValue(request.Query, "vdom") ?? "root";
        lock (_lock)
        {
            Vdoms.Add(vdom);
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            switch (request.Method, request.Path)
            {
                case ("GET", Base):
                    var results = new JsonArray([.. Banned.Select(b => (JsonNode)new JsonObject
                    {
                        ["ip_address"] = b.Key.ToString(),
                        ["ipv6"] = b.Key.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
                        ["created"] = now,
                        ["expires"] = b.Value,
                        ["source"] = "Administrative",
                    })]);
                    return Envelope(request, 200, "success", new JsonObject { ["results"] = results });
                case ("POST", Base + "/add_users"):
                case ("POST", Base + "/clear_users"):
                    if (request.Header("Content-Type")?.StartsWith("application/json", StringComparison.Ordinal) != true
                        || JsonNode.Parse(request.Body) is not JsonObject body
                        || body["ip_addresses"] is not JsonArray list
                        || list.Count == 0)
                    {
                        return Envelope(request, 400, "error", new JsonObject { ["error"] = -1 });
                    }

                    var addresses = new List<IPAddress>();
                    foreach (var item in list)
                    {
                        if (item is not JsonValue value || !value.TryGetValue<string>(out var text) || !IPAddress.TryParse(text, out var address))
                        {
                            return Envelope(request, 400, "error", new JsonObject { ["error"] = -651, ["cli_error"] = $"Invalid IP address {item?.ToJsonString()}" });
                        }

                        addresses.Add(address);
                    }

                    if (request.Path.EndsWith("add_users", StringComparison.Ordinal))
                    {
                        if (body["expiry"] is not JsonValue expiryValue || !expiryValue.TryGetValue<long>(out var expiry) || expiry < 0)
                        {
                            return Envelope(request, 400, "error", new JsonObject { ["error"] = -1, ["cli_error"] = "expiry must be a number of seconds" });
                        }

                        addresses.ForEach(a => Banned[a] = expiry == 0 ? 0 : now + expiry);
                    }
                    else
                    {
                        addresses.ForEach(a => Banned.Remove(a));
                    }

                    return Envelope(request, 200, "success", new JsonObject { ["results"] = new JsonObject() });
                default:
                    return Envelope(request, 404, "error", extra: null);
            }
        }
    }

    private static string? QueryValue(string query, string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query).TryGetValue(name, out var value) ? value.ToString() : null;

    private static Reply Envelope(Recorded request, int status, string outcome, JsonObject? extra)
    {
        var body = new JsonObject
        {
            ["http_method"] = request.Method,
            ["vdom"] = "root",
            ["path"] = "user",
            ["name"] = "banned",
            ["status"] = outcome,
            ["http_status"] = status,
            ["serial"] = "FGVM01TM00000000",
            ["version"] = "v7.4.3",
            ["build"] = 2573,
        };
        foreach (var (key, value) in extra ?? [])
        {
            body[key] = value?.DeepClone();
        }

        return new Reply(status, body.ToJsonString());
    }
}
