using System.Security.Cryptography;

namespace Orchestrator.Api;

/// <summary>Checks an HMAC-SHA256 signature header over the exact request body: hex, optionally prefixed <c>sha256=</c> (GitHub style).</summary>
public static class WebhookSignature
{
    public static bool IsValid(ReadOnlySpan<byte> body, byte[] secret, string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return false;
        }

        var text = header.Trim();
        if (text.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
        {
            text = text[7..];
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(secret, body);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    /// <summary>The header value a sender computes: <c>sha256=</c> and the lower-case hex HMAC.</summary>
    public static string Compute(ReadOnlySpan<byte> body, byte[] secret) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));
}
