using System.Text;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Snmp.Tests.V3;

public class UsmCryptoTests
{
    private static readonly byte[] Rfc3414EngineId = Convert.FromHexString("000000000000000000000002");

    // MD5 and SHA-1 are RFC 3414 A.3.1 and A.3.2. RFC 7860 gives no vectors: the SHA-2 ones were computed with Python's
    // hashlib by the same A.2 algorithm, and the interop tests prove them against net-snmp's snmpd.
    [Theory]
    [InlineData(SnmpAuthProtocol.Md5, "526f5eed9fcce26f8964c2930787d82b")]
    [InlineData(SnmpAuthProtocol.Sha1, "6695febc9288e36282235fc7151f128497b38f3f")]
    [InlineData(SnmpAuthProtocol.Sha224, "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be682075674")]
    [InlineData(SnmpAuthProtocol.Sha256, "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a6445c2d6776f0f8b")]
    [InlineData(SnmpAuthProtocol.Sha384, "3b298f16164a11184279d5432bf169e2d2a48307de02b3d3f7e2b4f36eb6f0455a53689a3937eea07319a633d2ccba78")]
    [InlineData(SnmpAuthProtocol.Sha512, "22a5a36cedfcc085807a128d7bc6c2382167ad6c0dbc5fdff856740f3d84c099ad1ea87a8db096714d9788bd544047c9021e4229ce27e4c0a69250adfcffbb0b")]
    public void PasswordToKeyAndLocalize_Maplesyrup_GivesTheRfcLocalizedKey(SnmpAuthProtocol protocol, string expected)
    {
        byte[] master = UsmCrypto.PasswordToKey(protocol, "maplesyrup"u8);
        byte[] localized = UsmCrypto.Localize(protocol, master, Rfc3414EngineId);
        Assert.Equal(expected, Convert.ToHexStringLower(localized));
    }

    [Fact]
    public void KeyCache_SameCredentialsAndEngine_ReturnsTheSameLocalizedKey()
    {
        byte[] first = UsmKeyCache.GetLocalizedKey(SnmpAuthProtocol.Sha1, "maplesyrup", Rfc3414EngineId);
        byte[] second = UsmKeyCache.GetLocalizedKey(SnmpAuthProtocol.Sha1, "maplesyrup", Rfc3414EngineId);
        Assert.Same(first, second);
        Assert.Equal("6695febc9288e36282235fc7151f128497b38f3f", Convert.ToHexStringLower(first));
    }

    [Fact]
    public void KeyCache_OtherEngine_LocalizesDifferently()
    {
        byte[] here = UsmKeyCache.GetLocalizedKey(SnmpAuthProtocol.Sha256, "maplesyrup", Rfc3414EngineId);
        byte[] there = UsmKeyCache.GetLocalizedKey(SnmpAuthProtocol.Sha256, "maplesyrup", Convert.FromHexString("80001f8880aabbccdd"));
        Assert.NotEqual(here, there);
    }

    [Fact]
    public void Sha224_Abc_IsTheFips180Vector()
    {
        Assert.Equal("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", Convert.ToHexStringLower(Sha224.HashData("abc"u8)));
    }

    [Fact]
    public void Sha224_TwoBlockMessage_IsTheFips180Vector()
    {
        byte[] message = Encoding.ASCII.GetBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
        Assert.Equal("75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525", Convert.ToHexStringLower(Sha224.HashData(message)));
    }

    [Fact]
    public void HmacSha224_Rfc4231TestCase1_Matches()
    {
        byte[] key = Enumerable.Repeat((byte)0x0b, 20).ToArray();
        Assert.Equal(
            "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
            Convert.ToHexStringLower(UsmCrypto.Hmac(SnmpAuthProtocol.Sha224, key, "Hi There"u8)));
    }

    [Fact]
    public void HmacSha224_KeyLongerThanABlock_IsRfc4231TestCase6()
    {
        byte[] key = Enumerable.Repeat((byte)0xaa, 131).ToArray();
        byte[] data = Encoding.ASCII.GetBytes("Test Using Larger Than Block-Size Key - Hash Key First");
        Assert.Equal(
            "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e",
            Convert.ToHexStringLower(UsmCrypto.Hmac(SnmpAuthProtocol.Sha224, key, data)));
    }

    [Theory]
    [InlineData(SnmpAuthProtocol.Md5, 12)]
    [InlineData(SnmpAuthProtocol.Sha1, 12)]
    [InlineData(SnmpAuthProtocol.Sha224, 16)]
    [InlineData(SnmpAuthProtocol.Sha256, 24)]
    [InlineData(SnmpAuthProtocol.Sha384, 32)]
    [InlineData(SnmpAuthProtocol.Sha512, 48)]
    public void Mac_EachProtocol_IsTruncatedToTheRfcLength(SnmpAuthProtocol protocol, int length)
    {
        byte[] key = UsmCrypto.Localize(protocol, UsmCrypto.PasswordToKey(protocol, "maplesyrup"u8), Rfc3414EngineId);
        byte[] mac = UsmCrypto.Mac(protocol, key, "a whole message"u8);
        Assert.Equal(length, mac.Length);
        Assert.Equal(UsmCrypto.Hmac(protocol, key, "a whole message"u8)[..length], mac);
    }

    [Theory]
    [InlineData(SnmpPrivProtocol.Des, 1)]
    [InlineData(SnmpPrivProtocol.Des, 77)]
    [InlineData(SnmpPrivProtocol.Aes128, 1)]
    [InlineData(SnmpPrivProtocol.Aes128, 77)]
    public void EncryptDecrypt_RoundTrip_ReturnsThePlaintext(SnmpPrivProtocol protocol, int length)
    {
        byte[] key = UsmCrypto.Localize(SnmpAuthProtocol.Sha1, UsmCrypto.PasswordToKey(SnmpAuthProtocol.Sha1, "privpass1"u8), Rfc3414EngineId);
        byte[] plaintext = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        byte[] salt = Convert.FromHexString("0000000712345678");

        byte[] ciphertext = UsmCrypto.Encrypt(protocol, key, 7, 1234, salt, plaintext);
        byte[] decrypted = UsmCrypto.Decrypt(protocol, key, 7, 1234, salt, ciphertext);

        Assert.NotEqual(plaintext, ciphertext[..length]);
        if (protocol == SnmpPrivProtocol.Des)
        {
            // CBC works in 8-octet blocks; the padding follows the plaintext.
            Assert.Equal(0, ciphertext.Length % 8);
            Assert.Equal(plaintext, decrypted[..length]);
        }
        else
        {
            Assert.Equal(length, ciphertext.Length);
            Assert.Equal(plaintext, decrypted);
        }
    }

    [Theory]
    [InlineData(SnmpPrivProtocol.Des)]
    [InlineData(SnmpPrivProtocol.Aes128)]
    public void Encrypt_OtherSalt_GivesOtherCiphertext(SnmpPrivProtocol protocol)
    {
        byte[] key = Convert.FromHexString("0123456789abcdeffedcba98765432100123456789");
        byte[] plaintext = new byte[32];
        byte[] one = UsmCrypto.Encrypt(protocol, key, 1, 2, Convert.FromHexString("0000000100000001"), plaintext);
        byte[] two = UsmCrypto.Encrypt(protocol, key, 1, 2, Convert.FromHexString("0000000100000002"), plaintext);
        Assert.NotEqual(one, two);
    }

    [Fact]
    public void Aes_OtherEngineTime_DecryptsToSomethingElse()
    {
        // The IV carries engineBoots and engineTime (RFC 3826 section 3.1.2.1), so the receiver must use the message's.
        byte[] key = new byte[20];
        byte[] salt = new byte[8];
        byte[] plaintext = Encoding.ASCII.GetBytes("scoped PDU bytes");
        byte[] ciphertext = UsmCrypto.Encrypt(SnmpPrivProtocol.Aes128, key, 1, 100, salt, plaintext);
        Assert.NotEqual(plaintext, UsmCrypto.Decrypt(SnmpPrivProtocol.Aes128, key, 1, 101, salt, ciphertext));
    }
}
