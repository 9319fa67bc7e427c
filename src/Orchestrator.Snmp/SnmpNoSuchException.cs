namespace Orchestrator.Snmp;

/// <summary>The agent answered noSuchObject, noSuchInstance or endOfMibView for an object: a failure, never a value.</summary>
public sealed class SnmpNoSuchException : SnmpException
{
    public SnmpNoSuchException()
    {
    }

    public SnmpNoSuchException(string message)
        : base(message)
    {
    }

    public SnmpNoSuchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SnmpNoSuchException(string agent, Oid oid, SnmpValueKind kind)
        : base($"SNMP agent {agent} answered {Describe(kind)} for {oid}")
    {
        Oid = oid;
        Kind = kind;
    }

    public Oid? Oid { get; }

    /// <summary><see cref="SnmpValueKind.NoSuchObject"/>, <see cref="SnmpValueKind.NoSuchInstance"/> or <see cref="SnmpValueKind.EndOfMibView"/>.</summary>
    public SnmpValueKind Kind { get; }

    private static string Describe(SnmpValueKind kind) => kind switch
    {
        SnmpValueKind.NoSuchObject => "noSuchObject (the agent does not implement this object)",
        SnmpValueKind.NoSuchInstance => "noSuchInstance (the object exists, this instance does not)",
        SnmpValueKind.EndOfMibView => "endOfMibView (nothing follows this object)",
        _ => kind.ToString(),
    };
}
