using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SalesEtl.TestSupport;

/// <summary>
/// A TLS endpoint in front of the local broker's plain AMQP port, as a load balancer or a managed broker's TLS listener
/// is: clients speak real TLS 1.2/1.3 to it (a certificate for <c>localhost</c> signed by a throwaway CA, written to
/// <see cref="CaCertificatePath"/>), and every connection is forwarded byte for byte to the broker. The shared test
/// broker is not reconfigured (a TLS listener would need a restart of the node every test run uses).
/// </summary>
public sealed class TlsTerminatingProxy : IAsyncDisposable
{
    readonly TcpListener listener;
    readonly X509Certificate2 serverCertificate;
    readonly (string Host, int Port) target;
    readonly CancellationTokenSource stopping = new();
    readonly Task accepting;
    readonly string folder;

    int sessions;

    public int Port { get; }

    /// <summary>TLS handshakes completed so far: proof that a client really spoke TLS.</summary>
    public int Sessions => Volatile.Read(ref sessions);

    /// <summary>PEM file of the CA that signed the proxy's certificate.</summary>
    public string CaCertificatePath { get; }

    public TlsTerminatingProxy(string targetHost, int targetPort)
    {
        target = (targetHost, targetPort);
        folder = Path.Combine(Path.GetTempPath(), "sales-etl-tls", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=SalesEtl test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        CaCertificatePath = Path.Combine(folder, "ca.pem");
        File.WriteAllText(CaCertificatePath, ca.ExportCertificatePem());

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        // SslStream on Linux wants a certificate whose key came from a PKCS#12 load, not an ephemeral one.
        serverCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptAsync(stopping.Token);
    }

    async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = ForwardAsync(client, cancellationToken);
        }
    }

    async Task ForwardAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = serverCertificate }, cancellationToken);
                Interlocked.Increment(ref sessions);
                await upstream.ConnectAsync(target.Host, target.Port, cancellationToken);
                var broker = upstream.GetStream();
                // When either side closes, the other is closed too.
                await Task.WhenAny(tls.CopyToAsync(broker, cancellationToken), broker.CopyToAsync(tls, cancellationToken));
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
            {
                // A client that rejected our certificate, or a connection torn down: nothing to forward.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await accepting;
        serverCertificate.Dispose();
        stopping.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
