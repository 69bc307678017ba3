using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SalesEtl.ServiceDefaults;

/// <summary>
/// TLS to the broker (AMQPS, usually port 5671; a managed RabbitMQ requires it): the name the broker's certificate must
/// carry and, for a broker whose certificate a private CA signed, that CA to trust. The services' bus, the <c>etl</c>
/// tool and its dead-letter commands all connect through this.
/// </summary>
/// <param name="CaCertificatePath">PEM or DER file of the CA; null trusts the system's store only.</param>
public sealed record BrokerTls(string ServerName, string? CaCertificatePath)
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The TLS settings of the options, or null when <see cref="RabbitMqOptions.UseTls"/> is off.</summary>
    public static BrokerTls? From(RabbitMqOptions options) =>
        options.UseTls
            ? new BrokerTls(string.IsNullOrWhiteSpace(options.TlsServerName) ? options.Host : options.TlsServerName,
                string.IsNullOrWhiteSpace(options.TlsCaCertificatePath) ? null : options.TlsCaCertificatePath)
            : null;

    /// <summary>
    /// Null for the platform's validation (system trust store); otherwise a validation that also accepts a chain
    /// ending at the configured CA. The name must match either way. Revocation is not checked against the private CA
    /// (such CAs rarely publish revocation lists).
    /// </summary>
    public RemoteCertificateValidationCallback? CreateValidator()
    {
        if (CaCertificatePath is null)
            return null;
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaCertificatePath);
        return (_, certificate, _, errors) => IsTrusted(ca, certificate, errors);
    }

    static bool IsTrusted(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
            return true;
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(presented);
    }
}
