using System.Security.Cryptography;
using StackExchange.Redis;

namespace GeoDns.Redis;

/// <summary>Settings of the shared store.</summary>
public sealed class RedisSharedStateOptions
{
    /// <summary>
    /// The default key prefix. The braces are a Redis Cluster hash tag: every key of one
    /// deployment hashes to the same slot, so the override script's two keys may live together.
    /// </summary>
    public const string DefaultPrefix = "{geodns}:";

    /// <summary>
    /// A StackExchange.Redis configuration string: <c>host:port</c> of one Redis, or several
    /// sentinels with <c>serviceName=</c>; <c>user=</c>, <c>password=</c>, <c>ssl=true</c>, …
    /// </summary>
    public required string Configuration { get; init; }

    /// <summary>A PEM or DER certificate file: Redis's TLS certificate must be issued by it (turns TLS on). Null: the system store.</summary>
    public string? CaFile { get; init; }

    /// <summary>This instance's name: the field its votes are stored under.</summary>
    public required string Instance { get; init; }

    /// <summary>Prefix of every key and of the events channel.</summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>The sync tick: how often each instance publishes its heartbeat (and retries after an outage); null derives it from the check intervals (at most 2 s).</summary>
    public TimeSpan? SyncInterval { get; init; }

    public string EventsChannel => Prefix + "events";

    public string OverridesKey => Prefix + "overrides";

    public string EpochKey => Prefix + "epoch";

    public string VotesKey(Core.Health.MemberKey key) => Prefix + "votes:" + key.Pool + " " + key.Member;

    /// <summary>
    /// Parses <see cref="Configuration"/> the way the store connects: never aborting, reconnecting
    /// every half second. A malformed string, one without an endpoint, or an unreadable
    /// <see cref="CaFile"/> is a <see cref="FormatException"/> whose message never holds the password.
    /// </summary>
    public ConfigurationOptions ToConfigurationOptions()
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(Configuration);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"--redis: {Redact(e.Message)} (give host:port[,host:port...][,serviceName=NAME][,user=U,password=P][,ssl=true])", e);
        }

        if (options.EndPoints.Count == 0)
        {
            throw new FormatException("--redis: no host:port in the configuration (give the Redis endpoint, or the sentinels with serviceName=NAME)");
        }

        options.AbortOnConnectFail = false;
        options.ClientName ??= "geodns-" + Instance;
        options.ReconnectRetryPolicy = new LinearRetry(500);

        // No connection to the node a command is for: fail it at once rather than queue it (up to
        // 5 s) for a primary that may be gone for good. Every sync round retries anyway, and a
        // round stuck on a dead primary kept an instance degraded seconds after a Sentinel failover.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        if (!Configuration.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.AsyncTimeout = 2000;
        }

        if (!Configuration.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.ConnectTimeout = 2000;
        }

        if (!string.IsNullOrWhiteSpace(CaFile))
        {
            TrustCa(options, CaFile);
        }

        return options;
    }

    /// <summary>Where this store connects, for logs: endpoints, service, user and TLS, never the password.</summary>
    public string Describe()
    {
        var options = ConfigurationOptions.Parse(Configuration);
        var endPoints = string.Join(",", options.EndPoints.Select(e => EndPointText(e)));
        var text = string.IsNullOrEmpty(options.ServiceName)
            ? endPoints
            : $"sentinels {endPoints} (service {options.ServiceName})";
        if (!string.IsNullOrEmpty(options.User))
        {
            text += $", user {options.User}";
        }

        if (options.Ssl || !string.IsNullOrWhiteSpace(CaFile))
        {
            text += ", TLS";
        }

        return text;
    }

    /// <summary>An endpoint as host:port (DnsEndPoint's own text names its address family).</summary>
    public static string EndPointText(System.Net.EndPoint? endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        null => "?",
        _ => endPoint.ToString() ?? "?",
    };

    private static void TrustCa(ConfigurationOptions options, string caFile)
    {
        if (!File.Exists(caFile))
        {
            throw new FormatException($"--redis-ca-file '{caFile}': no such file");
        }

        try
        {
            options.TrustIssuer(caFile);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"--redis-ca-file '{caFile}': not a PEM or DER certificate ({e.Message.TrimEnd('.')})", e);
        }

        options.Ssl = true;
    }

    /// <summary>The parser's message with any password value cut out (it quotes values it cannot read).</summary>
    private string Redact(string message)
    {
        foreach (var part in Configuration.Split(','))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part[..equals].Trim().Contains("password", StringComparison.OrdinalIgnoreCase) && equals + 1 < part.Length)
            {
                message = message.Replace(part[(equals + 1)..], "***", StringComparison.Ordinal);
            }
        }

        return message;
    }
}
