using System.Globalization;
using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Conditions;

/// <summary>The static type of a value in a condition; Dynamic is a step output, typed only when it is read.</summary>
internal enum ValueType
{
    Text,
    Number,
    Ip,
    Mac,
    Timestamp,
    Bool,
    Dynamic,
}

/// <summary>A value a clause reads: a name resolved at compile time (field, label, window, step output) or a constant.</summary>
internal abstract class Operand(string name)
{
    /// <summary>As written in the condition (for a constant, its literal text).</summary>
    public string Name { get; } = name;

    public virtual bool IsConstant => false;

    public abstract bool HasValue(in ConditionInput input);

    /// <summary>The value read from <paramref name="input"/>, printed for an explanation ("null" when there is none).</summary>
    public abstract string Describe(in ConditionInput input);

    protected static string Quote(ReadOnlySpan<char> text) =>
        "\"" + text.ToString().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

internal abstract class TextOperand(string name) : Operand(name)
{
    public abstract bool TryGet(in ConditionInput input, out ReadOnlySpan<char> value);

    public override bool HasValue(in ConditionInput input) => TryGet(in input, out _);

    public override string Describe(in ConditionInput input) => TryGet(in input, out var value) ? Quote(value) : "null";
}

internal sealed class TextField(string name, EcsField field) : TextOperand(name)
{
    private readonly Func<SecurityEvent, string?> _get = field.TextGetter!;

    public override bool TryGet(in ConditionInput input, out ReadOnlySpan<char> value)
    {
        var text = _get(input.Event);
        value = text;
        return text is not null;
    }
}

internal sealed class LabelOperand(string name, string key) : TextOperand(name)
{
    public override bool TryGet(in ConditionInput input, out ReadOnlySpan<char> value)
    {
        if (input.Event.Labels is { } labels)
        {
            return labels.TryGetValueSpan(key, out value);
        }

        value = default;
        return false;
    }
}

internal sealed class TextConstant(string name, string text) : TextOperand(name)
{
    public string Text { get; } = text;

    public override bool IsConstant => true;

    public override bool TryGet(in ConditionInput input, out ReadOnlySpan<char> value)
    {
        value = Text;
        return true;
    }
}

internal abstract class NumberOperand(string name) : Operand(name)
{
    public abstract bool TryGet(in ConditionInput input, out double value);

    public override bool HasValue(in ConditionInput input) => TryGet(in input, out _);

    public override string Describe(in ConditionInput input) =>
        TryGet(in input, out var value) ? value.ToString(CultureInfo.InvariantCulture) : "null";
}

internal sealed class NumberField(string name, EcsField field) : NumberOperand(name)
{
    private readonly Func<SecurityEvent, long?> _get = field.NumberGetter!;

    public override bool TryGet(in ConditionInput input, out double value)
    {
        var number = _get(input.Event);
        value = number.GetValueOrDefault();
        return number.HasValue;
    }
}

internal sealed class WindowOperand(string name, bool distinct) : NumberOperand(name)
{
    public override bool TryGet(in ConditionInput input, out double value)
    {
        if (input.Window is { } window)
        {
            value = distinct ? window.Distinct : window.Count;
            return true;
        }

        value = 0;
        return false;
    }
}

internal sealed class NumberConstant(string name, double number) : NumberOperand(name)
{
    public override bool IsConstant => true;

    public override bool TryGet(in ConditionInput input, out double value)
    {
        value = number;
        return true;
    }
}

internal abstract class IpOperand(string name) : Operand(name)
{
    public abstract IPAddress? Get(in ConditionInput input);

    public override bool HasValue(in ConditionInput input) => Get(in input) is not null;

    public override string Describe(in ConditionInput input) => Get(in input)?.ToString() ?? "null";
}

internal sealed class IpField(string name, EcsField field) : IpOperand(name)
{
    private readonly Func<SecurityEvent, IPAddress?> _get = field.IpGetter!;

    public override IPAddress? Get(in ConditionInput input) => _get(input.Event);
}

internal sealed class IpConstant(string name, IPAddress address) : IpOperand(name)
{
    public override bool IsConstant => true;

    public override IPAddress? Get(in ConditionInput input) => address;
}

internal abstract class MacOperand(string name) : Operand(name)
{
    public abstract bool TryGet(in ConditionInput input, out ulong value);

    public override bool HasValue(in ConditionInput input) => TryGet(in input, out _);

    public override string Describe(in ConditionInput input) =>
        TryGet(in input, out var value) ? MacAddress.FromValue(value).ToString() : "null";
}

internal sealed class MacField(string name, EcsField field) : MacOperand(name)
{
    private readonly Func<SecurityEvent, MacAddress?> _get = field.MacGetter!;

    public override bool TryGet(in ConditionInput input, out ulong value)
    {
        var mac = _get(input.Event);
        value = mac.GetValueOrDefault().Value;
        return mac.HasValue;
    }
}

internal sealed class MacConstant(string name, ulong mac) : MacOperand(name)
{
    public override bool IsConstant => true;

    public override bool TryGet(in ConditionInput input, out ulong value)
    {
        value = mac;
        return true;
    }
}

internal abstract class TimeOperand(string name) : Operand(name)
{
    public abstract bool TryGet(in ConditionInput input, out DateTimeOffset value);

    public override bool HasValue(in ConditionInput input) => TryGet(in input, out _);

    public override string Describe(in ConditionInput input) =>
        TryGet(in input, out var value) ? value.ToString("O", CultureInfo.InvariantCulture) : "null";
}

internal sealed class TimeField(string name, EcsField field) : TimeOperand(name)
{
    private readonly Func<SecurityEvent, DateTimeOffset> _get = field.TimeGetter!;

    public override bool TryGet(in ConditionInput input, out DateTimeOffset value)
    {
        value = _get(input.Event);
        return true;
    }
}

internal sealed class TimeConstant(string name, DateTimeOffset time) : TimeOperand(name)
{
    public override bool IsConstant => true;

    public override bool TryGet(in ConditionInput input, out DateTimeOffset value)
    {
        value = time;
        return true;
    }
}

internal abstract class BoolOperand(string name) : Operand(name)
{
    public abstract bool TryGet(in ConditionInput input, out bool value);

    public override bool HasValue(in ConditionInput input) => TryGet(in input, out _);

    public override string Describe(in ConditionInput input) =>
        TryGet(in input, out var value) ? (value ? "true" : "false") : "null";
}

internal sealed class BoolConstant(string name, bool constant) : BoolOperand(name)
{
    public override bool IsConstant => true;

    public override bool TryGet(in ConditionInput input, out bool value)
    {
        value = constant;
        return true;
    }
}

/// <summary>An output of an earlier step (<c>steps.ID.OUTPUT</c>): string, number, bool or null, typed when read.</summary>
internal sealed class StepOutput(string name, string stepId, string output) : Operand(name)
{
    public object? Get(in ConditionInput input) =>
        input.Steps is { } steps && steps.TryGetValue(stepId, out var outputs) && outputs.TryGetValue(output, out var value) ? value : null;

    public override bool HasValue(in ConditionInput input) => Get(in input) is not null;

    public override string Describe(in ConditionInput input) => Get(in input) switch
    {
        null => "null",
        string text => Quote(text),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString() ?? "null",
    };

    /// <summary>A number from any numeric type, or from text that reads as one (scripts print numbers as text).</summary>
    public static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case double d:
                number = d;
                return true;
            case string text:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
            case int or long or short or sbyte or byte or ushort or uint or ulong or float or decimal:
                number = ((IConvertible)value).ToDouble(CultureInfo.InvariantCulture);
                return true;
            default:
                number = 0;
                return false;
        }
    }
}

internal sealed class StepAsText(StepOutput step) : TextOperand(step.Name)
{
    public override bool TryGet(in ConditionInput input, out ReadOnlySpan<char> value)
    {
        var text = step.Get(in input) as string;
        value = text;
        return text is not null;
    }

    public override string Describe(in ConditionInput input) => step.Describe(in input);
}

internal sealed class StepAsNumber(StepOutput step) : NumberOperand(step.Name)
{
    public override bool TryGet(in ConditionInput input, out double value) => StepOutput.TryNumber(step.Get(in input), out value);

    public override string Describe(in ConditionInput input) => step.Describe(in input);
}

internal sealed class StepAsBool(StepOutput step) : BoolOperand(step.Name)
{
    public override bool TryGet(in ConditionInput input, out bool value)
    {
        switch (step.Get(in input))
        {
            case bool flag:
                value = flag;
                return true;
            case string text when bool.TryParse(text, out var parsed):
                value = parsed;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public override string Describe(in ConditionInput input) => step.Describe(in input);
}

internal sealed class StepAsIp(StepOutput step) : IpOperand(step.Name)
{
    public override IPAddress? Get(in ConditionInput input) => step.Get(in input) switch
    {
        IPAddress address => address,
        string text when NetworkSet.TryParseAddress(text, out var parsed) => parsed,
        _ => null,
    };

    public override string Describe(in ConditionInput input) => step.Describe(in input);
}
