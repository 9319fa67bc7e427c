namespace Orchestrator.Snmp;

/// <summary>A variable binding: an object instance and its value.</summary>
public sealed record VarBind(Oid Oid, SnmpValue Value)
{
    /// <summary>A binding for a request that reads <paramref name="oid"/>: its value is NULL.</summary>
    public static VarBind ForRead(Oid oid) => new(oid, SnmpValue.Null);

    public override string ToString() => $"{Oid} = {Value.Kind}: {Value}";
}
