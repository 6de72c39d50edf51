using GeoDns.Core.Health;
using GeoDns.Core.Settings;

namespace GeoDns.Core.Health.Checks;

/// <summary><c>http</c> and <c>https</c>: a GET whose status (and optionally body) proves the member alive.</summary>
public static class HttpCheck
{
    public static readonly Setting<string> Path = Setting.Custom("path", "a path starting with '/'", "/",
        (string text, out string value) =>
        {
            value = text;
            return text.StartsWith('/') ? null : "must start with '/'";
        });

    /// <summary>HTTP Host header and TLS SNI; the probed address when absent.</summary>
    public static readonly Setting<string?> Host = Setting.Text("host", "a host name or address", CheckSettings.HostOrAddress);

    public static readonly Setting<StatusRanges> Expect = Setting.Custom("expect", "status codes 100-599, ranges (200-299) or comma lists",
        StatusRanges.Default, (string text, out StatusRanges value) =>
        {
            bool ok = StatusRanges.TryParse(text, out var ranges);
            value = ranges ?? StatusRanges.Default;
            return ok ? null : "status codes 100-599, ranges (200-299) or comma lists";
        });

    /// <summary>A substring the response body must contain.</summary>
    public static readonly Setting<string?> Body = Setting.Text("body", "text the response body must contain");

    /// <summary>https only: skip certificate verification.</summary>
    public static readonly Setting<bool> Insecure = Setting.Boolean("insecure", false);

    /// <summary>
    /// http only: keep the connection open between probes (HTTP/1.1 keep-alive) instead of a new
    /// one per probe. A kept connection is reopened at least once a minute, so a server that
    /// stops accepting new connections is still noticed.
    /// </summary>
    public static readonly Setting<bool> KeepAlive = Setting.Boolean("keepalive", false);

    public static readonly CheckKind Http = new("http", CheckKind.PortSetting(80), [Path, Host, Expect, Body, KeepAlive]);

    public static readonly CheckKind Https = new("https", CheckKind.PortSetting(443), [Path, Host, Expect, Body, Insecure]);
}
