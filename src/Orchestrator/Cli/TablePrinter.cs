namespace Orchestrator.Cli;

/// <summary>Prints rows as aligned columns for a terminal.</summary>
public static class TablePrinter
{
    private const int MaxColumnWidth = 60;

    public static void Print(string[] headers, IReadOnlyList<string[]> rows) => Print(Console.Out, headers, rows);

    public static void Print(TextWriter output, string[] headers, IReadOnlyList<string[]> rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var widths = headers.Select((h, i) => Math.Min(MaxColumnWidth, Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))).ToArray();
        output.WriteLine(Format(headers, widths));
        foreach (var row in rows)
        {
            output.WriteLine(Format(row, widths));
        }
    }

    private static string Format(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => (c.Length > widths[i] ? c[..(widths[i] - 1)] + "…" : c).PadRight(widths[i]))).TrimEnd();
}
