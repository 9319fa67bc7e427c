using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Connectors.Paging;

namespace Orchestrator.Connectors.Firewalls.Http;

/// <summary>
/// The <c>opnsense</c> driver: adds addresses to a firewall alias through the OPNsense API (key and secret as
/// Basic authentication); a block rule using the alias does the blocking. Aliases have no expiry, so the ledger's
/// release removes blocks (<see cref="NativeExpiry"/> is false).
/// </summary>
/// <remarks>
/// API: https://docs.opnsense.org/development/api/core/firewall.html (AliasUtilController: <c>POST add/$alias</c>,
/// <c>POST delete/$alias</c>, <c>GET list/$alias</c>); what they do, opnsense/core
/// <c>src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/AliasUtilController.php</c>: one <c>address</c> per call
/// (no batch form; <c>alias/setItem</c> would rewrite the whole alias and need a reconfigure), answered
/// <c>{"status":"done"}</c>, <c>"failed"</c> or <c>"not_an_address"</c>; the list answers
/// <c>{"rows":[{"ip":…}],"total":…}</c> (older releases: a bare array). For a Host alias, add stores the address in
/// the configuration unless <c>array_search</c> finds it, which misses the first entry (index 0) and stores a
/// duplicate: so a block lists first and adds only what is missing.
/// </remarks>
public sealed class OpnSenseDriver(FirewallHttp http) : HttpFirewallDriver(http)
{
    public const string DriverName = "opnsense";

    /// <summary>OPNsense alias names are letters, digits and underscores, at most 32 characters (no '-').</summary>
    public const string DefaultAlias = "orchestrator_blocked";

    private const string Base = "api/firewall/alias_util/";

    public override bool NativeExpiry => false;

    private protected override async Task BlockAsync(FirewallEndpoint endpoint, List<BlockRequest> latest, CancellationToken cancellationToken)
    {
        var present = (await ListAsync(endpoint, cancellationToken).ConfigureAwait(false)).Select(b => b.Address).ToHashSet();
        foreach (var block in latest.Where(b => !present.Contains(b.Address)))
        {
            await ChangeAsync(endpoint, "add", block.Address, cancellationToken).ConfigureAwait(false);
        }
    }

    private protected override async Task UnblockAsync(FirewallEndpoint endpoint, List<IPAddress> addresses, CancellationToken cancellationToken)
    {
        // Deleting an absent address is answered "done"; no listing first, so a list that misreads an entry cannot keep a block.
        foreach (var address in addresses)
        {
            await ChangeAsync(endpoint, "delete", address, cancellationToken).ConfigureAwait(false);
        }
    }

    private protected override async Task<IReadOnlyList<FirewallBlock>> ListAsync(FirewallEndpoint endpoint, CancellationToken cancellationToken)
    {
        var url = endpoint.Url(Base + "list/" + Alias(endpoint));
        var auth = Auth(endpoint);
        var body = await endpoint.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = auth;
                return request;
            },
            cancellationToken).ConfigureAwait(false);
        var rows = FirewallJson.Parse(body) switch
        {
            JsonObject root when root["rows"] is JsonArray array => array.Select(r => r is JsonObject row ? FirewallJson.String(row, "ip") : null),
            JsonArray bare => bare.Select(r => r is JsonValue value && value.TryGetValue<string>(out var text) ? text : null),
            _ => throw endpoint.Refused($"a list that is neither {{\"rows\":[…]}} nor an array: {PagerHttpSender.ServiceMessage(body)}"),
        };

        // No expiry on an alias entry: the ledger knows when each block ends.
        return [.. rows.Select(FirewallBatch.Host).OfType<IPAddress>().Distinct().Select(a => new FirewallBlock(a, Remaining: null))];
    }

    private static async Task ChangeAsync(FirewallEndpoint endpoint, string action, IPAddress address, CancellationToken cancellationToken)
    {
        var url = endpoint.Url(Base + action + "/" + Alias(endpoint));
        var auth = Auth(endpoint);

        // IPAddress text is what the controller accepts (it refuses anything but [0-9a-f:./_], and .NET writes IPv6 in lower case).
        var json = new JsonObject { ["address"] = address.ToString() }.ToJsonString();
        var body = await endpoint.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = PagerJson.Content(json) };
                request.Headers.Authorization = auth;
                return request;
            },
            cancellationToken).ConfigureAwait(false);
        var status = FirewallJson.Parse(body) is JsonObject root ? FirewallJson.String(root, "status") : null;
        if (status != "done")
        {
            throw endpoint.Refused($"{action} {address} to alias '{Alias(endpoint)}': status {status ?? PagerHttpSender.ServiceMessage(body)}");
        }
    }

    private static string Alias(FirewallEndpoint endpoint) => endpoint.Option(
        "alias",
        DefaultAlias,
        a => a.Length is >= 1 and <= 32 && a.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'),
        "1 to 32 letters, digits or '_' (the alias must exist, of type Host or External)");

    private static System.Net.Http.Headers.AuthenticationHeaderValue Auth(FirewallEndpoint endpoint) =>
        endpoint.Basic(endpoint.Credential("api_key", "${env:OPNSENSE_KEY}"), endpoint.Credential("api_secret", "${env:OPNSENSE_SECRET}"));
}
