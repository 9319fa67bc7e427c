namespace Orchestrator.Core.Parsing;

/// <summary>The format names accepted by <c>--format</c>, source configuration and <c>?format=</c>.</summary>
public static class EventFormats
{
    public const string Auto = "auto";
    public const string Sep = "sep";
    public const string SepCsv = "sep-csv";
    public const string Epo = "epo";
    public const string Cef = "cef";
    public const string Leef = "leef";
    public const string Sysmon = "sysmon";
    public const string Zeek = "zeek";
    public const string Json = "json";

    public static IReadOnlyList<string> All { get; } = [Auto, Sep, SepCsv, Epo, Cef, Leef, Sysmon, Zeek, Json];

    /// <summary>True when <paramref name="format"/> is a known name (case-sensitive, as written in config).</summary>
    public static bool IsKnown(string format) => All.Contains(format, StringComparer.Ordinal);
}
