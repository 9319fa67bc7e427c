using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Connectors.Tls;

/// <summary>
/// Whether a server's TLS certificate is trusted, for every connector that speaks TLS to a server of ours (SMTP,
/// firewall APIs): the system store by default; a CA file (PEM) trusted besides it; or a pinned certificate (the hex
/// SHA-256 of its DER), accepted whatever its issuer or name. A pin alone replaces the system store. One check, so
/// every connector accepts and refuses alike and says the same thing when it refuses.
/// </summary>
public sealed class ServerCertificateTrust
{
    /// <summary>What a pin must look like, for validation messages.</summary>
    public const string PinFormat = "pinned_sha256: must be 64 hex digits (colons allowed), the SHA-256 of the server certificate";

    private readonly byte[]? _pin;
    private readonly X509Certificate2Collection? _trustedCas;

    private ServerCertificateTrust(byte[]? pin, X509Certificate2Collection? trustedCas)
    {
        _pin = pin;
        _trustedCas = trustedCas;
    }

    /// <summary>The trust for <paramref name="caFile"/> and <paramref name="pinnedSha256"/> (either may be empty).</summary>
    /// <exception cref="ArgumentException">The pin is not 64 hex digits, or the CA file is missing or holds no certificate.</exception>
    public static ServerCertificateTrust Create(string? caFile, string? pinnedSha256)
    {
        byte[]? pin = null;
        if (pinnedSha256 is { Length: > 0 })
        {
            pin = ParsePin(pinnedSha256) ?? throw new ArgumentException(PinFormat, nameof(pinnedSha256));
        }

        X509Certificate2Collection? cas = null;
        if (caFile is { Length: > 0 })
        {
            if (!File.Exists(caFile))
            {
                throw new ArgumentException($"ca_file: '{caFile}' does not exist", nameof(caFile));
            }

            cas = [];
            cas.ImportFromPemFile(caFile);
            if (cas.Count == 0)
            {
                throw new ArgumentException($"ca_file: '{caFile}' holds no PEM certificate", nameof(caFile));
            }
        }

        return new ServerCertificateTrust(pin, cas);
    }

    /// <summary>The pin as 32 bytes, or null when it is not 64 hex digits (colons and spaces ignored).</summary>
    public static byte[]? ParsePin(string pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        var hex = pin.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (hex.Length != 64)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Null when the certificate is trusted; otherwise why not, in words that say how to trust it.
    /// </summary>
    /// <param name="certificate">What the server presented, as a validation callback gets it.</param>
    /// <param name="chain">The chain the platform built, for its intermediate certificates.</param>
    /// <param name="errors">What the platform's own check found.</param>
    /// <param name="host">The name the client asked for, for the name-mismatch message.</param>
    /// <param name="settings">Where <c>ca_file</c> and <c>pinned_sha256</c> are set, as a prefix: <c>"smtp "</c>, <c>"options."</c>.</param>
    public string? Check(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string host, string settings)
    {
        if (certificate is null)
        {
            return "the server sent no certificate";
        }

        var digest = SHA256.HashData(certificate.GetRawCertData());
        if (_pin is not null && digest.AsSpan().SequenceEqual(_pin))
        {
            return null;
        }

        if (_trustedCas is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && ChainsToTrustedCa(certificate, chain))
        {
            return null;
        }

        // A pin replaces the system store: only that certificate (or the CA file) is accepted.
        if (_pin is null && errors == SslPolicyErrors.None)
        {
            return null;
        }

        var hash = Convert.ToHexStringLower(digest);
        return _pin is not null && _trustedCas is null
            ? $"the server certificate '{certificate.Subject}' (SHA-256 {hash}) is not the pinned_sha256 certificate"
            : (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0
                ? $"the server certificate '{certificate.Subject}' does not name host '{host}'"
                : $"the server certificate '{certificate.Subject}' issued by '{certificate.Issuer}' is not trusted: set {settings}ca_file to its CA, or {settings}pinned_sha256 to {hash}";
    }

    private bool ChainsToTrustedCa(X509Certificate certificate, X509Chain? presented)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trustedCas!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}

/// <summary>
/// Thrown from a certificate validation callback so the refusal's reason reaches the caller (an HttpClient only
/// reports "the remote certificate was rejected" otherwise); not retried, as a certificate does not change between attempts.
/// </summary>
public sealed class CertificateRejectedException : Exception
{
    public CertificateRejectedException()
    {
    }

    public CertificateRejectedException(string message)
        : base(message)
    {
    }

    public CertificateRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
