using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Snmp.Security;

/// <summary>
/// Process-wide cache of USM keys. A password-to-key costs a megabyte of hashing, and the same credentials are
/// usually used for every switch, so Ku is kept per (protocol, password) and the cheap localized key per
/// (protocol, password, engine id). Entries are keyed by an HMAC of the password under a random per-process key, so the
/// cache holds no password and its keys reveal nothing outside this process. The cache is cleared when it grows past
/// <see cref="MaxEntries"/> (thousands of distinct credentials means something is wrong, not that caching helps).
/// </summary>
internal static class UsmKeyCache
{
    public const int MaxEntries = 4096;

    private static readonly byte[] FingerprintKey = RandomNumberGenerator.GetBytes(32);
    private static readonly ConcurrentDictionary<(SnmpAuthProtocol, string), byte[]> Master = new();
    private static readonly ConcurrentDictionary<(SnmpAuthProtocol, string, string), byte[]> Localized = new();

    /// <summary>The localized key for <paramref name="password"/> at the engine <paramref name="engineId"/>.</summary>
    public static byte[] GetLocalizedKey(SnmpAuthProtocol protocol, string password, ReadOnlySpan<byte> engineId)
    {
        string fingerprint = Fingerprint(password);
        (SnmpAuthProtocol, string, string) key = (protocol, fingerprint, Convert.ToHexString(engineId));
        if (Localized.TryGetValue(key, out byte[]? cached))
        {
            return cached;
        }

        byte[] master = GetMasterKey(protocol, password, fingerprint);
        byte[] localized = UsmCrypto.Localize(protocol, master, engineId);
        Trim(Localized);
        return Localized.GetOrAdd(key, localized);
    }

    private static byte[] GetMasterKey(SnmpAuthProtocol protocol, string password, string fingerprint)
    {
        (SnmpAuthProtocol, string) key = (protocol, fingerprint);
        if (Master.TryGetValue(key, out byte[]? cached))
        {
            return cached;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(password);
        byte[] master = UsmCrypto.PasswordToKey(protocol, bytes);
        CryptographicOperations.ZeroMemory(bytes);
        Trim(Master);
        return Master.GetOrAdd(key, master);
    }

    private static string Fingerprint(string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(FingerprintKey, Encoding.UTF8.GetBytes(password)));

    private static void Trim<TKey>(ConcurrentDictionary<TKey, byte[]> cache)
        where TKey : notnull
    {
        if (cache.Count >= MaxEntries)
        {
            cache.Clear();
        }
    }
}
