namespace Orchestrator.Snmp.Security;

/// <summary>The USM authentication protocol (RFC 3414 sections 6 and 7, RFC 7860 for the SHA-2 family).</summary>
public enum SnmpAuthProtocol
{
    /// <summary>No authentication (noAuthNoPriv).</summary>
    None = 0,

    /// <summary>HMAC-MD5-96: kept for old devices; prefer a SHA-2 protocol.</summary>
    Md5,

    /// <summary>HMAC-SHA-96 (net-snmp "SHA").</summary>
    Sha1,

    /// <summary>HMAC-SHA-224 truncated to 128 bits (usmHMAC128SHA224AuthProtocol).</summary>
    Sha224,

    /// <summary>HMAC-SHA-256 truncated to 192 bits (usmHMAC192SHA256AuthProtocol).</summary>
    Sha256,

    /// <summary>HMAC-SHA-384 truncated to 256 bits (usmHMAC256SHA384AuthProtocol).</summary>
    Sha384,

    /// <summary>HMAC-SHA-512 truncated to 384 bits (usmHMAC384SHA512AuthProtocol).</summary>
    Sha512,
}
