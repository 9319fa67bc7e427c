namespace Orchestrator.Core.Conditions;

/// <summary>Splits a condition's source text into tokens, reporting the offset of anything it cannot read.</summary>
internal static class ConditionLexer
{
    public static List<ConditionToken> Tokenize(string source)
    {
        var tokens = new List<ConditionToken>();
        var i = 0;
        while (true)
        {
            while (i < source.Length && char.IsWhiteSpace(source[i]))
            {
                i++;
            }

            if (i >= source.Length)
            {
                tokens.Add(new ConditionToken(TokenKind.End, source.Length, 0, ""));
                return tokens;
            }

            var start = i;
            var c = source[i];
            switch (c)
            {
                case '(':
                    tokens.Add(Punct(TokenKind.LeftParen, ref i, 1));
                    continue;
                case ')':
                    tokens.Add(Punct(TokenKind.RightParen, ref i, 1));
                    continue;
                case '[':
                    tokens.Add(Punct(TokenKind.LeftBracket, ref i, 1));
                    continue;
                case ']':
                    tokens.Add(Punct(TokenKind.RightBracket, ref i, 1));
                    continue;
                case ',':
                    tokens.Add(Punct(TokenKind.Comma, ref i, 1));
                    continue;
                case '=' when Next(source, i) == '=':
                    tokens.Add(Punct(TokenKind.Equal, ref i, 2));
                    continue;
                case '=':
                    throw new ConditionException("'=' is not an operator here; compare with '=='", i, 1);
                case '!' when Next(source, i) == '=':
                    tokens.Add(Punct(TokenKind.NotEqual, ref i, 2));
                    continue;
                case '!':
                    throw new ConditionException("'!' is not an operator here; negate with 'not' or compare with '!='", i, 1);
                case '<' when Next(source, i) == '=':
                    tokens.Add(Punct(TokenKind.LessOrEqual, ref i, 2));
                    continue;
                case '<':
                    tokens.Add(Punct(TokenKind.Less, ref i, 1));
                    continue;
                case '>' when Next(source, i) == '=':
                    tokens.Add(Punct(TokenKind.GreaterOrEqual, ref i, 2));
                    continue;
                case '>':
                    tokens.Add(Punct(TokenKind.Greater, ref i, 1));
                    continue;
                case '&' or '|':
                    throw new ConditionException($"'{c}' is not an operator here; write '{(c == '&' ? "and" : "or")}'", i, Next(source, i) == c ? 2 : 1);
                case '"' or '\'':
                    tokens.Add(ReadString(source, ref i));
                    continue;
            }

            if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(Next(source, i))))
            {
                tokens.Add(ReadNumberOrAddress(source, ref i));
                continue;
            }

            if (IsNameStart(c))
            {
                while (i < source.Length && IsNamePart(source[i]))
                {
                    i++;
                }

                if (source[i - 1] == '.')
                {
                    throw new ConditionException($"'{source[start..i]}' ends with '.'; a name is written like event.source.ip", start, i - start);
                }

                tokens.Add(new ConditionToken(TokenKind.Name, start, i - start, source[start..i]));
                continue;
            }

            throw new ConditionException($"unexpected character '{c}'", i, 1);
        }
    }

    private static ConditionToken Punct(TokenKind kind, ref int i, int length)
    {
        var token = new ConditionToken(kind, i, length, "");
        i += length;
        return token;
    }

    private static char Next(string source, int i) => i + 1 < source.Length ? source[i + 1] : '\0';

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c is '_' or '@';

    // Names are dotted paths; '-' and '@' appear in step ids and in @timestamp.
    private static bool IsNamePart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '@' or '.' or '-';

    // \" \' and \\ are escapes; any other backslash is kept as written, so a regex reads as it would in .NET.
    private static ConditionToken ReadString(string source, ref int i)
    {
        var start = i;
        var quote = source[i++];
        var text = new System.Text.StringBuilder();
        while (i < source.Length)
        {
            var c = source[i];
            if (c == quote)
            {
                i++;
                return new ConditionToken(TokenKind.String, start, i - start, text.ToString());
            }

            if (c == '\\' && i + 1 < source.Length && source[i + 1] is '"' or '\'' or '\\')
            {
                text.Append(source[i + 1]);
                i += 2;
                continue;
            }

            text.Append(c);
            i++;
        }

        throw new ConditionException($"this string has no closing {quote}", start, source.Length - start);
    }

    // 10.0.0.0/8 and 192.168.1.7 are addresses written without quotes; 3, -1 and 0.8 are numbers.
    private static ConditionToken ReadNumberOrAddress(string source, ref int i)
    {
        var start = i;
        if (source[i] == '-')
        {
            i++;
        }

        var dots = 0;
        var slash = false;
        while (i < source.Length && (char.IsAsciiDigit(source[i]) || source[i] == '.' || (source[i] == '/' && !slash)))
        {
            if (source[i] == '.')
            {
                dots++;
            }
            else if (source[i] == '/')
            {
                slash = true;
            }

            i++;
        }

        if (i < source.Length && IsNamePart(source[i]))
        {
            while (i < source.Length && (IsNamePart(source[i]) || source[i] is ':' or '/'))
            {
                i++;
            }

            throw new ConditionException(
                $"'{source[start..i]}' is neither a number nor an IPv4 address; quote text and IPv6 addresses: \"{source[start..i]}\"",
                start,
                i - start);
        }

        var text = source[start..i];
        var kind = dots > 1 || slash ? TokenKind.Address : TokenKind.Number;
        if (kind == TokenKind.Number && (text.EndsWith('.') || text == "-"))
        {
            throw new ConditionException($"'{text}' is not a number", start, i - start);
        }

        return new ConditionToken(kind, start, i - start, text);
    }
}
