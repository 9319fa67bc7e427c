using System.Globalization;
using System.Net;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Api;

/// <summary>Turns the filters of <c>GET /api/v1/events</c> and <c>orchestrator events</c> into an <see cref="EventQuery"/>, with errors that name the filter.</summary>
public static class EventQueryArguments
{
    /// <summary>
    /// <paramref name="from"/> and <paramref name="to"/> take an ISO 8601 time (<c>2026-11-23T10:00:00Z</c>)
    /// or a duration meaning "that long ago" (<c>1h</c>, <c>7d</c>).
    /// </summary>
    public static bool TryCreate(string? kind, string? host, string? sourceIp, string? from, string? to, string? limit, DateTimeOffset now, out EventQuery query, out string error)
    {
        query = new EventQuery();
        error = "";
        IPAddress? ip = null;
        if (!string.IsNullOrEmpty(sourceIp) && !IPAddress.TryParse(sourceIp, out ip))
        {
            error = $"source_ip: '{sourceIp}' is not an IP address";
            return false;
        }

        if (!TryTime(from, now, out var fromTime))
        {
            error = $"from: '{from}' is not a time (ISO 8601 like 2026-11-23T10:00:00Z, or a duration ago like 1h)";
            return false;
        }

        if (!TryTime(to, now, out var toTime))
        {
            error = $"to: '{to}' is not a time (ISO 8601 like 2026-11-23T10:00:00Z, or a duration ago like 1h)";
            return false;
        }

        var max = EventQuery.DefaultLimit;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1 || max > EventQuery.MaxLimit))
        {
            error = $"limit: '{limit}' is not a whole number from 1 to {EventQuery.MaxLimit}";
            return false;
        }

        query = new EventQuery
        {
            Kind = string.IsNullOrEmpty(kind) ? null : kind,
            Host = string.IsNullOrEmpty(host) ? null : host,
            SourceIp = ip,
            From = fromTime,
            To = toTime,
            Limit = max,
        };
        return true;
    }

    /// <summary>
    /// An ISO 8601 time, or a duration meaning "that long before <paramref name="now"/>", written
    /// <c>24h</c> or <c>-24h</c>; empty gives null (no bound).
    /// </summary>
    public static bool TryTime(string? text, DateTimeOffset now, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var absolute))
        {
            time = absolute;
            return true;
        }

        if (Durations.TryParse(text.StartsWith('-') ? text[1..] : text, out var ago))
        {
            time = now - ago;
            return true;
        }

        return false;
    }
}
