using System.Net;
using System.Text.Json;

namespace Orchestrator.Connectors.Firewalls.Ssh;

/// <summary>Parses what <c>nft -j list set</c> prints (libnftables JSON schema 1); fields the drivers do not need are ignored.</summary>
public static class NftablesJson
{
    /// <summary>
    /// The set's elements: <c>{"nftables":[{"metainfo":{…}},{"set":{…,"elem":["10.0.0.2",{"elem":{"val":"10.0.0.1","timeout":3600,"expires":3599}}]}}]}</c>.
    /// A bare address has no timeout (null remaining); <c>expires</c> is the seconds left. Prefixes and ranges
    /// (another tool's interval sets) are not single addresses and are left out.
    /// </summary>
    public static IReadOnlyList<FirewallBlock> SetElements(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"'nft -j list set' printed something that is not JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("'nft -j list set' did not print {\"nftables\": [...]}");
            }

            var blocks = new List<FirewallBlock>();
            foreach (var item in items.EnumerateArray())
            {
                if (item.TryGetProperty("set", out var set) && set.TryGetProperty("elem", out var elements) && elements.ValueKind == JsonValueKind.Array)
                {
                    blocks.AddRange(elements.EnumerateArray().Select(Block).OfType<FirewallBlock>());
                }
            }

            return blocks;
        }
    }

    private static FirewallBlock? Block(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return IPAddress.TryParse(element.GetString(), out var bare) ? new FirewallBlock(bare, null) : null;
        }

        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("elem", out var timed)
            || !timed.TryGetProperty("val", out var value) || value.ValueKind != JsonValueKind.String || !IPAddress.TryParse(value.GetString(), out var address))
        {
            return null;
        }

        TimeSpan? remaining = timed.TryGetProperty("expires", out var expires) && expires.TryGetInt64(out var seconds) ? TimeSpan.FromSeconds(seconds) : null;
        return new FirewallBlock(address, remaining);
    }
}
