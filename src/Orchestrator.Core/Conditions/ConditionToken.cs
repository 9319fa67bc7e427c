namespace Orchestrator.Core.Conditions;

/// <summary>The kinds of token in a condition's source text.</summary>
internal enum TokenKind
{
    End,
    Name,
    String,
    Number,
    Address,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>One token: its kind, where it is in the source, and (for strings) its unescaped text.</summary>
internal readonly record struct ConditionToken(TokenKind Kind, int Offset, int Length, string Text)
{
    /// <summary>True when this is the bare word <paramref name="keyword"/> (keywords are lower case).</summary>
    public bool Is(string keyword) => Kind == TokenKind.Name && string.Equals(Text, keyword, StringComparison.Ordinal);
}
