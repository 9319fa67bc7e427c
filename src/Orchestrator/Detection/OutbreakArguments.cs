using Orchestrator.Api;

namespace Orchestrator.Detection;

/// <summary>The period and format of an outbreak view, as the API's query and the CLI's options give them.</summary>
public static class OutbreakArguments
{
    /// <summary>Reads <c>since</c> (default 1h before now), <c>until</c> (default now) and <c>format</c>; the error names the parameter.</summary>
    public static bool TryParse(string? since, string? until, string? format, string defaultFormat, DateTimeOffset now, out (DateTimeOffset Since, DateTimeOffset Until, string Format) range, out string error)
    {
        range = default;
        if (!EventQueryArguments.TryTime(string.IsNullOrEmpty(since) ? "1h" : since, now, out var from) || from is null)
        {
            error = $"since: '{since}' is not an ISO 8601 time or a duration like 1h";
            return false;
        }

        if (!EventQueryArguments.TryTime(until, now, out var to))
        {
            error = $"until: '{until}' is not an ISO 8601 time or a duration like 10m";
            return false;
        }

        var chosen = string.IsNullOrEmpty(format) ? defaultFormat : format;
        if (!OutbreakView.Formats.Contains(chosen))
        {
            error = $"format: '{format}' is not one of {string.Join(", ", OutbreakView.Formats)}";
            return false;
        }

        var end = to ?? now;
        if (end <= from)
        {
            error = $"until: {end:O} is not after since ({from:O})";
            return false;
        }

        range = (from.Value, end, chosen);
        error = "";
        return true;
    }
}
