using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Orchestrator.Connectors.Paging;
using Orchestrator.Core.Configuration;

namespace Orchestrator.Connectors.Firewalls.Http;

/// <summary>
/// The <c>mikrotik</c> driver: entries with a timeout in a RouterOS v7 firewall address list, through the REST API
/// (Basic authentication); a drop rule matching the list does the blocking, and RouterOS removes an entry when its
/// timeout ends. IPv4 and IPv6 are separate lists of the same name.
/// </summary>
/// <remarks>
/// REST API: https://help.mikrotik.com/docs/spaces/ROS/pages/47579162/REST+API (<c>GET</c> with <c>?property=value</c>
/// filters, <c>PUT</c> creates, <c>PATCH /{.id}</c> updates, <c>DELETE /{.id}</c> removes; errors as
/// <c>{"error":400,"message":"Bad Request","detail":…}</c>). Address lists (RouterOS "Address Lists" manual): an address
/// already in the list is refused with "already have such entry", so an existing entry gets a <c>PATCH</c> of its
/// timeout instead; a timeout is written <c>1d2h3m4s</c>, at most <c>35w3d13h13m56s</c>; an entry with a timeout is
/// dynamic (not kept over a reboot: the ledger's reconcile adds it back), one without is static.
/// </remarks>
public sealed class MikroTikDriver(FirewallHttp http) : HttpFirewallDriver(http)
{
    public const string DriverName = "mikrotik";
    public const string DefaultList = "orchestrator-blocked";

    /// <summary>35w3d13h13m56s: the longest address-list timeout RouterOS takes.</summary>
    public static readonly TimeSpan MaxTimeout = new TimeSpan(248, 13, 13, 56);

    private const int MaxComment = 128;

    public override bool NativeExpiry => true;

    private protected override async Task BlockAsync(FirewallEndpoint endpoint, List<BlockRequest> latest, CancellationToken cancellationToken)
    {
        var list = List(endpoint);
        foreach (var family in latest.GroupBy(b => b.Address.AddressFamily))
        {
            var path = Path(family.Key);
            var existing = await EntriesAsync(endpoint, path, list, cancellationToken).ConfigureAwait(false);
            foreach (var block in family)
            {
                await BlockOneAsync(endpoint, path, list, block, existing.GetValueOrDefault(block.Address), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private protected override async Task UnblockAsync(FirewallEndpoint endpoint, List<IPAddress> distinct, CancellationToken cancellationToken)
    {
        var list = List(endpoint);
        foreach (var family in distinct.GroupBy(a => a.AddressFamily))
        {
            var path = Path(family.Key);
            var existing = await EntriesAsync(endpoint, path, list, cancellationToken).ConfigureAwait(false);
            foreach (var address in family)
            {
                if (existing.TryGetValue(address, out var entry))
                {
                    await ChangeAsync(endpoint, path, list, entry, HttpMethod.Delete, body: null, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private protected override async Task<IReadOnlyList<FirewallBlock>> ListAsync(FirewallEndpoint endpoint, CancellationToken cancellationToken)
    {
        var list = List(endpoint);
        var blocks = new List<FirewallBlock>();
        foreach (var family in (AddressFamily[])[AddressFamily.InterNetwork, AddressFamily.InterNetworkV6])
        {
            var entries = await EntriesAsync(endpoint, Path(family), list, cancellationToken).ConfigureAwait(false);
            blocks.AddRange(entries.Values.Select(e => new FirewallBlock(e.Address, e.Timeout)));
        }

        return blocks;
    }

    private static async Task BlockOneAsync(FirewallEndpoint endpoint, string path, string list, BlockRequest block, Entry? entry, CancellationToken cancellationToken)
    {
        var timeout = Timeout(endpoint, block);
        if (entry is not null && (timeout is null) == (entry.Timeout is null))
        {
            // Static stays static; a timed entry gets its new timeout (a second PUT would be "already have such entry").
            if (timeout is null
                || await ChangeAsync(endpoint, path, list, entry, HttpMethod.Patch, new JsonObject { ["timeout"] = timeout }, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
        else if (entry is not null)
        {
            // A timed entry cannot become static nor the reverse in place: replace it.
            await ChangeAsync(endpoint, path, list, entry, HttpMethod.Delete, body: null, cancellationToken).ConfigureAwait(false);
        }

        var created = new JsonObject { ["list"] = list, ["address"] = block.Address.ToString() };
        if (timeout is not null)
        {
            created["timeout"] = timeout;
        }

        if (Comment(block.Comment) is { } comment)
        {
            created["comment"] = comment;
        }

        await SendAsync(endpoint, HttpMethod.Put, path, created, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Patches or deletes <paramref name="entry"/>; false when it was gone by then (its timeout ended between the
    /// listing and the change: RouterOS answers 404), which is no error.
    /// </summary>
    private static async Task<bool> ChangeAsync(FirewallEndpoint endpoint, string path, string list, Entry entry, HttpMethod method, JsonObject? body, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(endpoint, method, $"{path}/{entry.Id}", body, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (FirewallException)
        {
            var now = await EntriesAsync(endpoint, path, list, cancellationToken).ConfigureAwait(false);
            if (now.TryGetValue(entry.Address, out var still) && still.Id == entry.Id)
            {
                throw;
            }

            return false;
        }
    }

    private static string Path(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? "rest/ipv6/firewall/address-list" : "rest/ip/firewall/address-list";

    /// <summary>The list's entries by address; an entry RouterOS holds twice (added by hand) is reported once.</summary>
    private static async Task<Dictionary<IPAddress, Entry>> EntriesAsync(FirewallEndpoint endpoint, string path, string list, CancellationToken cancellationToken)
    {
        var body = await SendAsync(endpoint, HttpMethod.Get, $"{path}?list={Uri.EscapeDataString(list)}", body: null, cancellationToken).ConfigureAwait(false);
        if (FirewallJson.Parse(body) is not JsonArray rows)
        {
            throw endpoint.Refused($"an address list that is not a JSON array: {PagerHttpSender.ServiceMessage(body)}");
        }

        var entries = new Dictionary<IPAddress, Entry>();
        foreach (var row in rows.OfType<JsonObject>())
        {
            // The ?list= filter is the router's; the check keeps a router that ignored it from handing over other lists.
            if (FirewallJson.String(row, "list") != list
                || FirewallBatch.Host(FirewallJson.String(row, "address")) is not { } address
                || FirewallJson.String(row, ".id") is not { } id
                || !IsId(id))
            {
                continue;
            }

            entries.TryAdd(address, new Entry(id, address, Remaining(FirewallJson.String(row, "timeout"))));
        }

        return entries;
    }

    /// <summary>RouterOS item ids are <c>*</c> and hex digits; anything else never reaches a URL.</summary>
    private static bool IsId(string id) => id.Length is >= 2 and <= 17 && id[0] == '*' && id[1..].All(char.IsAsciiHexDigit);

    /// <summary>A remaining timeout as RouterOS writes it (<c>1w2d3h4m5s</c>, or <c>hh:mm:ss</c> on older releases); null when none.</summary>
    private static TimeSpan? Remaining(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : Durations.TryParse(text, out var duration) ? duration
        : TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out duration) ? duration
        : null;

    private static string? Timeout(FirewallEndpoint endpoint, BlockRequest block)
    {
        if (block.Duration is not { } duration)
        {
            return null;
        }

        var seconds = TimeSpan.FromSeconds(FirewallBatch.Seconds(endpoint, duration));
        return seconds <= MaxTimeout
            ? Durations.Format(seconds)
            : throw new FirewallException($"{endpoint.Described}: RouterOS keeps an address-list entry at most 35w3d13h13m56s; {block.Address} was asked for {Durations.Format(seconds)}: block for less, or without a duration (the release then removes it)");
    }

    /// <summary>The note for the entry: printable ASCII only, cut to <see cref="MaxComment"/> characters; null when nothing is left.</summary>
    private static string? Comment(string? comment)
    {
        var safe = new string((comment ?? "").Where(c => c is >= ' ' and <= '~').Take(MaxComment).ToArray()).Trim();
        return safe.Length > 0 ? safe : null;
    }

    private static string List(FirewallEndpoint endpoint) => endpoint.Option(
        "list",
        DefaultList,
        l => l.Length is >= 1 and <= 63 && l.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'),
        "1 to 63 letters, digits, '-', '_' or '.'");

    private static Task<string> SendAsync(FirewallEndpoint endpoint, HttpMethod method, string pathAndQuery, JsonObject? body, CancellationToken cancellationToken)
    {
        var auth = endpoint.Basic(endpoint.Credential("username", "${env:MIKROTIK_USER}"), endpoint.Credential("password", "${env:MIKROTIK_PASSWORD}"));
        var url = endpoint.Url(pathAndQuery);
        var json = body?.ToJsonString();
        return endpoint.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(method, url) { Content = json is null ? null : PagerJson.Content(json) };
                request.Headers.Authorization = auth;
                return request;
            },
            cancellationToken);
    }

    private sealed record Entry(string Id, IPAddress Address, TimeSpan? Timeout);
}
