using System.Text;

namespace Orchestrator.Core.Conditions;

/// <summary>Why a condition gave its result: the clauses that decided it, each with the values it saw.</summary>
public sealed class ConditionExplanation
{
    internal ConditionExplanation(string source, bool result, IReadOnlyList<ConditionClause> clauses)
    {
        Source = source;
        Result = result;
        Clauses = clauses;
    }

    public string Source { get; }

    public bool Result { get; }

    /// <summary>
    /// The clauses that decided the result: for a false <c>and</c> the first false clause, for a true
    /// <c>or</c> the first true one, otherwise every clause that was evaluated.
    /// </summary>
    public IReadOnlyList<ConditionClause> Clauses { get; }

    /// <summary>For example: <c>false: event.rule.name startswith "W32" was false (event.rule.name = "Backdoor.Joggver")</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Result ? "true: " : "false: ");
        for (var i = 0; i < Clauses.Count; i++)
        {
            if (i > 0)
            {
                text.Append(Result ? " and " : "; ");
            }

            text.Append(Clauses[i]);
        }

        return text.ToString();
    }
}

/// <summary>One clause of a condition as it was evaluated: its source text, where it is, its result and the values it read.</summary>
public sealed record ConditionClause(string Text, int Offset, int Length, bool Result, string Values)
{
    public override string ToString() =>
        Values.Length == 0 ? $"{Text} was {(Result ? "true" : "false")}" : $"{Text} was {(Result ? "true" : "false")} ({Values})";
}
