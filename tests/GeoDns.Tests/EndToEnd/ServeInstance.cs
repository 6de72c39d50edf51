using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using GeoDns.Core.Dns;
using GeoDns.Health;
using GeoDns.Tests.Cli;

namespace GeoDns.Tests.EndToEnd;

/// <summary>
/// One real <c>geodns serve</c> process (via <see cref="GeoDnsProcess"/>) on free loopback ports,
/// with an HTTP client for its admin API and a UDP client for its DNS port. Kills the process on dispose.
/// </summary>
internal sealed class ServeInstance : IDisposable
{
    private readonly GeoDnsProcess _process;
    private readonly HttpClient _http;

    private ServeInstance(string name, GeoDnsProcess process, IPEndPoint dns, Uri? admin)
    {
        Name = name;
        _process = process;
        Dns = dns;
        _http = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Name { get; }

    public IPEndPoint Dns { get; }

    /// <summary>The admin API's address (null without a token file).</summary>
    public Uri? Admin => _http.BaseAddress;

    public string Output => _process.Output;

    /// <summary>Starts <c>geodns serve</c> on <paramref name="zones"/>; with <paramref name="tokenFile"/> it also gets an admin port.</summary>
    /// <param name="extraArguments">More command-line arguments (for example <c>--config FILE</c>).</param>
    public static ServeInstance Start(string name, string zones, string? redis = null, string? tokenFile = null, string? extraArguments = null)
    {
        int dns = GeoDnsProcess.FreePort();
        var arguments = $"serve --zones \"{zones}\" --dns 127.0.0.1:{dns} --instance {name} {extraArguments}";
        Uri? admin = null;
        if (tokenFile is not null)
        {
            int adminPort = LoopbackPorts.FreeTcpPort();
            admin = new Uri($"http://127.0.0.1:{adminPort}");
            arguments += $" --admin 127.0.0.1:{adminPort} --admin-token-file \"{tokenFile}\"";
        }

        if (redis is not null)
        {
            arguments += $" --redis {redis}";
        }

        var process = GeoDnsProcess.Start(arguments, new Dictionary<string, string> { ["GEODNS_WATCHZONES"] = "false" });
        return new ServeInstance(name, process, new IPEndPoint(IPAddress.Loopback, dns), admin);
    }

    /// <summary>Waits until the DNS port answers <paramref name="name"/> with <paramref name="expected"/> (and /readyz is 200 when there is an admin port).</summary>
    public Task WaitReadyAsync(string name, string expected, TimeSpan timeout, CancellationToken token) =>
        WaitReadyAsync(name, expected, async () => await AskAsync(name, token, TimeSpan.FromSeconds(1)) == expected, timeout, token);

    /// <summary>As above, until the whole answer (addresses sorted, space-separated) is <paramref name="expected"/>.</summary>
    public Task WaitReadyWithAllAsync(string name, string expected, TimeSpan timeout, CancellationToken token) =>
        WaitReadyAsync(name, expected, async () => await AskAllAsync(name, token, TimeSpan.FromSeconds(1)) == expected, timeout, token);

    private async Task WaitReadyAsync(string name, string expected, Func<Task<bool>> answered, TimeSpan timeout, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            token.ThrowIfCancellationRequested();
            if (await answered() && (_http.BaseAddress is null || await ReadyAsync(token)))
            {
                return;
            }

            await Task.Delay(100, token);
        }

        Assert.Fail($"geodns {Name} did not answer {name} with {expected} within {timeout.TotalSeconds} s; output:\n{Output}");
    }

    private async Task<bool> ReadyAsync(CancellationToken token)
    {
        try
        {
            using var response = await _http.GetAsync("/readyz", token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The first address answered for <paramref name="name"/> A over UDP; null on no reply (or no answer record).</summary>
    public async Task<string?> AskAsync(string name, CancellationToken token, TimeSpan? timeout = null) =>
        (await QueryAsync(name, token, timeout))?.FirstOrDefault();

    /// <summary>Every address answered for <paramref name="name"/> A, sorted and space-separated; null on no reply.</summary>
    public async Task<string?> AskAllAsync(string name, CancellationToken token, TimeSpan? timeout = null) =>
        await QueryAsync(name, token, timeout) is { } answers ? string.Join(' ', answers.Order(StringComparer.Ordinal)) : null;

    /// <summary>The answers to <paramref name="name"/> A over UDP; null on no reply (5 s unless <paramref name="timeout"/>) or a failure rcode.</summary>
    private async Task<List<string>?> QueryAsync(string name, CancellationToken token, TimeSpan? timeout)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(Dns, token);
        ushort id = (ushort)Random.Shared.Next(ushort.MaxValue);
        await socket.SendAsync(DnsProbeMessage.BuildQuery(id, DnsName.Parse(name), RecordType.A), token);
        var buffer = new byte[1500];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, deadline.Token);
                if (DnsProbeMessage.TryReadResponse(buffer.AsSpan(0, n), id, out int rcode, out var answers))
                {
                    return rcode == 0 ? answers : null;
                }
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return null; // ICMP port unreachable while the process is not listening yet
        }
    }

    /// <summary>Polls until <paramref name="name"/> is answered with <paramref name="expected"/>; the time it took, or null after <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> TimeUntilAnswerAsync(string name, string expected, TimeSpan limit, CancellationToken token, Stopwatch? since = null)
    {
        var watch = since ?? Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if (await AskAsync(name, token, TimeSpan.FromMilliseconds(500)) == expected)
            {
                return watch.Elapsed;
            }

            await Task.Delay(5, token);
        }

        return null;
    }

    public async Task<HttpResponseMessage> PostAsync(string path, string? token, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(string.Empty) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _http.SendAsync(request, cancellation);
    }

    public async Task<JsonElement> GetJsonAsync(string path, CancellationToken token)
    {
        using var response = await _http.GetAsync(path, token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {path} on {Name}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(token)).RootElement.Clone();
    }

    /// <summary>The body of <c>GET <paramref name="path"/></c> (200 expected), as text.</summary>
    public async Task<string> GetTextAsync(string path, CancellationToken token)
    {
        using var response = await _http.GetAsync(path, token);
        string text = await response.Content.ReadAsStringAsync(token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {path} on {Name}: {text}");
        return text;
    }

    /// <summary><c>/api/v1/overrides</c> as one comparable string.</summary>
    public async Task<string> OverridesAsync(CancellationToken token)
    {
        var o = await GetJsonAsync("/api/v1/overrides", token);
        var drained = o.GetProperty("drainedRegions").EnumerateArray().Select(e => "drain " + e.GetString());
        var members = o.GetProperty("members").EnumerateArray()
            .Select(m => $"member {m.GetProperty("pool").GetString()} {m.GetProperty("member").GetString()} {m.GetProperty("state").GetString()}");
        var pins = o.GetProperty("pins").EnumerateArray().Select(p => $"pin {p.GetProperty("pool").GetString()} {p.GetProperty("region").GetString()}");
        return string.Join("; ", drained.Concat(members).Concat(pins).Order(StringComparer.Ordinal));
    }

    /// <summary>The members of <paramref name="pool"/> as <c>/api/v1/pools</c> reports them.</summary>
    public async Task<List<JsonElement>> MembersAsync(string pool, CancellationToken token)
    {
        var pools = await GetJsonAsync("/api/v1/pools", token);
        return [.. pools.GetProperty("pools").EnumerateArray()
            .Where(p => p.GetProperty("name").GetString() == pool)
            .SelectMany(p => p.GetProperty("members").EnumerateArray())];
    }

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
    }
}
