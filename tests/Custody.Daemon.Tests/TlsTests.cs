using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Custody.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class TlsTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    [Fact]
    public void Plaintext_on_a_non_loopback_address_refuses_to_start()
    {
        var e = Assert.Throws<StartupException>(() => DaemonHost.Build(["--data-dir", daemon.DataDir, "--address", "0.0.0.0", "--port", "1"]));
        Assert.Contains("loopback", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_console_off_loopback_without_tls_or_on_a_port_in_use_refuses_to_start()
    {
        var e = Assert.Throws<StartupException>(() => DaemonHost.Build(["--data-dir", daemon.DataDir, "--port", "1", "--Console:Port=2", "--Console:Address=0.0.0.0"]));
        Assert.Equal("refusing the console in plaintext on 0.0.0.0: it is not a loopback address; configure Tls:CertificatePath or keep Console:Address on localhost", e.Message);
        e = Assert.Throws<StartupException>(() => DaemonHost.Build(["--data-dir", daemon.DataDir, "--port", "1", "--http-port", "2", "--Console:Port=2"]));
        Assert.Contains("Console:Port (2) must differ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_data_directory_refuses_to_start_with_what_to_do()
    {
        var e = Assert.Throws<StartupException>(() => DaemonHost.Build(["--data-dir", Path.Combine(daemon.DataDir, "nope")]));
        Assert.Contains("custody-admin init", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Mutual TLS: the server presents its certificate; a client without one from the configured CA cannot connect.</summary>
    [Fact]
    public async Task With_mutual_tls_only_clients_with_a_certificate_from_the_ca_get_through()
    {
        var dir = Directory.CreateTempSubdirectory("custody-tls-").FullName;
        try
        {
            using var ca = SelfSigned("CN=Custody test CA", isCa: true);
            using var server = Issued(ca, "CN=localhost", serverAuth: true);
            using var client = Issued(ca, "CN=backend-1", serverAuth: false);
            using var stranger = SelfSigned("CN=stranger", isCa: false);
            await File.WriteAllTextAsync(Path.Combine(dir, "ca.pem"), ca.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(dir, "server.pem"), server.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(dir, "server.key"), server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

            await daemon.RestartAsync($"--Tls:CertificatePath={Path.Combine(dir, "server.pem")}", $"--Tls:KeyPath={Path.Combine(dir, "server.key")}",
                $"--Tls:ClientCaPath={Path.Combine(dir, "ca.pem")}");
            try
            {
                var ping = await Ping(ca, client);
                Assert.Equal("admin", ping.Principal);
                await Assert.ThrowsAsync<RpcException>(() => Ping(ca, stranger));
                await Assert.ThrowsAsync<RpcException>(() => Ping(ca, null));
                // With TLS, ALPN lets the gRPC port answer HTTP/1.1 too; HttpPort has the same TLS and client-certificate rule.
                foreach (var port in new[] { daemon.Port, daemon.HttpPort })
                {
                    Assert.Contains("\"principal\":\"admin\"", await HttpPing(ca, client, port), StringComparison.Ordinal);
                    await Assert.ThrowsAsync<HttpRequestException>(() => HttpPing(ca, stranger, port));
                    await Assert.ThrowsAsync<HttpRequestException>(() => HttpPing(ca, null, port));
                }
            }
            finally
            {
                await daemon.RestartAsync();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private async Task<string> HttpPing(X509Certificate2 trustedCa, X509Certificate2? clientCertificate, int port)
    {
        using var http = new HttpClient(Handler(trustedCa, clientCertificate)) { DefaultRequestVersion = System.Net.HttpVersion.Version11 };
        http.DefaultRequestHeaders.Authorization = new("Bearer", daemon.AdminToken);
        return await http.GetStringAsync($"https://localhost:{port}/v1/ping");
    }

    private async Task<PingResponse> Ping(X509Certificate2 trustedCa, X509Certificate2? clientCertificate)
    {
        using var channel = GrpcChannel.ForAddress($"https://localhost:{daemon.Port}", new GrpcChannelOptions { HttpHandler = Handler(trustedCa, clientCertificate) });
        return await new SystemService.SystemServiceClient(channel).PingAsync(new PingRequest(), DaemonFixture.Bearer(daemon.AdminToken));
    }

    private static SocketsHttpHandler Handler(X509Certificate2 trustedCa, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 c && chain.Build(c);
        };
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = [clientCertificate];
        return handler;
    }

    private static X509Certificate2 SelfSigned(string subject, bool isCa)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        if (isCa) request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddHours(2)); // outlives what it issues
    }

    private static X509Certificate2 Issued(X509Certificate2 ca, string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), serial);
        // The TLS stacks want the private key attached and exportable (PFX round trip on Linux).
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pfx), null);
    }
}
