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
    public static IHost Build(IDictionary<string, string?> settings, Action<IServiceCollection>? extend = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
            DisableDefaults = false,
        });
        builder.Configuration.AddEnvironmentVariables("GEODNS_");
        if (settings.TryGetValue("ConfigFile", out var configFile) && configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        builder.Configuration.AddInMemoryCollection(settings);
        ConfigureLogging(builder);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddGeoDns(builder.Configuration.Get<GeoDnsOptions>() ?? new GeoDnsOptions());
        extend?.Invoke(builder.Services);
        return builder.Build();
    }

    private static void ConfigureLogging(HostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["LogFormat"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
    }
}
