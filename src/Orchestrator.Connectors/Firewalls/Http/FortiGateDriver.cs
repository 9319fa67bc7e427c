using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Orchestrator.Connectors.Paging;

namespace Orchestrator.Connectors.Firewalls.Http;

/// <summary>
/// The <c>fortigate</c> driver: the FortiOS banned-IP list ("quarantine"), through the REST monitor API with an API
/// token. A banned address is dropped by every policy of the VDOM; the FortiGate expires a ban itself.
/// </summary>
/// <remarks>
/// FortiOS monitor API, as its published schema describes it (fortinet-ansible-dev fortios_monitor docs:
/// <c>add_users.user.banned</c>, <c>clear_users.user.banned</c>): <c>POST /api/v2/monitor/user/banned/add_users</c>
/// <c>{"ip_addresses":[…],"expiry":seconds}</c> ("Time until expiry in seconds. 0 for indefinite ban."; IPv4 and IPv6),
/// <c>POST …/clear_users</c> <c>{"ip_addresses":[…]}</c>, <c>GET /api/v2/monitor/user/banned</c> listing
/// <c>{"results":[{"ip_address","ipv6","created","expires","source"}]}</c> (times in Unix seconds).
/// Banning an address again sets its new expiry (the list holds one entry per address); the API does not document
/// this, so <see cref="ListAsync"/> is how a caller verifies it.
/// </remarks>
public sealed class FortiGateDriver(FirewallHttp http) : HttpFirewallDriver(http)
{
    public const string DriverName = "fortigate";
    private const string BannedPath = "api/v2/monitor/user/banned";

    public override bool NativeExpiry => true;

    private protected override async Task BlockAsync(FirewallEndpoint endpoint, List<BlockRequest> latest, CancellationToken cancellationToken)
    {

        // One expiry per call: a batch with one duration (the usual case) is one request.
        foreach (var group in latest.GroupBy(b => b.Duration is { } d ? FirewallBatch.Seconds(endpoint, d) : 0))
        {
            if (group.Key > int.MaxValue)
            {
                throw new FirewallException(string.Create(CultureInfo.InvariantCulture, $"{endpoint.Described}: an expiry of {group.Key} s is longer than FortiOS takes ({int.MaxValue} s)"));
            }

            var body = new JsonObject
            {
                ["ip_addresses"] = Addresses(group.Select(b => b.Address)),
                ["expiry"] = group.Key,
            };
            await PostAsync(endpoint, "add_users", body, cancellationToken).ConfigureAwait(false);
        }
    }

    private protected override async Task UnblockAsync(FirewallEndpoint endpoint, List<IPAddress> distinct, CancellationToken cancellationToken)
    {
        await PostAsync(endpoint, "clear_users", new JsonObject { ["ip_addresses"] = Addresses(distinct) }, cancellationToken).ConfigureAwait(false);
    }

    private protected override async Task<IReadOnlyList<FirewallBlock>> ListAsync(FirewallEndpoint endpoint, CancellationToken cancellationToken)
    {
        var token = endpoint.Credential("api_token", "${env:FORTIGATE_TOKEN}");
        var url = endpoint.Url(BannedPath + Vdom(endpoint));
        var root = Check(endpoint, await endpoint.SendAsync(() => Request(HttpMethod.Get, url, token, content: null), cancellationToken, Describe).ConfigureAwait(false));
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        var blocks = new Dictionary<IPAddress, FirewallBlock>();
        foreach (var result in root["results"] as JsonArray ?? [])
        {
            if (result is not JsonObject ban || FirewallBatch.Host(FirewallJson.String(ban, "ip_address")) is not { } address)
            {
                continue;
            }

            // expires is a Unix time; 0 (or absent) is a ban without end. The remaining time is on this host's clock.
            var expires = ban["expires"] is JsonValue value && value.TryGetValue<long>(out var at) ? at : 0;
            blocks[address] = new FirewallBlock(address, expires <= 0 ? null : TimeSpan.FromSeconds(Math.Max(0, expires - now)));
        }

        return [.. blocks.Values];
    }

    private static JsonArray Addresses(IEnumerable<IPAddress> addresses) => [.. addresses.Select(a => (JsonNode)a.ToString())];

    private static async Task PostAsync(FirewallEndpoint endpoint, string action, JsonObject body, CancellationToken cancellationToken)
    {
        var token = endpoint.Credential("api_token", "${env:FORTIGATE_TOKEN}");
        var url = endpoint.Url($"{BannedPath}/{action}{Vdom(endpoint)}");
        var json = body.ToJsonString();
        Check(endpoint, await endpoint.SendAsync(() => Request(HttpMethod.Post, url, token, PagerJson.Content(json)), cancellationToken, Describe).ConfigureAwait(false));
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri url, string token, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>The <c>?vdom=</c> query when <c>options.vdom</c> is set (the token's own VDOM otherwise); FortiOS VDOM names are up to 31 characters.</summary>
    private static string Vdom(FirewallEndpoint endpoint) => endpoint.Device.Options.ContainsKey("vdom")
        ? "?vdom=" + endpoint.Option("vdom", "", v => v.Length is >= 1 and <= 31 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'), "1 to 31 letters, digits, '_', '-' or '.'")
        : "";

    /// <summary>The answer when its <c>status</c> is <c>success</c>; otherwise the device's refusal in its own fields.</summary>
    private static JsonObject Check(FirewallEndpoint endpoint, string body)
    {
        return FirewallJson.Parse(body) is JsonObject root && FirewallJson.String(root, "status") == "success"
            ? root
            : throw endpoint.Refused(Describe(body));
    }

    /// <summary>FortiOS's words: <c>status</c>, <c>http_status</c>, the numeric <c>error</c> code and, when present, <c>cli_error</c> or <c>message</c>.</summary>
    private static string Describe(string body)
    {
        var parts = new List<string>();
        if (FirewallJson.Parse(body) is JsonObject root)
        {
            foreach (var name in (string[])["status", "http_status", "error", "cli_error", "message"])
            {
                if (root[name] is JsonValue value)
                {
                    parts.Add($"{name} {value.ToJsonString().Trim('"')}");
                }
            }
        }

        return PagerHttpSender.ServiceMessage(parts.Count > 0 ? string.Join(", ", parts) : body);
    }
}
