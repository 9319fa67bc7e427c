using System.Globalization;
using System.Net;
using System.Xml;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing.Cef;
using Orchestrator.Core.Parsing.Syslog;

namespace Orchestrator.Core.Parsing.Epo;

/// <summary>
/// McAfee/Trellix ePO events forwarded as RFC 5424 syslog with an XML body
/// (<c>&lt;EPOEvent&gt;</c>, <c>&lt;EPOevent&gt;</c>, <c>&lt;UpdateEvents&gt;</c>, ...). Stateless and thread-safe.
/// </summary>
public sealed class EpoParser : IEventParser
{
    private const int MaxDocumentChars = 1 << 20;

    public string Format => EventFormats.Epo;

    public ParseResult Parse(RawInput input)
    {
        var text = input.Text;
        if (string.IsNullOrWhiteSpace(text))
        {
            return ParseResult.Rejected("empty line: an ePO event is syslog followed by '<?xml ...?><EPOEvent>...'");
        }

        var header = SyslogHeader.Parse(text, input.ReceivedAt);
        var xmlStart = FindXmlStart(text, header.MessageStart);
        if (xmlStart < 0)
        {
            return ParseResult.Rejected("no XML document in the message: an ePO event carries '<?xml ...?><EPOEvent>...' after the syslog header");
        }

        // DTDs are refused outright: ePO never sends one, and one is how entity-expansion and XXE attacks start.
        if (text.AsSpan(xmlStart).Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase))
        {
            return ParseResult.Rejected("the ePO XML carries a <!DOCTYPE>; DTDs are refused (entity expansion and external entities are not allowed)");
        }

        var doc = new EpoDocument();
        try
        {
            Read(text, xmlStart, doc);
        }
        catch (XmlException ex)
        {
            return ParseResult.Rejected(string.Create(CultureInfo.InvariantCulture,
                $"malformed ePO XML at line {ex.LineNumber}, position {ex.LinePosition}: {ex.Message}"));
        }

        if (doc.Root is null)
        {
            return ParseResult.Rejected("the ePO XML has no root element");
        }

        var evt = new SecurityEvent
        {
            Format = EventFormats.Epo,
            Original = text,
            Ingested = input.ReceivedAt.ToUniversalTime(),
            ObserverName = header.Hostname,
            Timestamp = (header.Timestamp ?? input.ReceivedAt).ToUniversalTime(),
        };

        AddTenant(evt, header.StructuredData);
        Map(evt, doc);
        return ParseResult.Success(evt);
    }

    // The first '<' of '<?xml' or of a root element; senders put junk (a BOM, a literal '?') before it.
    private static int FindXmlStart(string text, int from)
    {
        var declaration = text.IndexOf("<?xml", from, StringComparison.Ordinal);
        if (declaration >= 0)
        {
            return declaration;
        }

        for (var i = text.IndexOf('<', from); i >= 0 && i + 1 < text.Length; i = text.IndexOf('<', i + 1))
        {
            if (char.IsAsciiLetter(text[i + 1]))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Read(string text, int start, EpoDocument doc)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 1024,
            MaxCharactersInDocument = MaxDocumentChars,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            CloseInput = true,
        };

        using var reader = XmlReader.Create(new StringReader(text[start..]), settings);
        var path = new List<string>(8);
        string? pendingLeaf = null;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var name = reader.LocalName;
                    if (doc.Root is null)
                    {
                        doc.Root = name;
                    }

                    if (reader.HasAttributes)
                    {
                        doc.AddAttributes(reader);
                    }

                    if (reader.IsEmptyElement)
                    {
                        pendingLeaf = null;
                    }
                    else
                    {
                        path.Add(name);
                        pendingLeaf = name;
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA:
                    if (pendingLeaf is not null)
                    {
                        var parent = path.Count >= 2 ? path[^2] : "";
                        doc.Add(parent, pendingLeaf, reader.Value.Trim());
                    }

                    break;
                case XmlNodeType.EndElement:
                    if (path.Count > 0)
                    {
                        path.RemoveAt(path.Count - 1);
                    }

                    pendingLeaf = null;
                    break;
            }
        }
    }

    private static void AddTenant(SecurityEvent evt, string? structuredData)
    {
        const string Key = "tenantId=\"";
        if (structuredData is null)
        {
            return;
        }

        var at = structuredData.IndexOf(Key, StringComparison.Ordinal);
        if (at < 0)
        {
            return;
        }

        var valueStart = at + Key.Length;
        var end = structuredData.IndexOf('"', valueStart);
        if (end > valueStart)
        {
            evt.SetLabel("tenantId", structuredData[valueStart..end]);
        }
    }

    private static void Map(SecurityEvent evt, EpoDocument doc)
    {
        var machine = doc.Machine;
        var fields = doc.Fields;
        evt.SetLabel("root", doc.Root!);

        evt.HostName = machine.TryGetValue("MachineName", out var machineName) ? machineName : Get(fields, "AnalyzerHostName");

        SetIp(evt, machine, "IPAddress", ip => evt.HostIp = ip);
        if (machine.TryGetValue("RawMACAddress", out var mac))
        {
            if (MacAddress.TryParse(mac, out var hostMac))
            {
                evt.HostMac = hostMac;
            }
            else
            {
                evt.SetLabel("RawMACAddress", mac);
            }
        }

        if (machine.TryGetValue("UserName", out var user))
        {
            SetUser(evt, user);
        }

        foreach (var (key, value) in machine)
        {
            if (key is not ("MachineName" or "IPAddress" or "RawMACAddress" or "UserName"))
            {
                evt.SetLabel(key, value);
            }
        }

        evt.EventProvider = doc.ProductName ?? Get(fields, "AnalyzerName");

        if (doc.ProductVersion is not null)
        {
            evt.SetLabel("ProductVersion", doc.ProductVersion);
        }

        if (doc.ProductFamily is not null)
        {
            evt.SetLabel("ProductFamily", doc.ProductFamily);
        }

        // ThreatEventID is the detection's own id (1278 on-access); EventID the envelope's.
        evt.EventCode = Get(fields, "ThreatEventID") ?? Get(fields, "EventID");
        if (Get(fields, "Severity") is { } severity && int.TryParse(severity, NumberStyles.Integer, CultureInfo.InvariantCulture, out var sev))
        {
            evt.EventSeverity = sev;
        }

        var time = Get(fields, "DetectedUTC") ?? Get(fields, "GMTTime");
        if (time is not null && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var eventTime))
        {
            evt.Timestamp = eventTime;
        }

        if (Get(fields, "ThreatName") is { } threat && threat != "_")
        {
            evt.RuleName = threat;
        }

        evt.EventAction = Get(fields, "ThreatActionTaken");

        // A source naming the detecting machine itself (on-access scans report the local host) is
        // not where the infection came from: keep it as a label so the event names no source.
        var sourceName = Get(fields, "SourceHostName");
        if (sourceName is not null && !IsSelf(sourceName, evt, doc))
        {
            evt.SourceName = sourceName;
        }

        foreach (var key in (ReadOnlySpan<string>)["SourceIPV4", "SourceIPV6"])
        {
            if (evt.SourceIp is null && Get(fields, key) is { } value && IPAddress.TryParse(value, out var ip)
                && !IsLocal(ip, evt))
            {
                evt.SourceIp = ip;
            }
        }

        if (Get(fields, "SourceMAC") is { } sourceMac && MacAddress.TryParse(sourceMac, out var smac))
        {
            evt.SourceMac = smac;
        }

        evt.SourceUser = Get(fields, "SourceUserName");
        evt.UrlOriginal = Get(fields, "SourceURL");
        if (Get(fields, "SourceProcessName") is { } process)
        {
            evt.ProcessExecutable = process;
            evt.ProcessName = ExtensionMapper.FileNameOf(process);
        }

        if (Get(fields, "SourceProcessHash") is { } processHash)
        {
            ExtensionMapper.SetHash(processHash, h => evt.ProcessHashMd5 = h, h => evt.ProcessHashSha1 = h, h => evt.ProcessHashSha256 = h);
        }

        evt.DestinationName = Get(fields, "TargetHostName");
        foreach (var key in (ReadOnlySpan<string>)["TargetIPV4", "TargetIPV6"])
        {
            if (evt.DestinationIp is null && Get(fields, key) is { } value && IPAddress.TryParse(value, out var ip))
            {
                evt.DestinationIp = ip;
            }
        }

        if (Get(fields, "TargetMAC") is { } targetMac && MacAddress.TryParse(targetMac, out var dmac))
        {
            evt.DestinationMac = dmac;
        }

        if (Get(fields, "TargetPort") is { } port && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var dpt) && dpt <= 65535)
        {
            evt.DestinationPort = dpt;
        }

        if (Get(fields, "TargetProtocol") is { } protocol)
        {
            evt.NetworkTransport = ExtensionMapper.Transport(protocol);
        }

        evt.DestinationUser = Get(fields, "TargetUserName");
        if (Get(fields, "TargetFileName") is { } file)
        {
            evt.FilePath = file;
            evt.FileName = ExtensionMapper.FileNameOf(file);
        }

        if (Get(fields, "TargetHash") is { } fileHash)
        {
            ExtensionMapper.SetHash(fileHash, h => evt.FileHashMd5 = h, h => evt.FileHashSha1 = h, h => evt.FileHashSha256 = h);
        }

        foreach (var (key, value) in fields)
        {
            if (!IsMappedOnly(key) && !(key == "ThreatName" && value == "_"))
            {
                evt.SetLabel(key, value);
            }
        }

        Classify(evt, fields);
    }

    // Fields whose value lives fully in an ECS field; everything else is also kept as a label.
    private static bool IsMappedOnly(string key) => key is "EventID" or "Severity" or "GMTTime" or "DetectedUTC"
        or "ThreatName" or "ThreatActionTaken" or "SourceUserName" or "SourceURL" or "SourceProcessName"
        or "TargetHostName" or "TargetUserName" or "TargetFileName" or "TargetIPV4" or "TargetIPV6" or "TargetPort";

    /// <summary>
    /// Detections: a ThreatCategory starting av., ap., hip. or wp.detect; with no category, a
    /// ThreatEventID in a detection range; or a real ThreatName (ePO writes "_" for none).
    /// Everything else (ops.update, policy enforcement, assessments) is <c>other</c>.
    /// </summary>
    private static void Classify(SecurityEvent evt, Dictionary<string, string> fields)
    {
        var category = Get(fields, "ThreatCategory") ?? "";
        var detection = category.StartsWith("av.", StringComparison.OrdinalIgnoreCase)
            || category.StartsWith("ap.", StringComparison.OrdinalIgnoreCase)
            || category.StartsWith("hip.", StringComparison.OrdinalIgnoreCase)
            || category.StartsWith("wp.detect", StringComparison.OrdinalIgnoreCase)
            || (category.Length == 0 && IsDetectionId(Get(fields, "ThreatEventID")))
            || evt.RuleName is not null;
        if (!detection)
        {
            evt.Kind = EventKinds.Other;
            evt.EventKind = "event";
            evt.EventType = "info";
            return;
        }

        evt.Kind = EventKinds.InfectionDetected;
        evt.EventKind = "alert";
        evt.EventType = "info";
        evt.EventCategory = category.StartsWith("wp.", StringComparison.OrdinalIgnoreCase) ? "web"
            : category.StartsWith("hip.", StringComparison.OrdinalIgnoreCase) ? "intrusion_detection"
            : "malware";
    }

    // VSE/ENS threat event ids: 1024–1099 (VirusScan detections and actions), 1278 (ENS on-access
    // detection), 18600–18699 (Web Control). Update and task events (1118–1120, 2400s) are outside.
    private static bool IsDetectionId(string? id) =>
        int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
        && (n is >= 1024 and <= 1099 || n == 1278 || n is >= 18600 and <= 18699);

    private static bool IsSelf(string name, SecurityEvent evt, EpoDocument doc)
    {
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (IPAddress.TryParse(name, out var ip))
        {
            return IsLocal(ip, evt);
        }

        return SameHost(name, evt.HostName) || SameHost(name, Get(doc.Fields, "AnalyzerHostName"));
    }

    private static bool IsLocal(IPAddress ip, SecurityEvent evt) =>
        IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(evt.HostIp);

    // Compares the first DNS label, so "pc1.corp.local" and "PC1" are the same machine.
    private static bool SameHost(string a, string? b)
    {
        if (string.IsNullOrEmpty(b))
        {
            return false;
        }

        var x = a.AsSpan();
        var y = b.AsSpan();
        var dx = x.IndexOf('.');
        var dy = y.IndexOf('.');
        return (dx < 0 ? x : x[..dx]).Equals(dy < 0 ? y : y[..dy], StringComparison.OrdinalIgnoreCase);
    }

    private static void SetUser(SecurityEvent evt, string user)
    {
        // An unexpanded agent variable (%CTX_DOMAIN_USER%) is not a user; keep it visible as a label.
        if (user.Length > 1 && user[0] == '%' && user[^1] == '%')
        {
            evt.SetLabel("UserName", user);
            return;
        }

        var slash = user.IndexOf('\\', StringComparison.Ordinal);
        if (slash > 0 && slash < user.Length - 1)
        {
            evt.UserDomain = user[..slash];
            evt.UserName = user[(slash + 1)..];
        }
        else
        {
            evt.UserName = user;
        }
    }

    private static void SetIp(SecurityEvent evt, Dictionary<string, string> values, string key, Action<IPAddress> set)
    {
        if (!values.TryGetValue(key, out var text))
        {
            return;
        }

        if (IPAddress.TryParse(text, out var ip))
        {
            set(ip);
        }
        else
        {
            evt.SetLabel(key, text);
        }
    }

    private static string? Get(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var value) ? value : null;

    /// <summary>The leaf values of one ePO document, by element name (first occurrence wins).</summary>
    private sealed class EpoDocument
    {
        public string? Root { get; set; }

        public string? ProductName { get; private set; }

        public string? ProductVersion { get; private set; }

        public string? ProductFamily { get; private set; }

        /// <summary>MachineInfo children.</summary>
        public Dictionary<string, string> Machine { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Every other leaf; ePO element names differ in case between products.</summary>
        public Dictionary<string, string> Fields { get; } = new(StringComparer.OrdinalIgnoreCase);

        public void Add(string parent, string name, string value)
        {
            if (value.Length == 0)
            {
                return;
            }

            var target = parent.Equals("MachineInfo", StringComparison.OrdinalIgnoreCase) ? Machine : Fields;
            target.TryAdd(name, value);
        }

        // The product attributes sit on the element under the root (SoftwareInfo, McAfeeCommonUpdater, PhoenixEngine).
        public void AddAttributes(XmlReader reader)
        {
            if (ProductName is not null)
            {
                return;
            }

            var productName = reader.GetAttribute("ProductName");
            if (string.IsNullOrEmpty(productName))
            {
                return;
            }

            ProductName = productName;
            ProductVersion = NullIfEmpty(reader.GetAttribute("ProductVersion"));
            ProductFamily = NullIfEmpty(reader.GetAttribute("ProductFamily"));
        }

        private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
    }
}
