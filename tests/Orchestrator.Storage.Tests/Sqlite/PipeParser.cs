using System.Globalization;
using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Storage.Tests.Sqlite;

/// <summary>
/// A tiny parser for <c>unixMs|kind|host|sourceIp|text</c> lines, so store tests do not depend on
/// the real parsers. host is a name, an IP, or <c>name@ip</c>; the context becomes a label.
/// </summary>
internal sealed class PipeParser : IEventParser
{
    public const string Name = "pipe";

    public string Format => Name;

    public ParseResult Parse(RawInput input)
    {
        var parts = input.Text.Split('|');
        if (parts.Length != 5 || !long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            return ParseResult.Rejected("expected unixMs|kind|host|sourceIp|text");
        }

        var evt = new SecurityEvent
        {
            Format = Name,
            Kind = parts[1],
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(ms),
            Ingested = input.ReceivedAt,
            Original = input.Text,
            SourceIp = parts[3].Length == 0 ? null : IPAddress.Parse(parts[3]),
            RuleName = parts[4],
        };
        var host = parts[2];
        var at = host.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            evt.HostName = host[..at];
            evt.HostIp = IPAddress.Parse(host[(at + 1)..]);
        }
        else if (IPAddress.TryParse(host, out var ip))
        {
            evt.HostIp = ip;
        }
        else if (host.Length > 0)
        {
            evt.HostName = host;
        }

        if (input.Context is not null)
        {
            evt.SetLabel("context", input.Context);
        }

        return ParseResult.Success(evt);
    }
}

/// <summary>The "pipe" format after an imagined change that makes it refuse every stored line.</summary>
internal sealed class RejectingPipeParser : IEventParser
{
    public string Format => PipeParser.Name;

    public ParseResult Parse(RawInput input) => ParseResult.Rejected("field 6 is now required");
}
