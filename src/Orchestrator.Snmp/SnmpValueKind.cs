namespace Orchestrator.Snmp;

/// <summary>The closed set of value kinds a variable binding carries (RFC 3416 section 3, RFC 2578 section 7.1).</summary>
public enum SnmpValueKind
{
    Integer32,
    OctetString,
    Null,
    ObjectIdentifier,
    IpAddress,
    Counter32,
    Gauge32,
    TimeTicks,
    Opaque,
    Counter64,

    /// <summary>The agent does not implement the object (RFC 3416 exception, never a value).</summary>
    NoSuchObject,

    /// <summary>The object exists but not this instance (RFC 3416 exception, never a value).</summary>
    NoSuchInstance,

    /// <summary>A GETNEXT or GETBULK ran past the last object the agent has (RFC 3416 exception, never a value).</summary>
    EndOfMibView,
}
