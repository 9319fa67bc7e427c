using System.Globalization;

namespace Orchestrator.Core.Configuration;

/// <summary>Parses sizes like <c>512</c>, <c>64KB</c>, <c>100MB</c>, <c>10GB</c> (powers of 1024; KiB/MiB/GiB accepted too).</summary>
public static class ByteSizes
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var digits = 0;
        while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
        {
            digits++;
        }

        if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        long? multiplier = span[digits..].Trim().ToString().ToUpperInvariant() switch
        {
            "" or "B" => 1L,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => null,
        };
        if (multiplier is null)
        {
            return false;
        }

        bytes = (long)(number * multiplier.Value);
        return true;
    }

    public static long Parse(string text) => TryParse(text, out var b)
        ? b
        : throw new FormatException($"'{text}' is not a size (use a number and a unit: 512KB, 100MB, 10GB)");
}
