using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Orchestrator.Snmp.Security;

/// <summary>
/// The USM key and digest rules: password to key (RFC 3414 A.2), key localization (RFC 3414 section 2.6), the
/// truncated HMACs (RFC 3414 sections 6 and 7, RFC 7860 section 4), CBC-DES (RFC 3414 section 8) and CFB128-AES-128
/// (RFC 3826 section 3). Keys are bytes; nothing here formats a key or password into a string.
/// </summary>
internal static class UsmCrypto
{
    /// <summary>RFC 3414 A.2: the password repeated to one megabyte is hashed.</summary>
    public const int PasswordExpansion = 1_048_576;

    /// <summary>The length of msgAuthenticationParameters: the truncated HMAC.</summary>
    public static int MacLength(SnmpAuthProtocol protocol) => protocol switch
    {
        SnmpAuthProtocol.Md5 or SnmpAuthProtocol.Sha1 => 12,
        SnmpAuthProtocol.Sha224 => 16,
        SnmpAuthProtocol.Sha256 => 24,
        SnmpAuthProtocol.Sha384 => 32,
        SnmpAuthProtocol.Sha512 => 48,
        _ => 0,
    };

    public static byte[] Hash(SnmpAuthProtocol protocol, ReadOnlySpan<byte> data) => protocol switch
    {
        // MD5 and SHA-1 only as the protocols RFC 3414 defines for interoperability, never for new security designs.
#pragma warning disable CA5351 // MD5 is the key hash of usmHMACMD5AuthProtocol (RFC 3414 section 6).
        SnmpAuthProtocol.Md5 => MD5.HashData(data),
#pragma warning restore CA5351
#pragma warning disable CA5350 // SHA-1 is the key hash of usmHMACSHAAuthProtocol (RFC 3414 section 7).
        SnmpAuthProtocol.Sha1 => SHA1.HashData(data),
#pragma warning restore CA5350
        SnmpAuthProtocol.Sha224 => Sha224.HashData(data),
        SnmpAuthProtocol.Sha256 => SHA256.HashData(data),
        SnmpAuthProtocol.Sha384 => SHA384.HashData(data),
        SnmpAuthProtocol.Sha512 => SHA512.HashData(data),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no hash for this authentication protocol."),
    };

    /// <summary>The full (untruncated) HMAC of <paramref name="data"/>.</summary>
    public static byte[] Hmac(SnmpAuthProtocol protocol, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => protocol switch
    {
#pragma warning disable CA5351 // HMAC-MD5-96 is RFC 3414's usmHMACMD5AuthProtocol; HMAC keeps MD5's collisions out of reach.
        SnmpAuthProtocol.Md5 => HMACMD5.HashData(key, data),
#pragma warning restore CA5351
#pragma warning disable CA5350 // HMAC-SHA-96 is RFC 3414's usmHMACSHAAuthProtocol.
        SnmpAuthProtocol.Sha1 => HMACSHA1.HashData(key, data),
#pragma warning restore CA5350
        SnmpAuthProtocol.Sha224 => Sha224.Hmac(key, data),
        SnmpAuthProtocol.Sha256 => HMACSHA256.HashData(key, data),
        SnmpAuthProtocol.Sha384 => HMACSHA384.HashData(key, data),
        SnmpAuthProtocol.Sha512 => HMACSHA512.HashData(key, data),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no HMAC for this authentication protocol."),
    };

    /// <summary>Ku: the hash of the password repeated to <see cref="PasswordExpansion"/> bytes (RFC 3414 A.2).</summary>
    public static byte[] PasswordToKey(SnmpAuthProtocol protocol, ReadOnlySpan<byte> password)
    {
        if (password.IsEmpty)
        {
            throw new ArgumentException("a USM password must not be empty.", nameof(password));
        }

        byte[] expanded = ArrayPool<byte>.Shared.Rent(PasswordExpansion);
        try
        {
            Span<byte> buffer = expanded.AsSpan(0, PasswordExpansion);
            for (int i = 0; i < buffer.Length; i += password.Length)
            {
                ReadOnlySpan<byte> part = password[..Math.Min(password.Length, buffer.Length - i)];
                part.CopyTo(buffer[i..]);
            }

            return Hash(protocol, buffer);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded.AsSpan(0, PasswordExpansion));
            ArrayPool<byte>.Shared.Return(expanded);
        }
    }

    /// <summary>Kul = H(Ku ‖ engineID ‖ Ku) (RFC 3414 section 2.6 and A.2.2).</summary>
    public static byte[] Localize(SnmpAuthProtocol protocol, ReadOnlySpan<byte> key, ReadOnlySpan<byte> engineId)
    {
        byte[] buffer = new byte[(key.Length * 2) + engineId.Length];
        key.CopyTo(buffer);
        engineId.CopyTo(buffer.AsSpan(key.Length));
        key.CopyTo(buffer.AsSpan(key.Length + engineId.Length));
        byte[] localized = Hash(protocol, buffer);
        CryptographicOperations.ZeroMemory(buffer);
        return localized;
    }

    /// <summary>The truncated HMAC that goes into msgAuthenticationParameters.</summary>
    public static byte[] Mac(SnmpAuthProtocol protocol, ReadOnlySpan<byte> localizedKey, ReadOnlySpan<byte> wholeMessage) =>
        Hmac(protocol, localizedKey, wholeMessage)[..MacLength(protocol)];

    /// <summary>
    /// Encrypts a scoped PDU. <paramref name="salt"/> is the 8-byte msgPrivacyParameters the caller made unique per
    /// message (DES: engineBoots ‖ counter; AES: a 64-bit counter).
    /// </summary>
    public static byte[] Encrypt(SnmpPrivProtocol protocol, ReadOnlySpan<byte> privKey, int engineBoots, int engineTime, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> iv = stackalloc byte[16];
        switch (protocol)
        {
            case SnmpPrivProtocol.Des:
            {
                DesIv(privKey, salt, iv[..8]);
                using DES des = CreateDes(privKey);

                // CBC needs whole 8-byte blocks; the padding is never read back because the BER length ends the scoped PDU.
                int padded = (plaintext.Length + 7) / 8 * 8;
                byte[] input = new byte[padded];
                plaintext.CopyTo(input);
                return des.EncryptCbc(input, iv[..8], PaddingMode.None);
            }

            case SnmpPrivProtocol.Aes128:
            {
                AesIv(engineBoots, engineTime, salt, iv);
                using Aes aes = Aes.Create();
                aes.Key = privKey[..16].ToArray();
                return AesCfb(aes, plaintext, iv, encrypt: true);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no cipher for this privacy protocol.");
        }
    }

    /// <summary>Decrypts msgData; a DES result keeps its padding, which the BER reader of the scoped PDU ignores.</summary>
    public static byte[] Decrypt(SnmpPrivProtocol protocol, ReadOnlySpan<byte> privKey, int engineBoots, int engineTime, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ciphertext)
    {
        if (salt.Length != 8)
        {
            throw new CryptographicException("msgPrivacyParameters must be 8 octets.");
        }

        Span<byte> iv = stackalloc byte[16];
        switch (protocol)
        {
            case SnmpPrivProtocol.Des:
            {
                if (ciphertext.Length % 8 != 0)
                {
                    throw new CryptographicException("a CBC-DES encrypted PDU must be a multiple of 8 octets (RFC 3414 section 8.3.2).");
                }

                DesIv(privKey, salt, iv[..8]);
                using DES des = CreateDes(privKey);
                return des.DecryptCbc(ciphertext, iv[..8], PaddingMode.None);
            }

            case SnmpPrivProtocol.Aes128:
            {
                AesIv(engineBoots, engineTime, salt, iv);
                using Aes aes = Aes.Create();
                aes.Key = privKey[..16].ToArray();
                return AesCfb(aes, ciphertext, iv, encrypt: false);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no cipher for this privacy protocol.");
        }
    }

    /// <summary>
    /// CFB128 is a stream mode, so RFC 3826 sends exactly as many octets as the plaintext has; .NET only takes whole
    /// blocks, so the input is zero-padded to a block and the output cut back to the input's length.
    /// </summary>
    private static byte[] AesCfb(Aes aes, ReadOnlySpan<byte> input, ReadOnlySpan<byte> iv, bool encrypt)
    {
        byte[] padded = new byte[(input.Length + 15) / 16 * 16];
        input.CopyTo(padded);
        byte[] output = encrypt
            ? aes.EncryptCfb(padded, iv, PaddingMode.None, feedbackSizeInBits: 128)
            : aes.DecryptCfb(padded, iv, PaddingMode.None, feedbackSizeInBits: 128);
        CryptographicOperations.ZeroMemory(padded);
        return output[..input.Length];
    }

    /// <summary>DES key: the first 8 octets of the localized privacy key; the pre-IV is the next 8 (RFC 3414 section 8.1.1.1).</summary>
    private static DES CreateDes(ReadOnlySpan<byte> privKey)
    {
        // DES is obsolete, but usmDESPrivProtocol is the only privacy many older switches offer; it stays opt-in.
#pragma warning disable CA5351 // DES is required by usmDESPrivProtocol (RFC 3414 section 8).
        DES des = DES.Create();
#pragma warning restore CA5351
        try
        {
            des.Key = privKey[..8].ToArray();
        }
        catch (CryptographicException)
        {
            // .NET refuses the handful of weak DES keys; a localized key hits one with probability about 2^-52.
            des.Dispose();
            throw;
        }

        return des;
    }

    private static void DesIv(ReadOnlySpan<byte> privKey, ReadOnlySpan<byte> salt, Span<byte> iv)
    {
        ReadOnlySpan<byte> preIv = privKey.Slice(8, 8);
        for (int i = 0; i < 8; i++)
        {
            iv[i] = (byte)(preIv[i] ^ salt[i]);
        }
    }

    /// <summary>RFC 3826 section 3.1.2.1: IV = engineBoots ‖ engineTime ‖ salt, each big-endian.</summary>
    private static void AesIv(int engineBoots, int engineTime, ReadOnlySpan<byte> salt, Span<byte> iv)
    {
        BinaryPrimitives.WriteInt32BigEndian(iv, engineBoots);
        BinaryPrimitives.WriteInt32BigEndian(iv[4..], engineTime);
        salt[..8].CopyTo(iv[8..]);
    }
}
