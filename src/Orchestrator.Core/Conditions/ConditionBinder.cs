using Orchestrator.Core.Configuration;
using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Conditions;

/// <summary>Resolves names, type-checks and turns a syntax tree into predicates; every error carries the span it is about.</summary>
internal sealed class ConditionBinder(ConditionEnvironment environment)
{
    private const string EventPrefix = "event.";
    private const string LabelsPrefix = "event.labels.";
    private const string ListsPrefix = "lists.";
    private const string StepsPrefix = "steps.";

    private static readonly string[] KnownEventNames = [.. EcsFields.All.Select(f => EventPrefix + f.Path)];

    public List<TextMatches> Regexes { get; } = [];

    public Predicate BindCondition(ConditionSyntax syntax)
    {
        var predicate = syntax switch
        {
            LogicalSyntax logical when logical.IsAnd => new AndPredicate(BindCondition(logical.Left), BindCondition(logical.Right)),
            LogicalSyntax logical => new OrPredicate(BindCondition(logical.Left), BindCondition(logical.Right)),
            NotSyntax not => new NotPredicate(BindCondition(not.Operand)),
            ComparisonSyntax comparison => BindComparison(comparison),
            DefinedSyntax defined => new DefinedPredicate(BindName(defined.Name), !defined.Negated),
            LiteralSyntax { Kind: LiteralKind.Boolean } literal => new ConstantPredicate(literal.Boolean),
            NameSyntax name => BindBareName(name),
            _ => throw Error(syntax, "a value alone is not a condition; compare it, e.g. event.source.ip != null"),
        };
        predicate.Offset = syntax.Offset;
        predicate.Length = syntax.Length;
        return predicate;
    }

    private BoolValue BindBareName(NameSyntax name)
    {
        var operand = BindName(name);
        if (operand is StepOutput step)
        {
            return new BoolValue(new StepAsBool(step));
        }

        throw Error(name, $"{name.Path} is {Describe(TypeOf(operand))}, not a condition; test it, e.g. {name.Path} != null");
    }

    private Predicate BindComparison(ComparisonSyntax comparison)
    {
        var op = comparison.Operator;
        if (op is ComparisonOperator.In or ComparisonOperator.NotIn)
        {
            return BindIn(comparison);
        }

        if (comparison.Left is ListSyntax || comparison.Right is ListSyntax)
        {
            var list = comparison.Left as ListSyntax ?? (ListSyntax)comparison.Right;
            throw Error(list, "a list can only be on the right of 'in', e.g. event.host.name in [\"WS-1\", \"WS-2\"]");
        }

        if (comparison.Left is LiteralSyntax { Kind: LiteralKind.Null } || comparison.Right is LiteralSyntax { Kind: LiteralKind.Null })
        {
            return BindNullTest(comparison);
        }

        if (comparison.Left is LiteralSyntax && comparison.Right is LiteralSyntax)
        {
            throw Error(comparison, "both sides are values; compare a name with a value, e.g. event.source.port == 445");
        }

        var left = comparison.Left is NameSyntax leftName ? BindName(leftName) : null;
        var right = comparison.Right is NameSyntax rightName ? BindName(rightName) : null;
        var type = ComparedType(comparison, left, right);
        CheckOperator(comparison, type, left ?? right!);
        if (op == ComparisonOperator.Matches)
        {
            return BindMatches(comparison, left);
        }

        var a = Typed(left, comparison.Left, type, right);
        var b = Typed(right, comparison.Right, type, left);
        return type switch
        {
            ValueType.Text => new TextComparison((TextOperand)a, (TextOperand)b, op),
            ValueType.Number => new NumberComparison((NumberOperand)a, (NumberOperand)b, op),
            ValueType.Ip => new IpComparison((IpOperand)a, (IpOperand)b, op == ComparisonOperator.Equal),
            ValueType.Mac => new MacComparison((MacOperand)a, (MacOperand)b, op == ComparisonOperator.Equal),
            ValueType.Timestamp => new TimeComparison((TimeOperand)a, (TimeOperand)b, op),
            _ => new BoolComparison((BoolOperand)a, (BoolOperand)b, op == ComparisonOperator.Equal),
        };
    }

    private DefinedPredicate BindNullTest(ComparisonSyntax comparison)
    {
        if (comparison.Operator is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual))
        {
            throw Error(comparison.OperatorOffset, comparison.OperatorLength, "only == and != compare with null");
        }

        var other = comparison.Left is LiteralSyntax { Kind: LiteralKind.Null } ? comparison.Right : comparison.Left;
        if (other is not NameSyntax name)
        {
            throw Error(other, "compare a name with null, e.g. event.source.ip != null");
        }

        return new DefinedPredicate(BindName(name), comparison.Operator == ComparisonOperator.NotEqual);
    }

    // The type both sides are compared as: the name's type, or for a step output the other side's.
    private static ValueType ComparedType(ComparisonSyntax comparison, Operand? left, Operand? right)
    {
        if (left is not null && right is not null)
        {
            var (a, b) = (TypeOf(left), TypeOf(right));
            if (a == ValueType.Dynamic && b == ValueType.Dynamic)
            {
                throw Error(comparison, "two step outputs cannot be compared with each other; compare each with a value");
            }

            if (a != b && a != ValueType.Dynamic && b != ValueType.Dynamic)
            {
                throw Error(comparison, $"{left.Name} is {Describe(a)} and {right.Name} is {Describe(b)}; they cannot be compared");
            }

            return a == ValueType.Dynamic ? b : a;
        }

        var named = left ?? right!;
        var type = TypeOf(named);
        if (type != ValueType.Dynamic)
        {
            return type;
        }

        var literal = (LiteralSyntax)(left is null ? comparison.Left : comparison.Right);
        return literal.Kind switch
        {
            LiteralKind.Number => comparison.Operator is ComparisonOperator.Contains or ComparisonOperator.StartsWith or ComparisonOperator.EndsWith
                ? ValueType.Text
                : ValueType.Number,
            LiteralKind.Boolean => ValueType.Bool,
            _ => ValueType.Text,
        };
    }

    private static void CheckOperator(ComparisonSyntax comparison, ValueType type, Operand named)
    {
        var op = comparison.Operator;
        var what = $"{named.Name} is {Describe(type)}";
        var written = OperatorText(op);
        switch (op)
        {
            case ComparisonOperator.Less or ComparisonOperator.LessOrEqual or ComparisonOperator.Greater or ComparisonOperator.GreaterOrEqual
                when type is not (ValueType.Number or ValueType.Timestamp):
                throw Error(comparison.OperatorOffset, comparison.OperatorLength, $"'{written}' compares numbers and timestamps, but {what}");
            case ComparisonOperator.Contains or ComparisonOperator.StartsWith or ComparisonOperator.EndsWith or ComparisonOperator.Matches
                when type != ValueType.Text:
                var hint = type == ValueType.Ip ? $"; to match a network write {named.Name} in [10.0.0.0/8]" : "";
                throw Error(comparison.OperatorOffset, comparison.OperatorLength, $"'{written}' works on text, but {what}{hint}");
        }
    }

    private TextMatches BindMatches(ComparisonSyntax comparison, Operand? left)
    {
        if (left is null)
        {
            throw Error(comparison.Left, "the left of 'matches' is a name, e.g. event.rule.name matches \"^W32\\.\"");
        }

        if (comparison.Right is not LiteralSyntax { Kind: LiteralKind.String } pattern)
        {
            throw Error(comparison.Right, "the right of 'matches' is a regular expression in quotes, e.g. \"(?i)^W32\\.\"");
        }

        Regex regex;
        try
        {
            // Case-sensitive unless the pattern says (?i); culture-invariant like every other comparison here.
            regex = new Regex(pattern.Text, RegexOptions.CultureInvariant | RegexOptions.Compiled, environment.RegexTimeout);
        }
        catch (ArgumentException e)
        {
            throw Error(pattern, $"bad regular expression: {e.Message}");
        }

        var predicate = new TextMatches(AsText(left), regex);
        Regexes.Add(predicate);
        return predicate;
    }

    private Predicate BindIn(ComparisonSyntax comparison)
    {
        var negated = comparison.Operator == ComparisonOperator.NotIn;
        if (comparison.Left is not NameSyntax leftName)
        {
            throw Error(comparison.Left, "the left of 'in' is a name, e.g. event.source.ip in lists.protected_networks");
        }

        var operand = BindName(leftName);
        var type = TypeOf(operand);
        if (type is ValueType.Timestamp or ValueType.Bool)
        {
            throw Error(comparison.OperatorOffset, comparison.OperatorLength, $"'in' does not work on {Describe(type)} ({operand.Name})");
        }

        var list = comparison.Right switch
        {
            ListSyntax literal => LiteralList(literal, type, operand),
            NameSyntax name when name.Path.StartsWith(ListsPrefix, StringComparison.Ordinal) => NamedListOf(name),
            _ => throw Error(comparison.Right, "the right of 'in' is a list: [\"a\", \"b\"] or lists.NAME"),
        };

        return operand switch
        {
            StepOutput step => new StepInList(step, list, negated),
            TextOperand text => new TextInList(text, list, negated),
            NumberOperand number => new NumberInList(number, list, negated),
            IpOperand ip => new IpInList(ip, list, negated),
            MacOperand mac => new MacInList(mac, list, negated),
            _ => throw Error(comparison, $"'in' does not work on {Describe(type)}"),
        };
    }

    private NamedList NamedListOf(NameSyntax name)
    {
        var listName = name.Path[ListsPrefix.Length..];
        if (environment.Lists.TryGetValue(listName, out var list))
        {
            return list;
        }

        var known = environment.Lists.Keys.Order(StringComparer.Ordinal).ToList();
        var message = $"unknown list '{name.Path}'{Suggestions.DidYouMean(name.Path, known.Select(k => ListsPrefix + k))}";
        message += known.Count == 0
            ? "; the inventory defines no lists"
            : $"; the inventory defines: {string.Join(", ", known.Select(k => ListsPrefix + k))}";
        throw Error(name, message);
    }

    // Checks each item against the type of the name on the left, so a bad address is a compile error.
    private static NamedList LiteralList(ListSyntax list, ValueType type, Operand operand)
    {
        var entries = new List<string>(list.Items.Count);
        foreach (var item in list.Items)
        {
            switch (type)
            {
                case ValueType.Ip:
                    if (item.Kind is not (LiteralKind.String or LiteralKind.Address))
                    {
                        throw Error(item, $"{operand.Name} is an IP address; list addresses or networks, e.g. [10.0.0.0/8, \"fe80::/10\"]");
                    }

                    if (!NetworkSet.TryParseNetwork(item.Text, out _, out _, out var error))
                    {
                        throw Error(item, error ?? $"'{item.Text}' is not an IP address or CIDR network");
                    }

                    break;
                case ValueType.Number when item.Kind != LiteralKind.Number:
                    throw Error(item, $"{operand.Name} is a number, but {ShowLiteral(item)} is not; write numbers without quotes");
                case ValueType.Mac when item.Kind != LiteralKind.String || !MacAddress.TryParse(item.Text, out _):
                    throw Error(item, $"{ShowLiteral(item)} is not a MAC address; write e.g. \"00:1a:2b:3c:4d:5e\"");
                case ValueType.Text when item.Kind == LiteralKind.Boolean:
                    throw Error(item, $"{operand.Name} is text; quote the value: \"{item.Text}\"");
            }

            entries.Add(item.Text);
        }

        return NamedList.Parse("[literal]", entries);
    }

    private Operand BindName(NameSyntax name)
    {
        var path = name.Path;
        if (path.StartsWith(LabelsPrefix, StringComparison.Ordinal))
        {
            return new LabelOperand(Text(name), name.LabelKey ?? path[LabelsPrefix.Length..]);
        }

        if (path == "event.labels")
        {
            throw Error(name, "name a label: event.labels.KEY, or event.labels[\"Group Name\"] when the key has spaces");
        }

        if (path.StartsWith(EventPrefix, StringComparison.Ordinal))
        {
            if (!EcsFields.TryGet(path[EventPrefix.Length..], out var field))
            {
                // ECS has its own event.* fields: event.code is written event.event.code here.
                var hint = EcsFields.TryGet(path, out _)
                    ? $" (did you mean 'event.{path}'?)"
                    : Suggestions.DidYouMean(path, KnownEventNames);
                throw Error(name, $"unknown field '{path}'{hint}");
            }

            return field.Type switch
            {
                EcsFieldType.Text => new TextField(path, field),
                EcsFieldType.Number => new NumberField(path, field),
                EcsFieldType.Ip => new IpField(path, field),
                EcsFieldType.Mac => new MacField(path, field),
                _ => new TimeField(path, field),
            };
        }

        if (path.StartsWith(ListsPrefix, StringComparison.Ordinal))
        {
            throw Error(name, $"a list is only used on the right of 'in', e.g. event.source.ip in {path}");
        }

        if (path is "window.count" or "window.distinct")
        {
            return environment.AllowWindow
                ? new WindowOperand(path, path == "window.distinct")
                : throw Error(name, $"{path} exists only after a threshold and in a step's if:");
        }

        if (path.StartsWith("window.", StringComparison.Ordinal))
        {
            throw Error(name, $"unknown name '{path}'{Suggestions.DidYouMean(path, ["window.count", "window.distinct"])}; a window has count and distinct");
        }

        if (path.StartsWith(StepsPrefix, StringComparison.Ordinal))
        {
            return BindStep(name);
        }

        if (EcsFields.TryGet(path, out _))
        {
            throw Error(name, $"unknown name '{path}' (did you mean 'event.{path}'?)");
        }

        var suggestion = Suggestions.DidYouMean(path, KnownEventNames.Concat(["window.count", "window.distinct"]));
        throw Error(name, $"unknown name '{path}'{suggestion}; names start with event., lists., window. or steps.");
    }

    private StepOutput BindStep(NameSyntax name)
    {
        if (!environment.AllowSteps)
        {
            throw Error(name, $"{name.Path} exists only in a step's if:, where earlier steps have run");
        }

        var rest = name.Path[StepsPrefix.Length..];
        string? stepId = null;
        if (environment.KnownStepIds is { } known)
        {
            // Step ids may hold dots (firewall.block): take the longest known id the path starts with.
            stepId = known.Where(id => rest.StartsWith(id + ".", StringComparison.Ordinal)).MaxBy(id => id.Length);
            if (stepId is null)
            {
                var written = rest.Split('.')[0];
                var hint = Suggestions.DidYouMean(written, known);
                var list = known.Count == 0 ? "no earlier steps" : "earlier steps: " + string.Join(", ", known);
                throw Error(name, $"unknown step '{written}'{hint}; {list}");
            }
        }
        else
        {
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            stepId = dot > 0 ? rest[..dot] : null;
        }

        if (stepId is null || rest.Length <= stepId.Length + 1)
        {
            throw Error(name, $"name a step's output: steps.STEP.OUTPUT, e.g. steps.locate.confidence");
        }

        return new StepOutput(name.Path, stepId, rest[(stepId.Length + 1)..]);
    }

    // The operand for one side of a comparison: the name as bound (adapted if a step output), or the literal read as that type.
    private static Operand Typed(Operand? bound, ConditionSyntax syntax, ValueType type, Operand? other)
    {
        if (bound is StepOutput step)
        {
            return type switch
            {
                ValueType.Text => new StepAsText(step),
                ValueType.Number => new StepAsNumber(step),
                ValueType.Bool => new StepAsBool(step),
                ValueType.Ip => new StepAsIp(step),
                _ => throw Error(syntax, $"a step output cannot be compared with {Describe(type)}"),
            };
        }

        if (bound is not null)
        {
            return bound;
        }

        var literal = (LiteralSyntax)syntax;
        var about = other is null || other is StepOutput ? "" : $"{other.Name} is {Describe(type)}, but ";
        switch (type)
        {
            case ValueType.Text when literal.Kind != LiteralKind.Boolean:
                // A number or unquoted address against text is read as the text written (event.code == 4688).
                return new TextConstant(literal.Text, literal.Text);
            case ValueType.Number when literal.Kind == LiteralKind.Number:
                return new NumberConstant(literal.Text, (double)literal.Number);
            case ValueType.Number:
                var unquote = literal.Kind == LiteralKind.String && decimal.TryParse(literal.Text, NumberStyles.Number, CultureInfo.InvariantCulture, out _)
                    ? $"; write {literal.Text} without quotes"
                    : "; write a number, e.g. 445";
                throw Error(literal, $"{about}{ShowLiteral(literal)} is not a number{unquote}");
            case ValueType.Ip when literal.Kind is LiteralKind.String or LiteralKind.Address:
                if (literal.Text.Contains('/', StringComparison.Ordinal) && other is not null)
                {
                    throw Error(literal, $"'{literal.Text}' is a network; to match it write {other.Name} in [{literal.Text}]");
                }

                return NetworkSet.TryParseAddress(literal.Text, out var address)
                    ? new IpConstant(literal.Text, address)
                    : throw Error(literal, $"{about}'{literal.Text}' is not an IP address; write e.g. 10.1.2.3 or \"fe80::1\"");
            case ValueType.Mac when literal.Kind == LiteralKind.String && MacAddress.TryParse(literal.Text, out var mac):
                return new MacConstant(literal.Text, mac.Value);
            case ValueType.Mac:
                throw Error(literal, $"{about}{ShowLiteral(literal)} is not a MAC address; write e.g. \"00:1a:2b:3c:4d:5e\"");
            case ValueType.Timestamp when literal.Kind == LiteralKind.String
                                          && DateTimeOffset.TryParse(literal.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time):
                return new TimeConstant(literal.Text, time);
            case ValueType.Timestamp:
                throw Error(literal, $"{about}{ShowLiteral(literal)} is not a timestamp; write e.g. \"2026-11-23T12:00:00Z\"");
            case ValueType.Bool when literal.Kind == LiteralKind.Boolean:
                return new BoolConstant(literal.Text, literal.Boolean);
            default:
                throw Error(literal, $"{about}{ShowLiteral(literal)} is not {Describe(type)}");
        }
    }

    private static TextOperand AsText(Operand operand) => operand switch
    {
        TextOperand text => text,
        StepOutput step => new StepAsText(step),
        _ => throw new InvalidOperationException("checked by CheckOperator"),
    };

    private static ValueType TypeOf(Operand operand) => operand switch
    {
        TextOperand => ValueType.Text,
        NumberOperand => ValueType.Number,
        IpOperand => ValueType.Ip,
        MacOperand => ValueType.Mac,
        TimeOperand => ValueType.Timestamp,
        BoolOperand => ValueType.Bool,
        _ => ValueType.Dynamic,
    };

    private static string Describe(ValueType type) => type switch
    {
        ValueType.Text => "text",
        ValueType.Number => "a number",
        ValueType.Ip => "an IP address",
        ValueType.Mac => "a MAC address",
        ValueType.Timestamp => "a timestamp",
        ValueType.Bool => "true or false",
        _ => "a step output",
    };

    private static string ShowLiteral(LiteralSyntax literal) => literal.Kind == LiteralKind.String ? $"\"{literal.Text}\"" : literal.Text;

    private static string OperatorText(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "==",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        ComparisonOperator.In => "in",
        ComparisonOperator.NotIn => "not in",
        ComparisonOperator.Contains => "contains",
        ComparisonOperator.StartsWith => "startswith",
        ComparisonOperator.EndsWith => "endswith",
        _ => "matches",
    };

    private static string Text(NameSyntax name) => name.LabelKey is null ? name.Path : $"event.labels[\"{name.LabelKey}\"]";

    private static ConditionException Error(ConditionSyntax syntax, string message) => new(message, syntax.Offset, syntax.Length);

    private static ConditionException Error(int offset, int length, string message) => new(message, offset, length);
}
