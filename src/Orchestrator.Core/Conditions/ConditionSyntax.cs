namespace Orchestrator.Core.Conditions;

/// <summary>A node of a parsed condition, with the span of source text it came from.</summary>
internal abstract record ConditionSyntax(int Offset, int Length);

/// <summary>A dotted name (event.source.ip, lists.protected, steps.locate.confidence), or a label written event.labels["Risk name"].</summary>
internal sealed record NameSyntax(int Offset, int Length, string Path, string? LabelKey = null) : ConditionSyntax(Offset, Length);

/// <summary>A string, number, address, true, false or null written in the condition.</summary>
internal sealed record LiteralSyntax(int Offset, int Length, LiteralKind Kind, string Text, decimal Number = 0, bool Boolean = false)
    : ConditionSyntax(Offset, Length);

/// <summary>The kinds of literal value.</summary>
internal enum LiteralKind
{
    String,
    Number,
    Address,
    Boolean,
    Null,
}

/// <summary>A literal list: ["a", "b"] or [10.0.0.0/8, 192.168.0.0/16].</summary>
internal sealed record ListSyntax(int Offset, int Length, IReadOnlyList<LiteralSyntax> Items) : ConditionSyntax(Offset, Length);

/// <summary><c>a and b</c> or <c>a or b</c>.</summary>
internal sealed record LogicalSyntax(int Offset, int Length, bool IsAnd, ConditionSyntax Left, ConditionSyntax Right) : ConditionSyntax(Offset, Length);

/// <summary><c>not a</c>.</summary>
internal sealed record NotSyntax(int Offset, int Length, ConditionSyntax Operand) : ConditionSyntax(Offset, Length);

/// <summary>A comparison <c>left op right</c>; OperatorOffset and OperatorLength locate the operator.</summary>
internal sealed record ComparisonSyntax(
    int Offset,
    int Length,
    ComparisonOperator Operator,
    int OperatorOffset,
    int OperatorLength,
    ConditionSyntax Left,
    ConditionSyntax Right) : ConditionSyntax(Offset, Length);

/// <summary><c>x is defined</c> or <c>x is not defined</c>.</summary>
internal sealed record DefinedSyntax(int Offset, int Length, NameSyntax Name, bool Negated) : ConditionSyntax(Offset, Length);

/// <summary>The comparison operators, as written.</summary>
internal enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    Matches,
}
