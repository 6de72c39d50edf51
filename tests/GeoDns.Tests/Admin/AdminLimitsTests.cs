using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GeoDns.Core.Health;
using GeoDns.Tests.Redis;
using static GeoDns.Tests.Redis.SharedNode;

namespace GeoDns.Tests.Admin;

/// <summary>
/// A hostile or careless client cannot make the admin API hold or echo big requests: bodies
/// over a few KB get 413 on every route without being read, and error messages quote at most
/// a short prefix of what was sent.
/// </summary>
[CancelAfter(60_000)]
public class AdminLimitsTests
{
    private const string Token = "s3cret-token";
    private const int QuoteLimit = 64;
    private string _tokenFile = null!;
    private SharedNode _node = null!;
    private HttpClient _http = null!;

    private static string StatePath => $"/api/v1/pools/{Us1.Pool}/members/{Us1.Member}/state";

    [SetUp]
    public async Task SetUp()
    {
        _tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(_tokenFile, Token + "\n");
        _node = await SharedNode.StartAsync(null, "a", "geodns-admin-limits:", admin: "127.0.0.1:0", tokenFile: _tokenFile);
        _http = new HttpClient { BaseAddress = _node.Admin.Address, Timeout = TimeSpan.FromSeconds(10) };
    }

    [TearDown]
    public async Task TearDown()
    {
        _http.Dispose();
        await _node.DisposeAsync();
        File.Delete(_tokenFile);
    }

    private static HttpRequestMessage Post(string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return request;
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;

    [Test]
    public async Task A_bad_state_quotes_only_a_short_prefix_of_the_body()
    {
        var body = "sideways-" + new string('x', 3000);
        var response = await _http.SendAsync(Post(StatePath, new StringContent(body, Encoding.UTF8, "text/plain")));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var error = await ErrorOf(response);
        Assert.Multiple(() =>
        {
            Assert.That(error, Does.Contain("up, down or auto"));
            Assert.That(error, Does.Contain("sideways-xxx"), "a prefix is quoted");
            Assert.That(error, Does.Not.Contain(new string('x', QuoteLimit + 1)), "never more than the prefix");
            Assert.That(error, Has.Length.LessThan(300));
        });
    }

    [TestCase("/api/v1/regions/{0}/drain")]
    [TestCase("/api/v1/pools/{0}/unpin")]
    [TestCase("/api/v1/pools/www.gtm.example.test./pin/{0}")]
    [TestCase("/api/v1/pools/www.gtm.example.test./members/{0}/state?state=up")]
    public async Task Long_names_in_the_path_are_quoted_short(string template)
    {
        var name = "n" + new string('y', 2000);
        var response = await _http.SendAsync(Post(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, name)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var error = await ErrorOf(response);
        Assert.That(error, Does.Contain("nyyy"));
        Assert.That(error, Does.Not.Contain(new string('y', QuoteLimit + 1)));
    }

    [Test]
    public async Task A_29_MB_body_gets_413_before_it_is_sent()
    {
        // Headers announce 29 MB; only 64 KB follow. The reply must come without the rest.
        var (status, text) = await RawPostAsync(StatePath, contentLength: 29_000_000, sendBytes: 64 << 10, chunked: false);
        Assert.That(status, Is.EqualTo(413), text);
        Assert.That(text, Does.Not.Contain("xxxxxxxx"), "the body is not echoed");
        Assert.That(_node.Slot(Us1).Override, Is.EqualTo(MemberOverride.Auto));
    }

    [Test]
    public async Task A_chunked_body_over_the_cap_gets_413_on_a_route_that_reads_no_body()
    {
        var (status, _) = await RawPostAsync("/api/v1/regions/eu-west/drain", contentLength: null, sendBytes: 64 << 10, chunked: true);
        Assert.That(status, Is.EqualTo(413));
        Assert.That(_node.Slot(Eu1).Usable, Is.True, "the drain was not applied");
    }

    [Test]
    public async Task A_large_declared_body_gets_413_on_a_route_that_reads_no_body()
    {
        var response = await _http.SendAsync(Post("/api/v1/regions/eu-west/drain", new ByteArrayContent(new byte[64 << 10])));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await ErrorOf(response), Does.Contain("body"));
        Assert.That(_node.Slot(Eu1).Usable, Is.True, "the drain was not applied");
    }

    [Test]
    public async Task Bodies_within_the_cap_still_work()
    {
        var small = Post(StatePath, new StringContent("{\"state\":\"down\"" + new string(' ', 2000) + "}", Encoding.UTF8, "application/json"));
        Assert.That((await _http.SendAsync(small)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_node.Slot(Us1).Override, Is.EqualTo(MemberOverride.ForceDown));

        // Chunked (no Content-Length), small: read and applied.
        var (status, text) = await RawPostAsync(StatePath, contentLength: null, sendBytes: 0, chunked: true, payload: "auto");
        Assert.That(status, Is.EqualTo(200), text);
        Assert.That(_node.Slot(Us1).Override, Is.EqualTo(MemberOverride.Auto));
    }

    /// <summary>
    /// A POST over a raw socket: the body is <paramref name="payload"/> or <paramref name="sendBytes"/>
    /// of 'x' (chunked or after a Content-Length that may announce more); then only reads the reply.
    /// </summary>
    private async Task<(int Status, string Text)> RawPostAsync(string path, long? contentLength, int sendBytes, bool chunked, string? payload = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var address = _node.Admin.Address!;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, address.Port, timeout.Token);
        var stream = client.GetStream();
        var head = new StringBuilder()
            .Append(FormattableString.Invariant($"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {Token}\r\n"))
            .Append("Content-Type: text/plain\r\n")
            .Append(chunked ? "Transfer-Encoding: chunked\r\n" : FormattableString.Invariant($"Content-Length: {contentLength}\r\n"))
            .Append("\r\n");
        var body = Encoding.ASCII.GetBytes(payload ?? new string('x', sendBytes));
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), timeout.Token);
            if (chunked)
            {
                for (int at = 0; at < body.Length; at += 4096)
                {
                    int size = Math.Min(4096, body.Length - at);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{size:x}\r\n"), timeout.Token);
                    await stream.WriteAsync(body.AsMemory(at, size), timeout.Token);
                    await stream.WriteAsync("\r\n"u8.ToArray(), timeout.Token);
                }

                if (payload is not null)
                {
                    await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), timeout.Token);
                }
            }
            else
            {
                await stream.WriteAsync(body, timeout.Token);
            }
        }
        catch (IOException)
        {
            // The server may close while the body is still coming: read what it said.
        }

        var reply = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                reply.Write(buffer, 0, read);
                if (Complete(reply.ToArray()))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // Reset after the reply: what was read stands.
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no complete reply within 10 s; got: {Encoding.ASCII.GetString(reply.ToArray())}");
        }

        var text = Encoding.ASCII.GetString(reply.ToArray());
        Assert.That(text, Does.StartWith("HTTP/1.1 "), "a reply");
        return (int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), text);
    }

    /// <summary>Headers and a Content-Length body (or a final chunk) received.</summary>
    private static bool Complete(byte[] reply)
    {
        var text = Encoding.ASCII.GetString(reply);
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var match = System.Text.RegularExpressions.Regex.Match(text[..end], @"(?im)^content-length:\s*(\d+)");
        if (match.Success)
        {
            return text.Length - end - 4 >= int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
    }
}
