using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Connectors.Tests.Email;

/// <summary>A server certificate for 127.0.0.1 and localhost written as PEM files, self-signed or issued by a test CA.</summary>
public sealed class TestCertificate
{
    private TestCertificate(string certificatePath, string keyPath, string sha256, string? caPath)
    {
        CertificatePath = certificatePath;
        KeyPath = keyPath;
        Sha256 = sha256;
        CaPath = caPath;
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>The hex SHA-256 of the certificate (what <c>pinned_sha256</c> takes).</summary>
    public string Sha256 { get; }

    /// <summary>The issuing CA's certificate, for <c>ca_file</c>; null when self-signed.</summary>
    public string? CaPath { get; }

    public static TestCertificate SelfSigned()
    {
        var directory = Directory.CreateTempSubdirectory("smtp-cert-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = ServerRequest(key).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return Write(directory, certificate, key, caPath: null);
    }

    public static TestCertificate IssuedByTestCa()
    {
        var directory = Directory.CreateTempSubdirectory("smtp-cert-").FullName;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Orchestrator Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
        var caPath = Path.Combine(directory, "ca.pem");
        File.WriteAllText(caPath, ca.ExportCertificatePem());

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = ServerRequest(key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));
        return Write(directory, certificate, key, caPath);
    }

    private static CertificateRequest ServerRequest(ECDsa key)
    {
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request;
    }

    private static TestCertificate Write(string directory, X509Certificate2 certificate, ECDsa key, string? caPath)
    {
        var certificatePath = Path.Combine(directory, "server.pem");
        var keyPath = Path.Combine(directory, "server.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new TestCertificate(certificatePath, keyPath, Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), caPath);
    }
}
