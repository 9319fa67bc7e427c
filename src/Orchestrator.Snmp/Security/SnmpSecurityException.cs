namespace Orchestrator.Snmp.Security;

/// <summary>
/// An SNMPv3 agent answered with a Report that refuses the request (unknown user, wrong digest, …). The message names
/// the agent, the user and the likely fix; it never contains a password or key.
/// </summary>
public sealed class SnmpSecurityException : SnmpException
{
    public SnmpSecurityException()
    {
    }

    public SnmpSecurityException(string message)
        : base(message)
    {
    }

    public SnmpSecurityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SnmpSecurityException(SnmpSecurityFailure reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public SnmpSecurityFailure Reason { get; }
}
