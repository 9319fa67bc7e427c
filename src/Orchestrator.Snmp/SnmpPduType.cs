namespace Orchestrator.Snmp;

/// <summary>The PDU types, numbered by their context tag (RFC 3416 section 3; [4] is the SNMPv1 Trap of RFC 1157).</summary>
public enum SnmpPduType
{
    GetRequest = 0,
    GetNextRequest = 1,
    Response = 2,
    SetRequest = 3,
    TrapV1 = 4,
    GetBulkRequest = 5,
    InformRequest = 6,
    TrapV2 = 7,
    Report = 8,
}
