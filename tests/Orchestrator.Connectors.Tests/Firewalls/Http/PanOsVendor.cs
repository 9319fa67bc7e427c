using System.Globalization;
using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.WebUtilities;
using Orchestrator.Connectors.Tests.Paging;

namespace Orchestrator.Connectors.Tests.Firewalls.Http;

/// <summary>
/// A PAN-OS XML API as documented: <c>POST /api/</c>, form-encoded, the key in <c>X-PAN-KEY</c> (403 "Invalid
/// Credential" otherwise); <c>type=user-id</c> takes a <c>uid-message</c> of type update whose unregister entries are
/// processed before its register entries; a member timeout is 0..2592000 s. Like the firewall, registering a tag the
/// address already has is answered "already exists, ignore" and keeps the old timeout; unregistering an absent tag,
/// "does not exist, ignore unreg". <c>type=op</c> answers <c>show object registered-ip</c> with limit, start-point and
/// a tag filter. Keeps the registered tags and their timeouts.
/// </summary>
public sealed class PanOsVendor(string apiKey)
{
    private readonly Lock _lock = new();

    /// <summary>(address, tag) → timeout in seconds as last registered.</summary>
    public Dictionary<(string Ip, string Tag), int> Registered { get; } = [];

    public List<string> Persistent { get; } = [];

    public Reply Handle(Recorded request)
    {
        if (request.Method != "POST" || request.Path != "/api/")
        {
            return Xml(404, "<response status=\"error\"><msg><line>not found</line></msg></response>");
        }

        if (request.Header("X-PAN-KEY") != apiKey)
        {
            return Xml(403, "<response status = 'error' code = '403'><result><msg>Invalid Credential</msg></result></response>");
        }

        if (request.Header("Content-Type")?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) != true)
        {
            return Error("request must be form-encoded");
        }

        var form = QueryHelpers.ParseQuery(request.Body);
        if (form.ContainsKey("key") || request.Query.Contains("key=", StringComparison.Ordinal))
        {
            return Error("the key belongs in X-PAN-KEY, not in the request");
        }

        XElement command;
        try
        {
            command = XElement.Parse(form["cmd"].ToString());
        }
        catch (System.Xml.XmlException)
        {
            return Error("cmd is not XML");
        }

        lock (_lock)
        {
            return form["type"].ToString() switch
            {
                "user-id" => UserId(command),
                "op" => Op(command),
                _ => Error("unknown type"),
            };
        }
    }

    private Reply UserId(XElement message)
    {
        if (message.Name != "uid-message" || message.Element("type")?.Value != "update" || message.Element("payload") is not { } payload)
        {
            return Error("not a uid-message of type update");
        }

        var answers = new List<XElement>();
        foreach (var section in (string[])["unregister", "register"])
        {
            var answer = new XElement(section);
            foreach (var entry in payload.Element(section)?.Elements("entry") ?? [])
            {
                var ip = (string?)entry.Attribute("ip");
                if (ip is null || !IPAddress.TryParse(ip, out _))
                {
                    return Error($"invalid ip '{ip}'");
                }

                foreach (var member in entry.Element("tag")?.Elements("member") ?? [])
                {
                    var timeout = 0;
                    if (member.Attribute("timeout") is { } attribute
                        && (!int.TryParse(attribute.Value, NumberStyles.None, CultureInfo.InvariantCulture, out timeout) || timeout > 2_592_000))
                    {
                        return Error($"invalid timeout '{attribute.Value}' (0-2592000)");
                    }

                    var key = (ip, member.Value);
                    string? complaint = section == "register"
                        ? Registered.TryAdd(key, timeout) ? null : $"{member.Value} already exists, ignore"
                        : Registered.Remove(key) ? null : $"{member.Value} does not exist, ignore unreg";
                    if (section == "register" && complaint is null && (string?)entry.Attribute("persistent") == "0")
                    {
                        Persistent.Add(ip);
                    }

                    if (complaint is not null)
                    {
                        answer.Add(new XElement("entry", new XAttribute("ip", ip), new XAttribute("message", complaint)));
                    }
                }
            }

            answers.Add(answer);
        }

        var uid = new XElement("uid-response", new XElement("version", "2.0"), new XElement("payload", answers));
        return answers.Any(a => a.HasElements)
            ? Xml(200, new XElement("response", new XAttribute("status", "error"), new XElement("msg", new XElement("line", uid))).ToString())
            : Xml(200, new XElement("response", new XAttribute("status", "success"), new XElement("result", uid)).ToString());
    }

    private Reply Op(XElement command)
    {
        if (command.Element("object")?.Element("registered-ip") is not { } query)
        {
            return Error("unsupported op command");
        }

        var limit = int.Parse(query.Element("limit")?.Value ?? "500", CultureInfo.InvariantCulture);
        var start = int.Parse(query.Element("start-point")?.Value ?? "1", CultureInfo.InvariantCulture);
        var tag = (string?)query.Element("tag")?.Element("entry")?.Attribute("name");
        var entries = Registered.Keys.Where(k => tag is null || k.Tag == tag)
            .GroupBy(k => k.Ip)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Skip(start - 1)
            .Take(limit)
            .Select(g => new XElement(
                "entry",
                new XAttribute("ip", g.Key),
                new XAttribute("from_agent", "0"),
                new XAttribute("persistent", "0"),
                new XElement("tag", g.Select(k => new XElement("member", k.Tag)))))
            .ToList();
        return Xml(200, new XElement("response", new XAttribute("status", "success"), new XElement("result", entries, new XElement("count", entries.Count))).ToString());
    }

    private static Reply Error(string line) =>
        Xml(200, new XElement("response", new XAttribute("status", "error"), new XElement("msg", new XElement("line", line))).ToString());

    private static Reply Xml(int status, string body) => new(status, body, "application/xml; charset=UTF-8");
}
