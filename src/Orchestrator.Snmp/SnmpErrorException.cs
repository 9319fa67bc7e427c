using System.Globalization;

namespace Orchestrator.Snmp;

/// <summary>The agent answered with an error-status other than noError; names the status, the index and the object at that index.</summary>
public sealed class SnmpErrorException : SnmpException
{
    public SnmpErrorException()
    {
    }

    public SnmpErrorException(string message)
        : base(message)
    {
    }

    public SnmpErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SnmpErrorException(string agent, SnmpErrorStatus status, int index, Oid? oid)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"SNMP agent {agent} answered {Name(status)} ({(int)status}) at index {index}{(oid is null ? string.Empty : $" ({oid})")}"))
    {
        Status = status;
        Index = index;
        Oid = oid;
    }

    public SnmpErrorStatus Status { get; }

    /// <summary>The 1-based error-index: the variable binding the error is about, or 0 when it is about none.</summary>
    public int Index { get; }

    /// <summary>The object at <see cref="Index"/> in the request, when the index points at one.</summary>
    public Oid? Oid { get; }

    private static string Name(SnmpErrorStatus status)
    {
        string name = status.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
