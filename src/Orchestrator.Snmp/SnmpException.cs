namespace Orchestrator.Snmp;

/// <summary>An SNMP operation that failed: a timeout, an error-status from the agent, an exception value, or a malformed packet.</summary>
public class SnmpException : Exception
{
    public SnmpException()
    {
    }

    public SnmpException(string message)
        : base(message)
    {
    }

    public SnmpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
