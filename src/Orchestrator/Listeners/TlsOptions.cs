using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Listeners;

/// <summary>The server certificate of a TLS listener: PEM certificate and key files, or a PKCS#12 (PFX) file.</summary>
public sealed class TlsOptions
{
    /// <summary>PEM certificate file (the chain may follow the leaf); needs <see cref="KeyPath"/>.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key file (PKCS#8, RSA or EC), unencrypted.</summary>
    public string? KeyPath { get; set; }

    /// <summary>PKCS#12 file holding the certificate and its key; the alternative to the PEM pair.</summary>
    public string? PfxPath { get; set; }

    public string? PfxPassword { get; set; }

    /// <summary>Clients must present a certificate that validates against the system trust store.</summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>True when a certificate source is set; the TLS listener starts only then.</summary>
    public bool IsConfigured => !string.IsNullOrEmpty(CertificatePath) || !string.IsNullOrEmpty(PfxPath);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the option under <paramref name="section"/>.</summary>
    public void Validate(string section)
    {
        var hasPem = !string.IsNullOrEmpty(CertificatePath);
        var hasKey = !string.IsNullOrEmpty(KeyPath);
        var hasPfx = !string.IsNullOrEmpty(PfxPath);
        if (hasPem && hasPfx)
        {
            throw new InvalidOperationException($"{section}.pfx: set either certificate and key (PEM) or pfx, not both");
        }

        if (!hasPem && !hasPfx)
        {
            throw new InvalidOperationException(hasKey
                ? $"{section}.certificate: is required with {section}.key"
                : $"{section}.certificate: is required: set certificate and key (PEM files) or pfx");
        }

        if (hasPem)
        {
            RequireFile(section, "certificate", CertificatePath!);
            if (!hasKey)
            {
                throw new InvalidOperationException($"{section}.key: is required with {section}.certificate (a PEM private key file)");
            }

            RequireFile(section, "key", KeyPath!);
        }
        else
        {
            if (hasKey)
            {
                throw new InvalidOperationException($"{section}.key: is only used with {section}.certificate, not with {section}.pfx");
            }

            RequireFile(section, "pfx", PfxPath!);
        }
    }

    /// <summary>Validates, then loads the certificate with its private key; errors name the option.</summary>
    public X509Certificate2 LoadCertificate(string section)
    {
        Validate(section);
        var option = string.IsNullOrEmpty(PfxPath) ? "certificate" : "pfx";
        X509Certificate2 certificate;
        try
        {
            certificate = option == "pfx"
                ? X509CertificateLoader.LoadPkcs12FromFile(PfxPath!, PfxPassword)
                : X509Certificate2.CreateFromPemFile(CertificatePath!, KeyPath);
        }
        catch (CryptographicException ex)
        {
            var file = option == "pfx" ? PfxPath : CertificatePath;
            throw new InvalidOperationException($"{section}.{option}: cannot load '{file}': {ex.Message}", ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"{section}.{option}: the certificate has no private key");
        }

        return certificate;
    }

    private static void RequireFile(string section, string option, string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{section}.{option}: file '{path}' not found");
        }
    }
}
