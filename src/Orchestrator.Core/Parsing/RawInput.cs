namespace Orchestrator.Core.Parsing;

/// <summary>
/// One line or document to parse, with when it arrived (the reference for timestamps without a
/// year or zone) and, for formats whose lines need a header (Zeek TSV, SEPM CSV), that header.
/// Parsing is a pure function of these three values, so a stored event can be parsed again.
/// </summary>
public readonly record struct RawInput(string Text, DateTimeOffset ReceivedAt, string? Context = null);
