using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace GeoDns.Tests.Health;

/// <summary>
/// A minimal HTTP/1.1 server for checker tests: one response per connection, optional TLS
/// with a certificate made in the test. Records the Host header, TLS SNI and paths it saw.
/// Paths listed in <see cref="Paths"/> get their own status and body; every other path gets
/// <see cref="Status"/> and <see cref="Body"/> (and a <c>Location</c> header when <see cref="Location"/> is set).
/// </summary>
internal sealed class TestHttpServer : LoopbackHttpServer
{
    private readonly X509Certificate2? _certificate;

    public TestHttpServer(IPAddress address, int port = 0, X509Certificate2? certificate = null)
        : base(address, port)
    {
        _certificate = certificate;
        Accept();
    }

    public int Status { get; set; } = 200;

    public string Body { get; set; } = "all ok";

    public TimeSpan Delay { get; set; }

    public string? Location { get; set; }

    public ConcurrentDictionary<string, (int Status, string Body)> Paths { get; } = new(StringComparer.Ordinal);

    /// <summary>The request paths, in the order they arrived.</summary>
    public IReadOnlyList<string> RequestPaths => [.. _paths];

    private readonly ConcurrentQueue<string> _paths = new();

    public string? LastHost { get; private set; }

    public string? LastSni { get; private set; }

    /// <summary>A self-signed certificate for <paramref name="name"/>, made now.</summary>
    public static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    protected override async Task ServeAsync(Socket socket)
    {
        try
        {
            using var _ = socket;
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, Stop.Token);
                LastSni = tls.TargetHostName;
                stream = tls;
            }

            await using (stream)
            {
                var (request, _) = await LoopbackAccept.ReadRequestHeadAsync(stream, Stop.Token);
                var lines = request.Split("\r\n");
                LastHost = lines.FirstOrDefault(l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))?[5..].Trim();
                string path = lines[0].Split(' ') is [_, var target, ..] ? target : "";
                _paths.Enqueue(path);
                Record(request);
                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, Stop.Token);
                }

                var (status, text, location) = Paths.TryGetValue(path, out var listed) ? (listed.Status, listed.Body, null) : (Status, Body, Location);
                byte[] body = Encoding.UTF8.GetBytes(text);
                string locationHeader = location is null ? "" : $"Location: {location}\r\n";
                byte[] head = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {status} Test\r\n{locationHeader}Content-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head, Stop.Token);
                await stream.WriteAsync(body, Stop.Token);
                await stream.FlushAsync(Stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
        }
    }
}
