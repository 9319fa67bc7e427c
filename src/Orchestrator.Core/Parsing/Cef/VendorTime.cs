using System.Globalization;
using System.Text;

namespace Orchestrator.Core.Parsing.Cef;

/// <summary>Reads the time values CEF and LEEF senders write (epoch milliseconds, "MMM dd yyyy HH:mm:ss", ISO 8601) as UTC.</summary>
internal static class VendorTime
{
    private const DateTimeStyles Utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces;

    // The CEF spec's date formats (ArcSight "Implementing ArcSight CEF", Date Formats), zone removed first.
    private static readonly string[] WithYear =
    [
        "MMM dd yyyy HH:mm:ss.fff", "MMM dd yyyy HH:mm:ss", "MMM d yyyy HH:mm:ss.fff", "MMM d yyyy HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.fff", "yyyy-MM-dd HH:mm:ss", "yyyy/MM/dd HH:mm:ss",
    ];

    private static readonly string[] WithoutYear = ["MMM dd HH:mm:ss.fff", "MMM dd HH:mm:ss", "MMM d HH:mm:ss.fff", "MMM d HH:mm:ss"];

    /// <summary>
    /// Parses <paramref name="text"/>; <paramref name="javaFormat"/> is a LEEF <c>devTimeFormat</c>
    /// (Java SimpleDateFormat). A time without a year takes the year of <paramref name="receivedAt"/>.
    /// </summary>
    public static bool TryParse(string text, string? javaFormat, DateTimeOffset receivedAt, out DateTimeOffset value)
    {
        value = default;
        var s = text.AsSpan().Trim();
        if (s.Length == 0)
        {
            return false;
        }

        if (IsDigits(s))
        {
            if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            // 13 digits and more are milliseconds (CEF rt), 10 and fewer seconds.
            var ms = s.Length >= 12 ? n : n * 1000;
            if (ms > 253_402_300_799_999L)
            {
                return false;
            }

            value = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }

        var offset = TimeSpan.Zero;
        var body = s;
        var space = s.LastIndexOf(' ');
        if (space > 0 && TryZone(s[(space + 1)..], out var zone))
        {
            offset = zone;
            body = s[..space].TrimEnd();
        }

        if (javaFormat is not null && TryJavaFormat(body, javaFormat, out var custom))
        {
            return TryShift(custom, offset, out value);
        }

        if (DateTime.TryParseExact(body, WithYear, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var dt))
        {
            return TryShift(dt, offset, out value);
        }

        if (DateTime.TryParseExact(body, WithoutYear, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out dt))
        {
            var year = receivedAt.UtcDateTime.Year;
            if (dt.Month == 2 && dt.Day == 29 && !DateTime.IsLeapYear(year))
            {
                return false;
            }

            var withYear = new DateTime(year, dt.Month, dt.Day, dt.Hour, dt.Minute, dt.Second, dt.Millisecond, DateTimeKind.Unspecified);
            if (!TryShift(withYear, offset, out value))
            {
                return false;
            }

            // No year: the one that puts the time closest before receipt, as for RFC 3164.
            if (value > receivedAt.AddDays(1) && value.Year > 1)
            {
                value = value.AddYears(-1);
            }

            return true;
        }

        if (char.IsAsciiDigit(s[0]) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, Utc, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    // Applies the zone; a time pushed outside year 1..9999 by it is refused rather than thrown on.
    private static bool TryShift(DateTime local, TimeSpan offset, out DateTimeOffset value)
    {
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            value = default;
            return false;
        }

        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // A trailing zone token: Z, UTC, GMT, +hh:mm, +hhmm, -hh. Named zones other than UTC/GMT are
    // ambiguous (CST is three different zones) and are not guessed.
    private static bool TryZone(ReadOnlySpan<char> token, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (token is "Z" or "UTC" or "GMT")
        {
            return true;
        }

        if (token.Length < 3 || (token[0] != '+' && token[0] != '-'))
        {
            return false;
        }

        var digits = token[1..];
        int hours, minutes = 0;
        if (digits.Length == 2 && IsDigits(digits))
        {
            hours = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        else if (digits.Length == 4 && IsDigits(digits))
        {
            hours = int.Parse(digits[..2], NumberStyles.None, CultureInfo.InvariantCulture);
            minutes = int.Parse(digits[2..], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        else if (digits.Length == 5 && digits[2] == ':' && IsDigits(digits[..2]) && IsDigits(digits[3..]))
        {
            hours = int.Parse(digits[..2], NumberStyles.None, CultureInfo.InvariantCulture);
            minutes = int.Parse(digits[3..], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        else
        {
            return false;
        }

        if (hours > 14 || minutes > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0);
        if (token[0] == '-')
        {
            offset = -offset;
        }

        return true;
    }

    // Java SimpleDateFormat → .NET custom format: letters map one to one except S (fraction) → f
    // and a (AM/PM) → tt; zone letters (z, Z, X) are dropped because the zone token was cut off already.
    private static bool TryJavaFormat(ReadOnlySpan<char> body, string javaFormat, out DateTime value)
    {
        value = default;
        var format = new StringBuilder(javaFormat.Length + 4);
        var inQuote = false;
        foreach (var c in javaFormat)
        {
            if (c == '\'')
            {
                inQuote = !inQuote;
                format.Append(c);
                continue;
            }

            if (inQuote)
            {
                format.Append(c);
                continue;
            }

            switch (c)
            {
                case 'S':
                    format.Append('f');
                    break;
                case 'a':
                    format.Append("tt");
                    break;
                case 'E':
                    format.Append('d');
                    break;
                case 'z' or 'Z' or 'X':
                    break;
                default:
                    format.Append(c);
                    break;
            }
        }

        var net = format.ToString().Trim();
        if (net.Length == 0)
        {
            return false;
        }

        try
        {
            return DateTime.TryParseExact(body, net, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out value);
        }
        catch (FormatException)
        {
            // A devTimeFormat .NET cannot express; fall back to the built-in formats.
            return false;
        }
    }
}
