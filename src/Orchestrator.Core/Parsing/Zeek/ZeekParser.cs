using System.Globalization;
using System.Net;
using System.Text.Json;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Parsing.Zeek;

/// <summary>Parses Zeek conn.log lines, in TSV form (after its <c>#fields</c> header) or as one JSON object per line.</summary>
/// <remarks>
/// Originator → <c>source.*</c>, responder → <c>destination.*</c> (zeek/zeek
/// scripts/base/protocols/conn/main.zeek). A <c>^</c> in <c>history</c> means Zeek flipped the
/// endpoints after the fact because it believes the responder really started the connection; the
/// ids are already flipped by then, so the mapping stays the same and the history is only kept as a
/// label. TSV is read with the default tab separator (a <c>#separator</c> line is not followed). In TSV <c>-</c> is unset (left out) and <c>(empty)</c> an empty value. Fields with no ECS
/// home (uid, conn_state, history, duration, bytes, packets...) become labels under their Zeek
/// names. A malformed timestamp, address or port rejects the line.
/// </remarks>
public sealed class ZeekParser : IEventParser
{
    private const string FieldsHeader = "#fields\t";
    private const char Separator = '\t';
    private const string Unset = "-";
    private const string Empty = "(empty)";

    public string Format => EventFormats.Zeek;

    public ParseResult Parse(RawInput input)
    {
        var text = input.Text;
        var line = text.AsSpan().TrimEnd("\r\n");
        if (line.IsWhiteSpace())
        {
            return ParseResult.Skipped;
        }

        if (line[0] == '#')
        {
            return line.StartsWith(FieldsHeader, StringComparison.Ordinal)
                ? ParseResult.HeaderLine(line.ToString())
                : ParseResult.Skipped;
        }

        if (line.TrimStart()[0] == '{')
        {
            return ParseJson(input);
        }

        if (input.Context is null)
        {
            return ParseResult.Rejected("a Zeek TSV line needs its #fields header first");
        }

        var names = input.Context.TrimEnd('\r', '\n').Split(Separator)[1..];
        var values = line.ToString().Split(Separator);
        if (values.Length != names.Length)
        {
            return ParseResult.Rejected(string.Create(
                CultureInfo.InvariantCulture,
                $"the Zeek line has {values.Length} fields but its #fields header names {names.Length}"));
        }

        var pairs = new List<KeyValuePair<string, string>>(names.Length);
        for (var i = 0; i < names.Length; i++)
        {
            if (values[i] != Unset)
            {
                pairs.Add(new(names[i], values[i] == Empty ? "" : values[i]));
            }
        }

        return Build(pairs, input);
    }

    private ParseResult ParseJson(RawInput input)
    {
        if (!SecurityEventJson.TryParseObject(input.Text, out var document, out var error))
        {
            return ParseResult.Rejected(error);
        }

        var pairs = new List<KeyValuePair<string, string>>();
        using (document)
        {
            if (!SecurityEventJson.TryWalk(() => Flatten(document.RootElement, null, pairs), out error))
            {
                return ParseResult.Rejected(error);
            }
        }

        return Build(pairs, input);
    }

    private static void Flatten(JsonElement obj, string? prefix, List<KeyValuePair<string, string>> pairs)
    {
        foreach (var property in obj.EnumerateObject())
        {
            var name = prefix is null ? NormaliseJsonName(property.Name) : prefix + "." + property.Name;
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Object)
            {
                Flatten(value, name, pairs);
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var items = value.EnumerateArray().Select(SecurityEventJson.ScalarText).OfType<string>();
                pairs.Add(new(name, string.Join(',', items)));
            }
            else if (SecurityEventJson.ScalarText(value) is { } scalar)
            {
                pairs.Add(new(name, scalar));
            }
        }
    }

    // OTRF's shipper renames id.orig_h to id_orig_h (dots are awkward in some stores).
    private static string NormaliseJsonName(string name) =>
        name.StartsWith("id_orig_", StringComparison.Ordinal) || name.StartsWith("id_resp_", StringComparison.Ordinal)
            ? "id." + name[3..]
            : name;

    private ParseResult Build(List<KeyValuePair<string, string>> pairs, RawInput input)
    {
        var evt = new SecurityEvent
        {
            Kind = EventKinds.NetworkConnection,
            Format = Format,
            Original = input.Text,
            Ingested = input.ReceivedAt,
            Timestamp = input.ReceivedAt,
            EventKind = "event",
            EventCategory = "network",
            EventType = "connection",
            EventProvider = "zeek",
        };

        string? localOrig = null;
        string? localResp = null;
        foreach (var (name, value) in pairs)
        {
            var error = name switch
            {
                "ts" => SetTime(evt, value),
                "id.orig_h" => SetIp(value, name, ip => evt.SourceIp = ip),
                "id.orig_p" => SetPort(value, name, p => evt.SourcePort = p),
                "id.resp_h" => SetIp(value, name, ip => evt.DestinationIp = ip),
                "id.resp_p" => SetPort(value, name, p => evt.DestinationPort = p),
                "orig_l2_addr" => SetMac(evt, value, name, m => evt.SourceMac = m),
                "resp_l2_addr" => SetMac(evt, value, name, m => evt.DestinationMac = m),
                _ => null,
            };
            if (error is not null)
            {
                return ParseResult.Rejected(error);
            }

            switch (name)
            {
                case "ts" or "id.orig_h" or "id.orig_p" or "id.resp_h" or "id.resp_p" or "orig_l2_addr" or "resp_l2_addr":
                    break;
                case "proto" when value.Length > 0:
                    evt.NetworkTransport = value;
                    break;
                case "service" when value.Length > 0:
                    evt.NetworkProtocol = value;
                    break;
                default:
                    if (name == "local_orig")
                    {
                        localOrig = value;
                    }
                    else if (name == "local_resp")
                    {
                        localResp = value;
                    }

                    evt.SetLabel(name, value);
                    break;
            }
        }

        if (evt.SourceIp is null || evt.DestinationIp is null)
        {
            return ParseResult.Rejected("a Zeek conn record needs id.orig_h and id.resp_h");
        }

        evt.NetworkDirection = Direction(IsTrue(localOrig), IsTrue(localResp));
        return ParseResult.Success(evt);
    }

    // As Elastic's Zeek connection pipeline: from the sensor's local_orig/local_resp flags.
    private static string? Direction(bool? localOrig, bool? localResp) => (localOrig, localResp) switch
    {
        (true, true) => "internal",
        (true, false) => "outbound",
        (false, true) => "inbound",
        (false, false) => "external",
        _ => null,
    };

    private static bool? IsTrue(string? flag) => flag switch
    {
        "T" or "true" => true,
        "F" or "false" => false,
        _ => null,
    };

    private static string? SetTime(SecurityEvent evt, string value)
    {
        // TSV and most JSON give epoch seconds with a fraction; Elastic's samples also use ISO 8601.
        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var seconds)
            && seconds <= 253_402_300_799m)
        {
            evt.Timestamp = DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
            return null;
        }

        if (value.Contains('-', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            evt.Timestamp = time;
            return null;
        }

        return $"zeek field 'ts' is '{value}', not epoch seconds or an ISO 8601 time";
    }

    private static string? SetIp(string value, string name, Action<IPAddress> set)
    {
        if (!IPAddress.TryParse(value, out var ip))
        {
            return $"zeek field '{name}' is '{value}', not an IP address";
        }

        set(ip);
        return null;
    }

    private static string? SetPort(string value, string name, Action<int> set)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return $"zeek field '{name}' is '{value}', not a port number";
        }

        set(port);
        return null;
    }

    // L2 addresses are optional extras and may be blank; a bad one is kept, not fatal.
    private static string? SetMac(SecurityEvent evt, string value, string name, Action<MacAddress> set)
    {
        if (MacAddress.TryParse(value, out var mac))
        {
            set(mac);
        }
        else if (value.Length > 0)
        {
            evt.SetLabel(SecurityEventJson.InvalidLabelPrefix + name, value);
        }

        return null;
    }
}
