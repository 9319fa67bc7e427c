namespace Orchestrator.Snmp.Security;

/// <summary>The USM privacy protocol (RFC 3414 section 8 for DES, RFC 3826 for AES).</summary>
public enum SnmpPrivProtocol
{
    /// <summary>No encryption.</summary>
    None = 0,

    /// <summary>CBC-DES: broken by today's standards, kept only for old switches that know nothing else.</summary>
    Des,

    /// <summary>CFB128-AES-128 (net-snmp "AES").</summary>
    Aes128,
}
