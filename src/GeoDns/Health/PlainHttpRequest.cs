using System.Diagnostics;
using System.Net;
using System.Text;
using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;

namespace GeoDns.Health;

/// <summary>
/// What a plain <c>http</c> probe sends and looks for, built once per probe target: the request
/// bytes (<c>GET path HTTP/1.1</c> with the Host header, <c>Connection: close</c> unless
/// <c>keepalive</c>, and our User-Agent), the endpoint when the address is a literal, and the body
/// text as UTF-8 bytes (searched in the raw body: UTF-8 is self-synchronising, so a byte match is a
/// text match). With <c>keepalive</c> it also holds the target's open connection between probes.
/// </summary>
internal sealed class PlainHttpRequest
{
    public const string UserAgent = "GeoDns-HealthCheck/1.0";

    /// <summary>How long a kept connection serves before a new one is opened (so a server that stopped accepting is noticed).</summary>
    public static readonly TimeSpan KeptConnectionMaxAge = TimeSpan.FromMinutes(1);

    private IProbeConnection? _kept;
    private long _keptSince;
    private volatile bool _closed;

    private PlainHttpRequest(byte[] bytes, IPEndPoint? endPoint, StatusRanges expect, byte[]? body, string? bodyText, bool keepAlive)
    {
        KeepAlive = keepAlive;
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

    /// <summary>Whether connections are kept between probes (only for a literal address: a name may resolve elsewhere next time).</summary>
    public bool KeepAlive { get; }

    /// <summary>
    /// The connection kept from the last probe and when it was opened (a <see cref="Stopwatch"/>
    /// timestamp), or null: none, or older than <see cref="KeptConnectionMaxAge"/> at
    /// <paramref name="now"/> (then it is closed here).
    /// </summary>
    public IProbeConnection? TakeKept(long now, out long openedAt)
    {
        openedAt = Volatile.Read(ref _keptSince);
        var kept = Interlocked.Exchange(ref _kept, null);
        if (kept is not null && Stopwatch.GetElapsedTime(openedAt, now) > KeptConnectionMaxAge)
        {
            kept.Dispose();
            return null;
        }

        return kept;
    }

    /// <summary>
    /// Keeps <paramref name="connection"/> (opened at <paramref name="openedAt"/>) for the next probe;
    /// closes it instead when one is kept already or <see cref="CloseKept"/> was called.
    /// </summary>
    public void Keep(IProbeConnection connection, long openedAt)
    {
        Volatile.Write(ref _keptSince, openedAt);
        if (Interlocked.CompareExchange(ref _kept, connection, null) is not null)
        {
            connection.Dispose();
            return;
        }

        // Closed meanwhile: whichever of this and CloseKept takes it back closes it.
        if (_closed)
        {
            Interlocked.Exchange(ref _kept, null)?.Dispose();
        }
    }

    /// <summary>Closes the kept connection and keeps none from now on (the target is gone: a reload or a stop).</summary>
    public void CloseKept()
    {
        _closed = true;
        Interlocked.Exchange(ref _kept, null)?.Dispose();
    }

    /// <summary>The request for <paramref name="target"/> connecting to <paramref name="address"/>.</summary>
    public static PlainHttpRequest For(ProbeTarget target, IPAddress address, bool keepEndPoint)
    {
        var settings = target.Settings;
        var uri = HttpChecker.RequestUri(target, address);

        // As HttpClient writes it: the port only when it is not the scheme's default, IPv6 in brackets.
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        string authority = uri.IsDefaultPort ? host : $"{host}:{uri.Port}";
        bool keepAlive = keepEndPoint && settings.Get(HttpCheck.KeepAlive);
        string connection = keepAlive ? string.Empty : "Connection: close\r\n";
        string text = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: {UserAgent}\r\n{connection}\r\n";
        string? body = settings.Get(HttpCheck.Body);
        return new PlainHttpRequest(Encoding.ASCII.GetBytes(text), keepEndPoint ? new IPEndPoint(address, settings.Port) : null,
            settings.Get(HttpCheck.Expect), body is null ? null : Encoding.UTF8.GetBytes(body), body, keepAlive);
    }

    /// <summary>Whether <paramref name="address"/> needs no resolving (then the whole request is built once).</summary>
    public static bool IsLiteral(string address, out IPAddress literal) => IPAddress.TryParse(address, out literal!);
}
