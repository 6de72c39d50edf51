using System.Net;
using System.Text;
using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;

namespace GeoDns.Health;

/// <summary>
/// What a plain <c>http</c> probe sends and looks for, built once per probe target: the request
/// bytes (<c>GET path HTTP/1.1</c> with the Host header, <c>Connection: close</c> and our
/// User-Agent), the endpoint when the address is a literal, and the body text as UTF-8 bytes
/// (searched in the raw body: UTF-8 is self-synchronising, so a byte match is a text match).
/// </summary>
internal sealed class PlainHttpRequest
{
    public const string UserAgent = "GeoDns-HealthCheck/1.0";

    private PlainHttpRequest(byte[] bytes, IPEndPoint? endPoint, StatusRanges expect, byte[]? body, string? bodyText)
    {
        Bytes = bytes;
        EndPoint = endPoint;
        NativeAddress = endPoint is not null && InlineConnect.IsSupported ? InlineConnect.NativeAddress(endPoint) : null;
        Expect = expect;
        Body = body;
        BodyText = bodyText;
    }

    public byte[] Bytes { get; }

    /// <summary>Where to connect; null when the member's address is a host name, resolved per probe.</summary>
    public IPEndPoint? EndPoint { get; }

    public StatusRanges Expect { get; }

    /// <summary>The endpoint as a native socket address, for <see cref="InlineConnect"/> (Linux, literal addresses).</summary>
    public byte[]? NativeAddress { get; }

    /// <summary>The UTF-8 bytes the body must contain, or null when the body is not checked.</summary>
    public byte[]? Body { get; }

    public string? BodyText { get; }

    /// <summary>The request for <paramref name="target"/> connecting to <paramref name="address"/>.</summary>
    public static PlainHttpRequest For(ProbeTarget target, IPAddress address, bool keepEndPoint)
    {
        var settings = target.Settings;
        var uri = HttpChecker.RequestUri(target, address);

        // As HttpClient writes it: the port only when it is not the scheme's default, IPv6 in brackets.
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        string authority = uri.IsDefaultPort ? host : $"{host}:{uri.Port}";
        string text = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: {UserAgent}\r\nConnection: close\r\n\r\n";
        string? body = settings.Get(HttpCheck.Body);
        return new PlainHttpRequest(Encoding.ASCII.GetBytes(text), keepEndPoint ? new IPEndPoint(address, settings.Port) : null,
            settings.Get(HttpCheck.Expect), body is null ? null : Encoding.UTF8.GetBytes(body), body);
    }

    /// <summary>Whether <paramref name="address"/> needs no resolving (then the whole request is built once).</summary>
    public static bool IsLiteral(string address, out IPAddress literal) => IPAddress.TryParse(address, out literal!);
}
