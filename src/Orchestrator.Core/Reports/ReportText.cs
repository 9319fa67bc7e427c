using System.Globalization;

namespace Orchestrator.Core.Reports;

/// <summary>How the reports write times, periods and counts, so that they all read alike.</summary>
internal static class ReportText
{
    /// <summary>A time in UTC to the second, the way every report column shows it.</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary><c>on 2015-12-12</c> for a whole UTC day, else <c>from 2015-12-12 07:00 to 2015-12-13 07:00 UTC</c>.</summary>
    public static string Period(DateTimeOffset from, DateTimeOffset to)
    {
        var start = from.UtcDateTime;
        if (start.TimeOfDay == TimeSpan.Zero && to - from == TimeSpan.FromDays(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"on {start:yyyy-MM-dd}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"from {start:yyyy-MM-dd HH:mm} to {to.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
    }

    /// <summary><c>1 host</c>, <c>3 hosts</c>.</summary>
    public static string Count(int count, string singular, string plural) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural)}");

    /// <summary>The first <paramref name="limit"/> items, comma separated, and how many more there are.</summary>
    public static string List(IReadOnlyCollection<string> items, int limit)
    {
        var listed = string.Join(", ", items.Take(limit));
        return items.Count > limit ? string.Create(CultureInfo.InvariantCulture, $"{listed} (+{items.Count - limit} more)") : listed;
    }
}
