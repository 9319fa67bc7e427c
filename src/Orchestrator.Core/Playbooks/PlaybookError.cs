namespace Orchestrator.Core.Playbooks;

/// <summary>One problem found in a playbook or inventory file, printed as <c>file:line:column: message</c>.</summary>
public sealed record PlaybookError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>A place in a source file: the file as it is shown to the admin, and a 1-based line and column.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
