using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace GeoDns.Cli;

/// <summary>A call to the admin API that did not succeed: the verb prints <see cref="Exception.Message"/> on one line and exits with <see cref="ExitCode"/>.</summary>
public sealed class AdminCallException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>An admin API reply: its status, its body as sent, and the body read as JSON (when it is JSON).</summary>
public sealed record AdminReply(HttpStatusCode Status, string Body, JsonElement Json);

/// <summary>
/// The options every verb against a running server shares (<c>--server URL</c>, <c>--token-file FILE</c>
/// or GEODNS_TOKEN_FILE, <c>--json</c>) and the HTTP calls with their errors mapped to exit codes:
/// unreachable 3, token refused 4 (401/403), unknown pool/member/region/name 5 (404), bad request 2.
/// </summary>
public sealed class AdminClient : IDisposable
{
    /// <summary>Where <c>geodns serve --admin</c> is usually asked to listen.</summary>
    public const string DefaultServer = "http://127.0.0.1:8053";

    /// <summary>The environment variable naming the token file when <c>--token-file</c> is not given.</summary>
    public const string TokenFileVariable = "GEODNS_TOKEN_FILE";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly string? _token;
    private readonly string? _tokenSource;

    private AdminClient(Uri server, string? token, string? tokenSource)
    {
        Server = server;
        _token = token;
        _tokenSource = tokenSource;
        _http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri Server { get; }

    /// <summary>The shared options, to add to a verb's command.</summary>
    public sealed class Options
    {
        public Option<string> Server { get; } = Verb.Text("--server", "URL", $"the admin API of a running geodns (default {DefaultServer})");

        public Option<string> TokenFile { get; } = Verb.Text("--token-file", "FILE", $"file holding the bearer token for changes (default ${TokenFileVariable})");

        public Option<bool> Json { get; } = Verb.Flag("--json", "print the API's JSON as it is");

        public void AddTo(Command command, bool token = true, bool json = true)
        {
            command.Add(Server);
            if (token)
            {
                command.Add(TokenFile);
            }

            if (json)
            {
                command.Add(Json);
            }
        }

        /// <summary>The client for the parsed options; throws <see cref="AdminCallException"/> (exit 2) for a bad URL or an unreadable token file.</summary>
        public AdminClient Connect(ParseResult parsed, bool withToken) =>
            Create(parsed.GetValue(Server), withToken ? parsed.GetValue(TokenFile) ?? Environment.GetEnvironmentVariable(TokenFileVariable) : null);
    }

    /// <summary>A client for <paramref name="server"/> (<c>http://host:port</c>, or <c>host:port</c>) with the token read from <paramref name="tokenFile"/>.</summary>
    public static AdminClient Create(string? server, string? tokenFile)
    {
        var uri = ParseServer(server ?? DefaultServer);
        string? token = null;
        if (!string.IsNullOrWhiteSpace(tokenFile))
        {
            token = ReadToken(tokenFile);
        }

        return new AdminClient(uri, token, tokenFile);
    }

    public static Uri ParseServer(string text)
    {
        string candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw new AdminCallException(ExitCodes.Usage, $"--server '{text}' is not an http:// URL (for example {DefaultServer})");
        }

        return uri;
    }

    /// <summary>The first non-blank line of the file, as the server reads its token file.</summary>
    private static string ReadToken(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AdminCallException(ExitCodes.Usage, $"token file {path} cannot be read: {e.Message}");
        }

        return text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0)
            ?? throw new AdminCallException(ExitCodes.Usage, $"token file {path} is empty");
    }

    public Task<AdminReply> GetAsync(string path, CancellationToken cancellation) => SendAsync(HttpMethod.Get, path, null, cancellation);

    public Task<AdminReply> PostAsync(string path, string? body, CancellationToken cancellation) => SendAsync(HttpMethod.Post, path, body, cancellation);

    /// <summary>
    /// Sends one request; any answer but 2xx becomes an <see cref="AdminCallException"/>, except a
    /// 422 (zone errors of a reload) when <paramref name="allowUnprocessable"/> and a 404 that carries
    /// an explanation (<c>lines</c>) when <paramref name="allowNotFound"/>.
    /// </summary>
    public async Task<AdminReply> SendAsync(HttpMethod method, string path, string? body, CancellationToken cancellation,
        bool allowUnprocessable = false, bool allowNotFound = false)
    {
        var url = new Uri(Server, path);
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
        }
        else if (method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent([]);
        }

        if (method != HttpMethod.Get && _token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(CallTimeout);
        HttpResponseMessage response;
        string text;
        try
        {
            response = await _http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new AdminCallException(ExitCodes.Unreachable, $"cannot reach the admin API at {Server}: {Reason(e)}");
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new AdminCallException(ExitCodes.Unreachable, $"no answer from the admin API at {Server} within {CallTimeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var json = ReadJson(text);
            int status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode || (allowUnprocessable && status == 422)
                || (allowNotFound && status == 404 && json.ValueKind == JsonValueKind.Object && json.TryGetProperty("lines", out _)))
            {
                return new AdminReply(response.StatusCode, text, json);
            }

            string said = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
                ? error.GetString()!
                : $"{status} {response.ReasonPhrase}";
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new AdminCallException(ExitCodes.Unauthorized, _token is null
                    ? $"{url}: 401: no token given (--token-file FILE or ${TokenFileVariable})"
                    : $"{url}: 401: the server refused the token from {_tokenSource}"),
                HttpStatusCode.Forbidden => new AdminCallException(ExitCodes.Unauthorized, $"{url}: 403: {said}"),
                HttpStatusCode.NotFound => new AdminCallException(ExitCodes.NotFound, json.ValueKind == JsonValueKind.Object
                    ? $"{url}: 404: {said}"
                    : $"{url}: 404: no such endpoint on this server (an older geodns?)"),
                HttpStatusCode.BadRequest => new AdminCallException(ExitCodes.Usage, $"{url}: 400: {said}"),
                _ => new AdminCallException(ExitCodes.Failed, $"{url}: {said}"),
            };
        }
    }

    private static JsonElement ReadJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string Reason(HttpRequestException e) =>
        e.InnerException is SocketException socket ? socket.Message
        : e.InnerException?.Message ?? e.Message;

    public void Dispose() => _http.Dispose();
}
