using System.Globalization;

namespace Orchestrator.Core.Conditions;

/// <summary>
/// Parses tokens into a syntax tree. Binding, from loosest: <c>or</c>, <c>and</c>, <c>not</c>, then one
/// comparison. <c>not</c> negates the comparison after it (<c>not a == b</c> is <c>not (a == b)</c>): a
/// condition can only negate a condition, never a value.
/// </summary>
internal sealed class ConditionParser
{
    private static readonly HashSet<string> Keywords =
        new(["and", "or", "not", "in", "contains", "startswith", "endswith", "matches", "is", "defined", "true", "false", "null"], StringComparer.Ordinal);

    private readonly string _source;
    private readonly List<ConditionToken> _tokens;
    private int _at;

    private ConditionParser(string source)
    {
        _source = source;
        _tokens = ConditionLexer.Tokenize(source);
    }

    public static ConditionSyntax Parse(string source)
    {
        var parser = new ConditionParser(source);
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw new ConditionException("the condition is empty", 0, source.Length);
        }

        var root = parser.ParseOr();
        var rest = parser.Peek;
        if (rest.Kind != TokenKind.End)
        {
            if (rest.Kind == TokenKind.Name && Keywords.Contains(rest.Text.ToLowerInvariant()) && !Keywords.Contains(rest.Text))
            {
                throw new ConditionException($"keywords are lower case: write '{rest.Text.ToLowerInvariant()}'", rest.Offset, rest.Length);
            }

            throw rest.Kind == TokenKind.RightParen
                ? new ConditionException("this ')' has no matching '('", rest.Offset, rest.Length)
                : new ConditionException($"expected 'and', 'or' or the end of the condition, found {parser.Describe(rest)}", rest.Offset, rest.Length);
        }

        return root;
    }

    private ConditionToken Peek => _tokens[_at];

    private ConditionToken PeekAt(int ahead) => _tokens[Math.Min(_at + ahead, _tokens.Count - 1)];

    private ConditionToken Take() => _tokens[_at++];

    private ConditionSyntax ParseOr()
    {
        var left = ParseAnd();
        while (Peek.Is("or"))
        {
            Take();
            var right = ParseAnd();
            left = new LogicalSyntax(left.Offset, End(right) - left.Offset, false, left, right);
        }

        return left;
    }

    private ConditionSyntax ParseAnd()
    {
        var left = ParseNot();
        while (Peek.Is("and"))
        {
            Take();
            var right = ParseNot();
            left = new LogicalSyntax(left.Offset, End(right) - left.Offset, true, left, right);
        }

        return left;
    }

    private ConditionSyntax ParseNot()
    {
        if (Peek.Is("not"))
        {
            var not = Take();
            var operand = ParseNot();
            return new NotSyntax(not.Offset, End(operand) - not.Offset, operand);
        }

        return ParseComparison();
    }

    private ConditionSyntax ParseComparison()
    {
        var left = ParsePrimary();
        var token = Peek;
        if (token.Is("is"))
        {
            Take();
            var negated = false;
            if (Peek.Is("not"))
            {
                Take();
                negated = true;
            }

            var defined = Take();
            if (!defined.Is("defined"))
            {
                throw new ConditionException($"expected 'defined' after 'is{(negated ? " not" : "")}', found {Describe(defined)}", defined.Offset, defined.Length);
            }

            if (left is not NameSyntax name)
            {
                throw new ConditionException("'is defined' tests a name, such as event.source.ip", left.Offset, left.Length);
            }

            return new DefinedSyntax(left.Offset, defined.Offset + defined.Length - left.Offset, name, negated);
        }

        var op = OperatorOf(token, out var operatorLength);
        if (op is null)
        {
            return left;
        }

        for (var i = 0; i < operatorLength; i++)
        {
            Take();
        }

        var opLength = PeekAt(-1).Offset + PeekAt(-1).Length - token.Offset;
        var right = ParsePrimary();
        var comparison = new ComparisonSyntax(left.Offset, End(right) - left.Offset, op.Value, token.Offset, opLength, left, right);
        if (OperatorOf(Peek, out _) is not null || Peek.Is("is"))
        {
            throw new ConditionException(
                "comparisons do not chain; join them with 'and', e.g. a < b and b < c",
                Peek.Offset,
                Peek.Length);
        }

        return comparison;
    }

    private ComparisonOperator? OperatorOf(ConditionToken token, out int tokenCount)
    {
        tokenCount = 1;
        switch (token.Kind)
        {
            case TokenKind.Equal: return ComparisonOperator.Equal;
            case TokenKind.NotEqual: return ComparisonOperator.NotEqual;
            case TokenKind.Less: return ComparisonOperator.Less;
            case TokenKind.LessOrEqual: return ComparisonOperator.LessOrEqual;
            case TokenKind.Greater: return ComparisonOperator.Greater;
            case TokenKind.GreaterOrEqual: return ComparisonOperator.GreaterOrEqual;
            case TokenKind.Name:
                break;
            default:
                return null;
        }

        switch (token.Text)
        {
            case "in": return ComparisonOperator.In;
            case "contains": return ComparisonOperator.Contains;
            case "startswith": return ComparisonOperator.StartsWith;
            case "endswith": return ComparisonOperator.EndsWith;
            case "matches": return ComparisonOperator.Matches;
            case "not" when PeekAt(1).Is("in"):
                tokenCount = 2;
                return ComparisonOperator.NotIn;
            default:
                return null;
        }
    }

    private ConditionSyntax ParsePrimary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.LeftParen:
            {
                var inner = ParseOr();
                var close = Take();
                if (close.Kind != TokenKind.RightParen)
                {
                    throw new ConditionException($"expected ')' to close the '(' at offset {token.Offset}, found {Describe(close)}", close.Offset, close.Length);
                }

                return inner;
            }

            case TokenKind.LeftBracket:
                return ParseList(token);
            case TokenKind.String or TokenKind.Number or TokenKind.Address:
                return Literal(token);
            case TokenKind.Name when token.Is("true") || token.Is("false") || token.Is("null"):
                return Literal(token);
            case TokenKind.Name when Keywords.Contains(token.Text):
                throw new ConditionException($"expected a name or a value, found the keyword '{token.Text}'", token.Offset, token.Length);
            case TokenKind.Name:
                return ParseName(token);
            case TokenKind.End:
                throw new ConditionException("the condition ends too early; expected a name or a value", token.Offset, 0);
            default:
                throw new ConditionException($"expected a name or a value, found {Describe(token)}", token.Offset, token.Length);
        }
    }

    private NameSyntax ParseName(ConditionToken token)
    {
        if (Keywords.Contains(token.Text.ToLowerInvariant()))
        {
            throw new ConditionException($"keywords are lower case: write '{token.Text.ToLowerInvariant()}'", token.Offset, token.Length);
        }

        if (Peek.Kind != TokenKind.LeftBracket || !string.Equals(token.Text, "event.labels", StringComparison.Ordinal))
        {
            return new NameSyntax(token.Offset, token.Length, token.Text);
        }

        Take();
        var key = Take();
        if (key.Kind != TokenKind.String)
        {
            throw new ConditionException("a label is named in quotes: event.labels[\"Group Name\"]", key.Offset, key.Length);
        }

        var close = Take();
        if (close.Kind != TokenKind.RightBracket)
        {
            throw new ConditionException($"expected ']' after the label name, found {Describe(close)}", close.Offset, close.Length);
        }

        return new NameSyntax(token.Offset, close.Offset + 1 - token.Offset, "event.labels." + key.Text, key.Text);
    }

    private ListSyntax ParseList(ConditionToken open)
    {
        var items = new List<LiteralSyntax>();
        if (Peek.Kind == TokenKind.RightBracket)
        {
            var empty = Take();
            return new ListSyntax(open.Offset, empty.Offset + 1 - open.Offset, items);
        }

        while (true)
        {
            var item = ParsePrimary();
            if (item is not LiteralSyntax literal || literal.Kind == LiteralKind.Null)
            {
                throw new ConditionException("a list holds values (strings, numbers, addresses), not names or null", item.Offset, item.Length);
            }

            items.Add(literal);
            var next = Take();
            if (next.Kind == TokenKind.RightBracket)
            {
                return new ListSyntax(open.Offset, next.Offset + 1 - open.Offset, items);
            }

            if (next.Kind != TokenKind.Comma)
            {
                throw new ConditionException($"expected ',' or ']' in the list, found {Describe(next)}", next.Offset, next.Length);
            }
        }
    }

    private static LiteralSyntax Literal(ConditionToken token)
    {
        switch (token.Kind)
        {
            case TokenKind.String:
                return new LiteralSyntax(token.Offset, token.Length, LiteralKind.String, token.Text);
            case TokenKind.Address:
                return new LiteralSyntax(token.Offset, token.Length, LiteralKind.Address, token.Text);
            case TokenKind.Number:
                if (!decimal.TryParse(token.Text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                {
                    throw new ConditionException($"'{token.Text}' is not a number this language can hold", token.Offset, token.Length);
                }

                return new LiteralSyntax(token.Offset, token.Length, LiteralKind.Number, token.Text, number);
            default:
                return token.Is("null")
                    ? new LiteralSyntax(token.Offset, token.Length, LiteralKind.Null, "null")
                    : new LiteralSyntax(token.Offset, token.Length, LiteralKind.Boolean, token.Text, Boolean: token.Is("true"));
        }
    }

    private static int End(ConditionSyntax node) => node.Offset + node.Length;

    private string Describe(ConditionToken token) =>
        token.Kind == TokenKind.End ? "the end of the condition" : $"'{_source.Substring(token.Offset, token.Length)}'";
}
