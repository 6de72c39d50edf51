using System.CommandLine;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Traffic;
using GeoDns.Explain;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Cli;

/// <summary>
/// <c>geodns explain NAME [--type TYPE] [--client IP | --subnet CIDR] [--zones DIR] [--geoip FILE] [--geoip-asn FILE]</c>:
/// answers one query offline the way <c>geodns serve</c> does (zones built by the same
/// <see cref="ZonePipeline"/>, explained by <see cref="Explainer"/>); no probes, no shared state.
/// With <c>--server URL</c> it asks a running server instead (<c>GET /api/v1/explain</c>): the
/// snapshot it serves, with its live health, votes, overrides and pins.
/// </summary>
public static class ExplainCommand
{
    /// <summary>Exit status: 0 when a pool answered (the decision is explained), 1 for any other outcome, 2 for bad arguments; with --server also 3 (unreachable) and 5 (a name in no served zone).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter? errors = null)
    {
        errors ??= output;
        var command = Create(out var o);
        var (name, type, client, subnet, zones, geoIp, geoIpAsn, server) = o;
        return Verb.Run(command, args, errors, parsed =>
        {
            string qname = parsed.GetValue(name)!;
            if (parsed.Given(server.Server))
            {
                if (parsed.Given(zones) || parsed.Given(geoIp) || parsed.Given(geoIpAsn))
                {
                    return Verb.UsageError(command, errors, "--zones, --geoip and --geoip-asn are for offline explain; with --server the server's own zones and databases answer");
                }

                return Live(parsed, server, qname, parsed.GetValue(type), parsed.GetValue(client), parsed.GetValue(subnet), output, errors);
            }

            if (!ExplainInput.TryCreate(qname, parsed.GetValue(type), parsed.GetValue(client), parsed.GetValue(subnet), "--", out var input, out string? problem))
            {
                return Verb.UsageError(command, errors, problem!);
            }

            return Offline(input, parsed.GetValue(zones) ?? "zones", parsed.GetValue(geoIp), parsed.GetValue(geoIpAsn), output, errors);
        });
    }

    /// <summary>Parses an explain argument list (without the verb) as the program does; the first error, or null.</summary>
    internal static string? Check(IReadOnlyList<string> args)
    {
        var parsed = Create(out _).Parse([.. args]);
        return parsed.Errors.Count > 0 ? parsed.Errors[0].Message : null;
    }

    /// <summary>The options of <c>geodns explain</c> (for docs checks).</summary>
    internal static IEnumerable<string> OptionNames() => Create(out _).Options.Select(o => o.Name);

    private static Command Create(out ExplainOptions o)
    {
        var name = Verb.Positional("NAME", "the name asked");
        var type = Verb.Text("--type", "TYPE", "the record type asked (default A)");
        var client = Verb.Text("--client", "IP", "the client's address (default 127.0.0.1)");
        var subnet = Verb.Text("--subnet", "CIDR", "an EDNS Client Subnet instead of --client");
        var zones = Verb.Text("--zones", "DIR", "offline: the zones folder (default ./zones)");
        var geoIp = Verb.Text("--geoip", "FILE", "offline: MaxMind City or Country database");
        var geoIpAsn = Verb.Text("--geoip-asn", "FILE", "offline: MaxMind ASN database");
        var server = new AdminClient.Options();
        var command = new Command("explain",
            "Answer one query as serve would and say why: CNAMEs, wildcards, and for a pool the client's location, region, " +
            "candidates and answer; else NXDOMAIN, NODATA, referral or REFUSED. Offline from zone files (no live health), " +
            "or with --server from a running server's snapshot and live state.")
        {
            name, type, client, subnet, zones, geoIp, geoIpAsn,
        };
        server.AddTo(command, token: false);
        o = new ExplainOptions(name, type, client, subnet, zones, geoIp, geoIpAsn, server);
        return command;
    }

    private sealed record ExplainOptions(Argument<string> Name, Option<string> Type, Option<string> Client, Option<string> Subnet,
        Option<string> Zones, Option<string> GeoIp, Option<string> GeoIpAsn, AdminClient.Options Server);

    private static int Offline(ExplainInput input, string directory, string? geoIp, string? geoIpAsn, TextWriter output, TextWriter errors)
    {
        // The zones as serve builds them: the same registration, vocabulary, probe plan and compiler.
        using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<HealthBoard>()
            .AddZonePipeline(geoIp, geoIpAsn)
            .BuildServiceProvider();
        if (!services.GetRequiredService<ZonePipeline>().TryLoadDirectory(directory, out var builds, out string? folderError))
        {
            errors.WriteLine($"geodns explain: {folderError}");
            return ExitCodes.Usage;
        }

        var result = Explainer.Explain(input, ExplainSource.Offline(builds, services.GetRequiredService<TrafficCompiler>()));
        foreach (string line in result.Lines)
        {
            output.WriteLine(line);
        }

        return result.ExitCode;
    }

    private static int Live(System.CommandLine.ParseResult parsed, AdminClient.Options server, string name, string? type, string? client, string? subnet,
        TextWriter output, TextWriter errors)
    {
        var query = new List<string> { "name=" + Uri.EscapeDataString(name) };
        if (type is not null)
        {
            query.Add("type=" + Uri.EscapeDataString(type));
        }

        if (client is not null)
        {
            query.Add("client=" + Uri.EscapeDataString(client));
        }

        if (subnet is not null)
        {
            query.Add("subnet=" + Uri.EscapeDataString(subnet));
        }

        return ServerVerbs.Call("explain", errors, async cancellation =>
        {
            using var admin = server.Connect(parsed, withToken: false);
            var reply = await admin.SendAsync(HttpMethod.Get, "/api/v1/explain?" + string.Join('&', query), null, cancellation, allowNotFound: true).ConfigureAwait(false);
            if (parsed.GetValue(server.Json))
            {
                output.WriteLine(reply.Body);
            }
            else
            {
                foreach (var line in reply.Json.GetProperty("lines").EnumerateArray())
                {
                    output.WriteLine(line.GetString());
                }
            }

            if (reply.Status == System.Net.HttpStatusCode.NotFound)
            {
                errors.WriteLine($"geodns explain: {reply.Json.GetProperty("error").GetString()}");
                return ExitCodes.NotFound;
            }

            return reply.Json.GetProperty("exitCode").GetInt32();
        });
    }
}
