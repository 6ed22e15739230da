using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace DiffQuant.Cluster;

/// <summary>
/// Mutual TLS for all cluster traffic (silo–silo and client–silo): this end's certificate and key (PEM), and the CA
/// (PEM) every other end's certificate must chain to. A peer without a certificate, or with one the CA did not sign,
/// is refused. Peers are authenticated by the CA alone, not by host name: silos announce IP addresses.
/// </summary>
public sealed class TlsSettings
{
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection _authority;

    private TlsSettings(X509Certificate2 certificate, X509Certificate2Collection authority, string[] arguments) => (_certificate, _authority, Arguments) = (certificate, authority, arguments);

    /// <summary>The `--tls-cert`, `--tls-key` and `--tls-ca` arguments (absolute paths) that load these settings again: what loopback silos are started with.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The host name a client asks for in its handshake (checked by nothing; see the class remarks).</summary>
    private const string TargetHost = "diffquant";

    /// <summary>Loads the three PEM files; a clear error naming the file when one is missing or not a certificate or key.</summary>
    public static TlsSettings Load(string certificate, string key, string authority)
    {
        X509Certificate2 local;
        try
        {
            local = X509Certificate2.CreateFromPemFile(certificate, key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new DiffQuantException($"cannot load the TLS certificate '{certificate}' with its key '{key}': {e.Message}");
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(authority);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new DiffQuantException($"cannot load the TLS CA '{authority}': {e.Message}");
        }

        if (authorities.Count == 0)
        {
            throw new DiffQuantException($"the TLS CA '{authority}' holds no certificate.");
        }

        // Linux's TLS stack needs the key in a form it can hand to OpenSSL: a PKCS#12 round trip gives it one.
        return new TlsSettings(
            X509CertificateLoader.LoadPkcs12(local.Export(X509ContentType.Pkcs12), null),
            authorities,
            ["--tls-cert", Path.GetFullPath(certificate), "--tls-key", Path.GetFullPath(key), "--tls-ca", Path.GetFullPath(authority)]);
    }

    /// <summary>Orleans' TLS options for either end: present our certificate, require the peer's, accept only the CA's.</summary>
    public void Configure(TlsOptions options)
    {
        options.LocalCertificate = _certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, errors) => certificate is not null && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0 && Trusted(certificate);
        options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = TargetHost;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to the configured CA (and only to it).</summary>
    public bool Trusted(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
