namespace Orchestrator.Core.Conditions;

/// <summary>A condition that does not compile: what is wrong, and where in its source text.</summary>
public sealed class ConditionException : Exception
{
    public ConditionException()
    {
    }

    public ConditionException(string message)
        : base(message)
    {
    }

    public ConditionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConditionException(string message, int offset, int length)
        : base(message)
    {
        Offset = offset;
        Length = length;
    }

    /// <summary>Where the problem starts: a 0-based character offset into the condition's source text.</summary>
    public int Offset { get; }

    /// <summary>How many characters of the source text the problem covers (at least 1, except at the end of the text).</summary>
    public int Length { get; }
}
