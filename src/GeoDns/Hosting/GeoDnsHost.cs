using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>Builds the <c>geodns serve</c> host: configuration, logging, then <see cref="GeoDnsSetup.AddGeoDns"/>.</summary>
public static class GeoDnsHost
{
    /// <summary>
    /// Settings come from appsettings.json in the working folder, <c>GEODNS_</c> environment
    /// variables, the JSON file named by <c>ConfigFile</c>, then <paramref name="settings"/>
    /// (the command line), later sources winning.
    /// </summary>
    /// <param name="settings">The command line's settings.</param>
    /// <param name="extend">Adds to the server's services after GeoDns's own: a checker
    /// (<c>services.AddSingleton&lt;IHealthChecker, MyChecker&gt;()</c>) or a routing policy
    /// (<c>services.AddSingleton&lt;IRoutingPolicy, MyPolicy&gt;()</c>), each one line.</param>
    /// <remarks>
    /// Everything that can stop the server from starting fails here, before a zone loads or a
    /// probe runs, as one exception whose message is the whole story (Program prints it as one
    /// line): a settings file that is not JSON (<see cref="FormatException"/> with file:line:column),
    /// an invalid value (<see cref="FormatException"/>), a missing zones folder, a DNS address
    /// that cannot be bound or a GeoIP database that cannot be opened (<see cref="InvalidOperationException"/>).
    /// </remarks>
    public static IHost Build(IDictionary<string, string?> settings, Action<IServiceCollection>? extend = null)
    {
        var configuration = new ConfigurationManager();
        configuration.SetFileLoadExceptionHandler(ThrowFileError);

        // Options are read once at start: watching appsettings.json would only let a later
        // malformed edit throw on a file-watcher thread.
        configuration["hostBuilder:reloadConfigOnChange"] = "false";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
            DisableDefaults = false,
            Configuration = configuration,
        });
        builder.Configuration.AddEnvironmentVariables("GEODNS_");
        if (settings.TryGetValue("ConfigFile", out var configFile) && configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        builder.Configuration.AddInMemoryCollection(settings);
        ConfigureLogging(builder);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var options = builder.Configuration.Get<GeoDnsOptions>() ?? new GeoDnsOptions();
        if (!Directory.Exists(options.Zones))
        {
            throw new InvalidOperationException($"zones folder '{Path.GetFullPath(options.Zones)}' does not exist");
        }

        builder.Services.AddGeoDns(options);
        extend?.Invoke(builder.Services);
        var host = builder.Build();
        try
        {
            // Binds every DNS address now: a taken port stops the start before anything runs.
            host.Services.GetRequiredService<DnsListeners>();

            // Opens the GeoIP databases now: a missing or broken file is one line, not a host failure log.
            host.Services.GetRequiredService<Core.Traffic.IClientLocator>();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    /// <summary>A settings file that cannot be loaded: one message with its place (JSON line and column are 0-based; shown 1-based).</summary>
    private static void ThrowFileError(FileLoadExceptionContext context)
    {
        if (context.Exception is FileNotFoundException)
        {
            return; // its own message names the file; Program prints it
        }

        var source = context.Provider.Source;
        string path = source.FileProvider?.GetFileInfo(source.Path ?? string.Empty).PhysicalPath ?? source.Path ?? "settings file";
        for (var e = context.Exception; e is not null; e = e.InnerException)
        {
            if (e is JsonException { LineNumber: long line, BytePositionInLine: long column } json)
            {
                string reason = json.Message;
                int cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
                if (cut > 0)
                {
                    reason = reason[..cut];
                }

                throw new FormatException($"{path}:{line + 1}:{column + 1}: not valid JSON: {reason}", context.Exception);
            }
        }

        var innermost = context.Exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        throw new FormatException($"{path}: {innermost.Message}", context.Exception);
    }

    private static void ConfigureLogging(HostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        string? format = builder.Configuration["LogFormat"];
        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O");
        }
        else if (format is null || string.Equals(format, "text", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            throw new FormatException($"--log-format '{format}': use text or json");
        }

        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
    }
}
