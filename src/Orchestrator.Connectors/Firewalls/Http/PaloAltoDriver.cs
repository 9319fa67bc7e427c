using System.Globalization;
using System.Net;
using System.Xml;
using System.Xml.Linq;

namespace Orchestrator.Connectors.Firewalls.Http;

/// <summary>
/// The <c>paloalto</c> driver: blocks by tagging addresses through the PAN-OS XML API's User-ID messages
/// (<c>POST /api/?type=user-id</c>); a Dynamic Address Group matching the tag, used in a deny rule, does the
/// blocking. Each tag member carries a timeout, so the firewall expires blocks itself.
/// </summary>
/// <remarks>
/// Formats: "Apply User-ID Mapping and Populate Dynamic Groups (API)",
/// https://docs.paloaltonetworks.com/ngfw/api/pan-os-xml-api-use-cases/apply-user-id-mapping-and-populate-dynamic-address-groups-api;
/// register/unregister messages, http://api-lab.paloaltonetworks.com/registered-ip.html (a timeout is seconds,
/// 0 = never, at most 2592000 = 30 days; an unregister and a register in one message are processed in that order);
/// listing with <c>show object registered-ip</c> (op command, pages of at most 500 since PAN-OS 8.0), as
/// pan-os-python's <c>panos/userid.py</c> does. A duplicate register is answered "… already exists, ignore" and an
/// unregister of an absent tag "… does not exist, ignore unreg" (the same source): both are success here.
/// </remarks>
public sealed class PaloAltoDriver(FirewallHttp http) : HttpFirewallDriver(http)
{
    public const string DriverName = "paloalto";
    public const string DefaultTag = "orchestrator-blocked";

    /// <summary>The longest tag timeout PAN-OS takes, in seconds (30 days).</summary>
    public const long MaxTimeoutSeconds = 2_592_000;

    private const int PageSize = 500;
    private static readonly string[] Ignorable = ["already exists, ignore", "does not exist, ignore unreg"];
    private static readonly string[] ReservedTags = ["and", "or", "not"];

    public override bool NativeExpiry => true;

    private protected override async Task BlockAsync(FirewallEndpoint endpoint, List<BlockRequest> latest, CancellationToken cancellationToken)
    {
        var tag = Tag(endpoint);
        var timeouts = latest.Select(b => (b.Address, Timeout: Timeout(endpoint, b))).ToList();

        // A register of a tag already on the address keeps its old timeout ("already exists, ignore"); unregistering
        // first, in the same message, makes every block start its full time again.
        var payload = new XElement(
            "payload",
            new XElement("unregister", timeouts.Select(t => Entry(t.Address, tag, timeout: null))),
            new XElement("register", timeouts.Select(t => Entry(t.Address, tag, t.Timeout))));
        await UserIdAsync(endpoint, payload, cancellationToken).ConfigureAwait(false);
    }

    private protected override async Task UnblockAsync(FirewallEndpoint endpoint, List<IPAddress> distinct, CancellationToken cancellationToken)
    {
        var tag = Tag(endpoint);
        await UserIdAsync(endpoint, new XElement("payload", new XElement("unregister", distinct.Select(a => Entry(a, tag, timeout: null)))), cancellationToken).ConfigureAwait(false);
    }

    private protected override async Task<IReadOnlyList<FirewallBlock>> ListAsync(FirewallEndpoint endpoint, CancellationToken cancellationToken)
    {
        var tag = Tag(endpoint);
        var key = endpoint.Credential("api_key", "${env:PAN_API_KEY}");
        var blocks = new Dictionary<IPAddress, FirewallBlock>();
        for (var start = 1; ; start += PageSize)
        {
            var command = new XElement(
                "show",
                new XElement(
                    "object",
                    new XElement(
                        "registered-ip",
                        new XElement("limit", PageSize.ToString(CultureInfo.InvariantCulture)),
                        new XElement("start-point", start.ToString(CultureInfo.InvariantCulture)),
                        new XElement("tag", new XElement("entry", new XAttribute("name", tag))))));
            var root = Check(endpoint, await SendAsync(endpoint, key, "op", command, cancellationToken).ConfigureAwait(false));
            var entries = root.Element("result")?.Elements("entry").ToList() ?? [];
            foreach (var entry in entries)
            {
                // The tag filter is the firewall's; the member check keeps a listing that ignored it from reporting other tags.
                if (entry.Element("tag")?.Elements("member").Any(m => m.Value == tag) == true && FirewallBatch.Host((string?)entry.Attribute("ip")) is { } address)
                {
                    // The op command does not report how long a tag has left.
                    blocks[address] = new FirewallBlock(address, Remaining: null);
                }
            }

            if (entries.Count < PageSize)
            {
                return [.. blocks.Values];
            }
        }
    }

    /// <summary>
    /// PAN-OS tag rules (api-lab "registered-ip"/"registered-user"): at most 127 characters, no quotes, no run of
    /// spaces, not and/or/not. This driver is stricter still (letters, digits, <c>. _ : -</c>), as the tag reaches XML
    /// and a DAG match expression.
    /// </summary>
    private static string Tag(FirewallEndpoint endpoint) => endpoint.Option(
        "tag",
        DefaultTag,
        t => t.Length is >= 1 and <= 127 && t.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-') && !ReservedTags.Contains(t, StringComparer.OrdinalIgnoreCase),
        "1 to 127 letters, digits, '.', '_', ':' or '-', and not 'and', 'or' or 'not'");

    private static long Timeout(FirewallEndpoint endpoint, BlockRequest block)
    {
        if (block.Duration is not { } duration)
        {
            return 0;
        }

        var seconds = FirewallBatch.Seconds(endpoint, duration);
        return seconds <= MaxTimeoutSeconds
            ? seconds
            : throw new FirewallException(string.Create(
                CultureInfo.InvariantCulture,
                $"{endpoint.Described}: PAN-OS keeps a tag at most {MaxTimeoutSeconds} s (30 days); {block.Address} was asked for {seconds} s: block for 30 days or less, or without a duration (the release then removes it)"));
    }

    private static XElement Entry(IPAddress address, string tag, long? timeout)
    {
        var member = new XElement("member", tag);
        var entry = new XElement("entry", new XAttribute("ip", address.ToString()));
        if (timeout is { } seconds)
        {
            member.Add(new XAttribute("timeout", seconds.ToString(CultureInfo.InvariantCulture)));

            // Not kept across a reboot: the ledger's reconcile registers what is still due, with its remaining time.
            entry.Add(new XAttribute("persistent", "0"));
        }

        entry.Add(new XElement("tag", member));
        return entry;
    }

    private static async Task UserIdAsync(FirewallEndpoint endpoint, XElement payload, CancellationToken cancellationToken)
    {
        var key = endpoint.Credential("api_key", "${env:PAN_API_KEY}");
        var message = new XElement("uid-message", new XElement("type", "update"), payload);
        Check(endpoint, await SendAsync(endpoint, key, "user-id", message, cancellationToken).ConfigureAwait(false));
    }

    private static Task<string> SendAsync(FirewallEndpoint endpoint, string key, string type, XElement command, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["type"] = type, ["cmd"] = command.ToString(SaveOptions.DisableFormatting) };
        if (endpoint.Device.Options.ContainsKey("vsys"))
        {
            form["vsys"] = endpoint.Option("vsys", "", v => v.StartsWith("vsys", StringComparison.Ordinal) && v.Length is > 4 and <= 8 && v[4..].All(char.IsAsciiDigit), "vsys1, vsys2, …");
        }

        return endpoint.SendAsync(
            () =>
            {
                // POST, not GET: the key stays out of URLs and logs, and a batch may pass the 2K a GET allows.
                var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url("api/")) { Content = new FormUrlEncodedContent(form) };
                request.Headers.Add("X-PAN-KEY", key);
                return request;
            },
            cancellationToken,
            Describe);
    }

    /// <summary>The parsed answer when it says success, or when every per-entry complaint is one of the harmless ones.</summary>
    private static XElement Check(FirewallEndpoint endpoint, string body)
    {
        var root = Parse(body) ?? throw endpoint.Refused($"an answer that is not the XML API's <response>: {Paging.PagerHttpSender.ServiceMessage(body)}");
        if ((string?)root.Attribute("status") == "success")
        {
            return root;
        }

        var complaints = root.Descendants("entry")
            .Where(e => e.Attribute("message") is not null)
            .Select(e => (Ip: (string?)e.Attribute("ip"), Message: (string)e.Attribute("message")!))
            .ToList();
        var real = complaints.Where(c => !Ignorable.Any(i => c.Message.EndsWith(i, StringComparison.Ordinal))).ToList();
        if (complaints.Count > 0 && real.Count == 0)
        {
            return root;
        }

        throw endpoint.Refused(real.Count > 0 ? string.Join("; ", real.Select(c => $"{c.Ip}: {c.Message}")) : Message(root));
    }

    /// <summary>The XML API's words: <c>&lt;response status="error"&gt;&lt;msg&gt;…</c> or <c>&lt;result&gt;&lt;msg&gt;…</c>.</summary>
    private static string Describe(string body) =>
        Parse(body) is { } root ? Message(root) : Paging.PagerHttpSender.ServiceMessage(body);

    private static string Message(XElement root)
    {
        var lines = root.Descendants("msg").SelectMany(m => m.Elements("line").Any() ? m.Elements("line").Select(l => l.Value) : [m.Value])
            .Select(l => l.Trim())
            .Where(l => l.Length > 0);
        var text = string.Join("; ", lines);
        var status = (string?)root.Attribute("status") ?? "no status";
        var code = (string?)root.Attribute("code");
        return Paging.PagerHttpSender.ServiceMessage(code is null ? $"{status}: {text}" : $"{status} (code {code}): {text}").TrimEnd(' ', ':');
    }

    private static XElement? Parse(string body)
    {
        try
        {
            // A firewall's answer is data: no DTD, so no entity expansion.
            using var reader = XmlReader.Create(new StringReader(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            var root = XDocument.Load(reader).Root;
            return root?.Name == "response" ? root : null;
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
