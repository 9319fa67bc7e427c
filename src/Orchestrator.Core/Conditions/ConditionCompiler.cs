namespace Orchestrator.Core.Conditions;

/// <summary>Compiles condition text (a playbook's <c>when:</c> or a step's <c>if:</c>) into a <see cref="Condition"/>.</summary>
public static class ConditionCompiler
{
    /// <summary>Parses, type-checks and compiles; throws <see cref="ConditionException"/> with the offset of the problem.</summary>
    public static Condition Compile(string source, ConditionEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(environment);
        var syntax = ConditionParser.Parse(source);
        var binder = new ConditionBinder(environment);
        var root = binder.BindCondition(syntax);
        return new Condition(source, root, [.. binder.Regexes]);
    }
}
