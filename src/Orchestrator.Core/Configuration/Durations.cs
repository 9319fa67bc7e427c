using System.Globalization;

namespace Orchestrator.Core.Configuration;

/// <summary>Parses the durations admins write in YAML: <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>24h</c>, <c>7d</c>, <c>2w</c>, or combinations like <c>1h30m</c>.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var total = 0.0;
        while (span.Length > 0)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[digits..];
            var unitLength = 0;
            while (unitLength < span.Length && char.IsAsciiLetter(span[unitLength]))
            {
                unitLength++;
            }

            double? milliseconds = span[..unitLength] switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                "w" => 604_800_000,
                _ => null,
            };
            if (milliseconds is null)
            {
                return false;
            }

            total += number * milliseconds.Value;
            span = span[unitLength..];
        }

        // Beyond what a TimeSpan holds (99999999999d) is no duration anyone meant; refused like a typo, not thrown.
        if (!(total <= TimeSpan.MaxValue.TotalMilliseconds))
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Writes a duration the way admins write it (<c>10m</c>, <c>1h30m</c>, <c>500ms</c>), so messages quote what the playbook said.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new System.Text.StringBuilder(duration < TimeSpan.Zero ? "-" : "");
        var rest = duration.Duration();
        Append(text, rest.Days, "d");
        Append(text, rest.Hours, "h");
        Append(text, rest.Minutes, "m");
        Append(text, rest.Seconds, "s");
        Append(text, rest.Milliseconds, "ms");
        return text.ToString();

        static void Append(System.Text.StringBuilder text, int value, string unit)
        {
            if (value != 0)
            {
                text.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }
    }

    /// <summary>Parses or throws a <see cref="FormatException"/> that shows the accepted forms.</summary>
    public static TimeSpan Parse(string text) => TryParse(text, out var d)
        ? d
        : throw new FormatException($"'{text}' is not a duration (use a number and a unit: 500ms, 30s, 10m, 24h, 7d, 2w)");
}
