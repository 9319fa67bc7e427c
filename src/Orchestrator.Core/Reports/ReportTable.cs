using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Orchestrator.Core.Reports;

/// <summary>One column of a report: the key JSON uses and the header people read.</summary>
public sealed record ReportColumn(string Key, string Header);

/// <summary>
/// A report as rows of text under named columns, with a title and a line that sums it up; rendered
/// the same way for the terminal, a spreadsheet, a script and an email (<see cref="ReportFormats"/>).
/// </summary>
public sealed record ReportTable(string Title, string Summary, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<string[]> Rows);

/// <summary>The formats a report is written in: aligned text, CSV (RFC 4180), JSON and HTML.</summary>
public static class ReportFormats
{
    public const string Table = "table";
    public const string Csv = "csv";
    public const string Json = "json";
    public const string Html = "html";

    public static IReadOnlyList<string> All { get; } = [Table, Csv, Json, Html];

    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The report in <paramref name="format"/> (one of <see cref="All"/>).</summary>
    public static string Render(ReportTable report, string format)
    {
        ArgumentNullException.ThrowIfNull(report);
        return format switch
        {
            Table => ToText(report),
            Csv => ToCsv(report),
            Json => ToJson(report),
            Html => ToHtml(report),
            _ => throw new ArgumentException($"'{format}' is not a report format ({string.Join(", ", All)})", nameof(format)),
        };
    }

    /// <summary>For email: the summary as subject, the text table as body, the HTML beside it.</summary>
    public static RenderedReport ToEmail(ReportTable report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new RenderedReport($"{report.Title}: {report.Summary}", ToText(report), ToHtml(report));
    }

    /// <summary>Cells padded to their column's width, two spaces apart; the title and summary first.</summary>
    public static string ToText(ReportTable report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(report.Title).Append('\n').Append(report.Summary).Append("\n\n");
        if (report.Rows.Count == 0)
        {
            return text.Append("(nothing)\n").ToString();
        }

        var headers = report.Columns.Select(c => c.Header).ToArray();
        var widths = headers.Select((h, i) => Math.Max(h.Length, report.Rows.Max(r => r[i].Length))).ToArray();
        AppendLine(text, headers, widths);
        foreach (var row in report.Rows)
        {
            AppendLine(text, row, widths);
        }

        return text.ToString();
    }

    private static void AppendLine(StringBuilder text, string[] cells, int[] widths) =>
        text.Append(string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()).Append('\n');

    // RFC 4180: a field with a comma, quote or line break is quoted and its quotes doubled; lines end in CRLF.
    private static string ToCsv(ReportTable report)
    {
        var csv = new StringBuilder();
        csv.Append(string.Join(',', report.Columns.Select(c => CsvField(c.Key)))).Append("\r\n");
        foreach (var row in report.Rows)
        {
            csv.Append(string.Join(',', row.Select(CsvField))).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string ToJson(ReportTable report)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("title", report.Title);
            writer.WriteString("summary", report.Summary);
            writer.WriteStartArray("rows");
            foreach (var row in report.Rows)
            {
                writer.WriteStartObject();
                for (var i = 0; i < report.Columns.Count; i++)
                {
                    writer.WriteString(report.Columns[i].Key, row[i]);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static string ToHtml(ReportTable report)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<html><body><h2>{WebUtility.HtmlEncode(report.Title)}</h2><p>{WebUtility.HtmlEncode(report.Summary)}</p>");
        if (report.Rows.Count == 0)
        {
            return html.Append("<p>Nothing to report.</p></body></html>\n").ToString();
        }

        html.Append("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr>");
        foreach (var column in report.Columns)
        {
            html.Append("<th>").Append(WebUtility.HtmlEncode(column.Header)).Append("</th>");
        }

        html.Append("</tr>");
        foreach (var row in report.Rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</table></body></html>\n").ToString();
    }
}
