using System.Net;
using System.Text.RegularExpressions;

namespace Orchestrator.Core.Conditions;

/// <summary>
/// A compiled clause. <see cref="Evaluate"/> is the hot path: every operand was resolved at compile
/// time, and nothing allocates. A comparison with a missing value is false (see ADR 0009).
/// </summary>
internal abstract class Predicate
{
    public int Offset { get; set; }

    public int Length { get; set; }

    public abstract bool Evaluate(in ConditionInput input);

    /// <summary>Evaluates and adds to <paramref name="clauses"/> the clauses that decided the result.</summary>
    public virtual bool Explain(in ConditionInput input, string source, List<ConditionClause> clauses)
    {
        var result = Evaluate(in input);
        clauses.Add(new ConditionClause(source.Substring(Offset, Length), Offset, Length, result, DescribeValues(in input)));
        return result;
    }

    protected virtual string DescribeValues(in ConditionInput input) => "";

    protected static string DescribeOperands(in ConditionInput input, params ReadOnlySpan<Operand> operands)
    {
        var parts = new List<string>();
        foreach (var operand in operands)
        {
            if (!operand.IsConstant)
            {
                parts.Add($"{operand.Name} = {operand.Describe(in input)}");
            }
        }

        return string.Join(", ", parts);
    }

    protected static bool Holds(int comparison, ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => comparison == 0,
        ComparisonOperator.NotEqual => comparison != 0,
        ComparisonOperator.Less => comparison < 0,
        ComparisonOperator.LessOrEqual => comparison <= 0,
        ComparisonOperator.Greater => comparison > 0,
        _ => comparison >= 0,
    };
}

internal sealed class AndPredicate(Predicate left, Predicate right) : Predicate
{
    public override bool Evaluate(in ConditionInput input) => left.Evaluate(in input) && right.Evaluate(in input);

    public override bool Explain(in ConditionInput input, string source, List<ConditionClause> clauses)
    {
        var leftClauses = new List<ConditionClause>();
        if (!left.Explain(in input, source, leftClauses))
        {
            clauses.AddRange(leftClauses);
            return false;
        }

        var rightClauses = new List<ConditionClause>();
        var result = right.Explain(in input, source, rightClauses);
        if (result)
        {
            clauses.AddRange(leftClauses);
        }

        clauses.AddRange(rightClauses);
        return result;
    }
}

internal sealed class OrPredicate(Predicate left, Predicate right) : Predicate
{
    public override bool Evaluate(in ConditionInput input) => left.Evaluate(in input) || right.Evaluate(in input);

    public override bool Explain(in ConditionInput input, string source, List<ConditionClause> clauses)
    {
        var leftClauses = new List<ConditionClause>();
        if (left.Explain(in input, source, leftClauses))
        {
            clauses.AddRange(leftClauses);
            return true;
        }

        var rightClauses = new List<ConditionClause>();
        var result = right.Explain(in input, source, rightClauses);
        if (!result)
        {
            clauses.AddRange(leftClauses);
        }

        clauses.AddRange(rightClauses);
        return result;
    }
}

internal sealed class NotPredicate(Predicate operand) : Predicate
{
    public override bool Evaluate(in ConditionInput input) => !operand.Evaluate(in input);

    public override bool Explain(in ConditionInput input, string source, List<ConditionClause> clauses) =>
        !operand.Explain(in input, source, clauses);
}

internal sealed class ConstantPredicate(bool value) : Predicate
{
    public override bool Evaluate(in ConditionInput input) => value;
}

/// <summary><c>x != null</c> and <c>x is defined</c> (expectDefined), or <c>x == null</c> and <c>x is not defined</c>: null and missing are the same.</summary>
internal sealed class DefinedPredicate(Operand operand, bool expectDefined) : Predicate
{
    public override bool Evaluate(in ConditionInput input) => operand.HasValue(in input) == expectDefined;

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, operand);
}

/// <summary>== != contains startswith endswith on text, ignoring case (ordinal).</summary>
internal sealed class TextComparison(TextOperand left, TextOperand right, ComparisonOperator op) : Predicate
{
    public override bool Evaluate(in ConditionInput input)
    {
        if (!left.TryGet(in input, out var a) || !right.TryGet(in input, out var b))
        {
            return false;
        }

        return op switch
        {
            ComparisonOperator.Equal => a.Equals(b, StringComparison.OrdinalIgnoreCase),
            ComparisonOperator.NotEqual => !a.Equals(b, StringComparison.OrdinalIgnoreCase),
            ComparisonOperator.Contains => a.Contains(b, StringComparison.OrdinalIgnoreCase),
            ComparisonOperator.StartsWith => a.StartsWith(b, StringComparison.OrdinalIgnoreCase),
            _ => a.EndsWith(b, StringComparison.OrdinalIgnoreCase),
        };
    }

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, left, right);
}

internal sealed class TextInList(TextOperand operand, NamedList list, bool negated) : Predicate
{
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup = list.TextLookup;

    public override bool Evaluate(in ConditionInput input) =>
        operand.TryGet(in input, out var value) && _lookup.Contains(value) != negated;

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, operand);
}

/// <summary><c>matches</c>: a .NET regex compiled at load; a match that times out is false and counted, never thrown.</summary>
internal sealed class TextMatches(TextOperand operand, Regex regex) : Predicate
{
    private long _timeouts;

    public long Timeouts => Interlocked.Read(ref _timeouts);

    public override bool Evaluate(in ConditionInput input)
    {
        if (!operand.TryGet(in input, out var value))
        {
            return false;
        }

        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            Interlocked.Increment(ref _timeouts);
            return false;
        }
    }

    protected override string DescribeValues(in ConditionInput input)
    {
        var values = DescribeOperands(in input, operand);
        if (!operand.TryGet(in input, out var value))
        {
            return values;
        }

        try
        {
            regex.IsMatch(value);
            return values;
        }
        catch (RegexMatchTimeoutException)
        {
            return $"{values}; the match timed out after {regex.MatchTimeout.TotalMilliseconds} ms";
        }
    }
}

internal sealed class NumberComparison(NumberOperand left, NumberOperand right, ComparisonOperator op) : Predicate
{
    public override bool Evaluate(in ConditionInput input) =>
        left.TryGet(in input, out var a) && right.TryGet(in input, out var b) && Holds(a.CompareTo(b), op);

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, left, right);
}

internal sealed class NumberInList(NumberOperand operand, NamedList list, bool negated) : Predicate
{
    private readonly HashSet<double> _numbers = list.Numbers;

    public override bool Evaluate(in ConditionInput input) =>
        operand.TryGet(in input, out var value) && _numbers.Contains(value) != negated;

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, operand);
}

internal sealed class IpComparison(IpOperand left, IpOperand right, bool equal) : Predicate
{
    public override bool Evaluate(in ConditionInput input) =>
        left.Get(in input) is { } a && right.Get(in input) is { } b && NetworkSet.AddressEquals(a, b) == equal;

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, left, right);
}

internal sealed class IpInList(IpOperand operand, NamedList list, bool negated) : Predicate
{
    private readonly NetworkSet _networks = list.Networks;

    public override bool Evaluate(in ConditionInput input) =>
        operand.Get(in input) is IPAddress address && _networks.Contains(address) != negated;

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, operand);
}

internal sealed class MacComparison(MacOperand left, MacOperand right, bool equal) : Predicate
{
    public override bool Evaluate(in ConditionInput input) =>
        left.TryGet(in input, out var a) && right.TryGet(in input, out var b) && (a == b) == equal;

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, left, right);
}

internal sealed class MacInList(MacOperand operand, NamedList list, bool negated) : Predicate
{
    private readonly HashSet<ulong> _macs = list.Macs;

    public override bool Evaluate(in ConditionInput input) =>
        operand.TryGet(in input, out var value) && _macs.Contains(value) != negated;

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, operand);
}

internal sealed class TimeComparison(TimeOperand left, TimeOperand right, ComparisonOperator op) : Predicate
{
    public override bool Evaluate(in ConditionInput input) =>
        left.TryGet(in input, out var a) && right.TryGet(in input, out var b) && Holds(a.CompareTo(b), op);

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, left, right);
}

internal sealed class BoolComparison(BoolOperand left, BoolOperand right, bool equal) : Predicate
{
    public override bool Evaluate(in ConditionInput input) =>
        left.TryGet(in input, out var a) && right.TryGet(in input, out var b) && (a == b) == equal;

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, left, right);
}

/// <summary>A step output written alone as a condition (<c>if: steps.isolate.done</c>): true only when it is true.</summary>
internal sealed class BoolValue(BoolOperand operand) : Predicate
{
    public override bool Evaluate(in ConditionInput input) => operand.TryGet(in input, out var value) && value;

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, operand);
}

/// <summary>A step output <c>in</c> a list, typed when read: a number against numbers, an address against networks, else text.</summary>
internal sealed class StepInList(StepOutput step, NamedList list, bool negated) : Predicate
{
    public override bool Evaluate(in ConditionInput input)
    {
        var value = step.Get(in input);
        if (value is null)
        {
            return false;
        }

        var found = value switch
        {
            string text => list.Texts.Contains(text)
                           || (list.Networks.Count > 0 && NetworkSet.TryParseAddress(text, out var address) && list.Networks.Contains(address)),
            IPAddress address => list.Networks.Contains(address),
            bool => false,
            _ => StepOutput.TryNumber(value, out var number) && list.Numbers.Contains(number),
        };
        return found != negated;
    }

    protected override string DescribeValues(in ConditionInput input) => DescribeOperands(in input, step);
}
