using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.Connectors.Tests.Paging;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

/// <summary>
/// OPNsense's alias_util API as opnsense/core's AliasUtilController implements it: Basic key:secret (401
/// "Authentication Failed" otherwise); <c>POST add/{alias}</c> and <c>POST delete/{alias}</c> with <c>address</c>
/// (JSON body), answered <c>{"status":"done"}</c>, <c>"failed"</c> without an address, <c>"not_an_address"</c> for any
/// character outside <c>[0-9a-f:./_]</c>; <c>GET list/{alias}</c> answers <c>{"total","rowCount","current","rows":[{"ip"}]}</c>.
/// For the Host alias it also keeps the configured content and repeats the controller's quirk: the existing-entry
/// check misses the first entry, so adding it again stores it twice.
/// </summary>
public sealed partial class OpnSenseVendor(string key, string secret, string alias)
{
    private readonly Lock _lock = new();

    /// <summary>The pf table: what the firewall blocks now.</summary>
    public SortedSet<string> Table { get; } = new(StringComparer.Ordinal);

    /// <summary>The alias content in the configuration, one line an entry (with /32 or /128), duplicates and all.</summary>
    public List<string> Content { get; } = [];

    /// <summary>What the firewall blocks now, as a copy (the stand-in answers requests on other threads).</summary>
    public string[] Blocked()
    {
        lock (_lock)
        {
            return [.. Table];
        }
    }

    /// <summary>A person deletes the entry on the firewall itself, behind the ledger's back.</summary>
    public void RemoveByHand(string address)
    {
        lock (_lock)
        {
            Table.Remove(address);
            Content.RemoveAll(c => c.StartsWith(address + "/", StringComparison.Ordinal));
        }
    }

    public Reply Handle(Recorded request)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}"));
        if (request.Header("Authorization") != expected)
        {
            return new Reply(401, """{"status":401,"message":"Authentication Failed"}""");
        }

        const string Base = "/api/firewall/alias_util/";
        lock (_lock)
        {
            if (request.Method == "GET" && request.Path == Base + "list/" + alias)
            {
                var rows = new JsonArray([.. Table.Select(ip => (JsonNode)new JsonObject { ["ip"] = ip })]);
                return new Reply(200, new JsonObject { ["total"] = Table.Count, ["rowCount"] = Table.Count, ["current"] = 1, ["rows"] = rows }.ToJsonString());
            }

            var add = request.Path == Base + "add/" + alias;
            if (request.Method != "POST" || (!add && request.Path != Base + "delete/" + alias))
            {
                return new Reply(200, """{"status":"failed"}""");
            }

            if (request.Header("Content-Type")?.StartsWith("application/json", StringComparison.Ordinal) != true
                || JsonNode.Parse(request.Body) is not JsonObject body
                || body["address"] is not JsonValue value
                || !value.TryGetValue<string>(out var address))
            {
                return new Reply(200, """{"status":"failed"}""");
            }

            if (NotAnAddress().IsMatch(address))
            {
                return new Reply(200, """{"status":"not_an_address"}""");
            }

            var withMask = address.Contains('/', StringComparison.Ordinal) ? address : address + (address.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");
            if (add)
            {
                // PHP's `if (!array_search(...))`: a match at index 0 reads as "not found".
                if (Content.IndexOf(withMask) <= 0)
                {
                    Content.Add(withMask);
                }

                Table.Add(address);
            }
            else
            {
                Content.RemoveAll(c => c == withMask || c == address);
                Table.Remove(address);
            }

            return new Reply(200, """{"status":"done"}""");
        }
    }

    [GeneratedRegex("[^0-9a-f:./_]")]
    private static partial Regex NotAnAddress();
}
