namespace Orchestrator.Core.Conditions;

/// <summary>A compiled condition: compiled once when a playbook loads, evaluated on every event.</summary>
public sealed class Condition
{
    private readonly Predicate _root;
    private readonly TextMatches[] _regexes;

    internal Condition(string source, Predicate root, TextMatches[] regexes)
    {
        Source = source;
        _root = root;
        _regexes = regexes;
    }

    /// <summary>The text the condition was compiled from.</summary>
    public string Source { get; }

    /// <summary>How many <c>matches</c> evaluations timed out (and so were false) since the condition was compiled.</summary>
    public long RegexTimeouts
    {
        get
        {
            long total = 0;
            foreach (var regex in _regexes)
            {
                total += regex.Timeouts;
            }

            return total;
        }
    }

    /// <summary>True when the condition holds; never throws, and allocates nothing.</summary>
    public bool Evaluate(in ConditionInput input) => _root.Evaluate(in input);

    /// <summary>Evaluates and tells why: the clauses that decided the result and the values they read (for <c>orchestrator test</c>).</summary>
    public ConditionExplanation Explain(in ConditionInput input)
    {
        var clauses = new List<ConditionClause>();
        var result = _root.Explain(in input, Source, clauses);
        return new ConditionExplanation(Source, result, clauses);
    }

    public override string ToString() => Source;
}
