using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using GeoDns.Geo;

namespace GeoDns.Cli;

/// <summary>
/// <c>geodns explain NAME [--type A] [--client IP | --subnet CIDR] --zones DIR [--geoip FILE] [--geoip-asn FILE]</c>:
/// prints how a query is decided — where the client is and by what, the region and why, the
/// candidates, the policy, the answer, its TTL and ECS scope — by running the serving code with a trace.
/// </summary>
public static class ExplainCommand
{
    public static readonly (string Option, string Key, bool Repeatable)[] Options =
    [
        ("--type", "Type", false),
        ("--client", "Client", false),
        ("--subnet", "Subnet", false),
        ("--zones", "Zones", false),
        ("--geoip", "GeoIp", false),
        ("--geoip-asn", "GeoIpAsn", false),
    ];

    public const string Usage = "geodns explain NAME [--type A|AAAA|CNAME] [--client IP | --subnet CIDR] --zones DIR [--geoip FILE] [--geoip-asn FILE]";

    public static int Run(string[] args, TextWriter output)
    {
        var commandLine = new CommandLine(Options);
        string? error = commandLine.Parse(args);
        if (error is not null || commandLine.Positional.Count != 1)
        {
            output.WriteLine($"geodns explain: {error ?? "give one NAME"}");
            output.WriteLine($"usage: {Usage}");
            return 2;
        }

        var values = commandLine.Values;
        if (!ExplainInput.TryCreate(commandLine.Positional[0], values, out var input, out string? problem))
        {
            output.WriteLine($"geodns explain: {problem}");
            return 2;
        }

        var files = ZoneDirectoryLoader.LoadAll(values.GetValueOrDefault("Zones") ?? "zones", TrafficVocabulary.BuiltIn);
        foreach (var broken in files.Where(f => f.HasErrors))
        {
            output.WriteLine($"note: {broken.Path} has errors and is not served (run 'geodns check')");
        }

        var locator = GeoSetup.CreateLocator(values.GetValueOrDefault("GeoIp"), values.GetValueOrDefault("GeoIpAsn"),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        try
        {
            return Explain(input, [.. files.Where(f => !f.HasErrors)], new TrafficCompiler(new HealthBoard(), TrafficVocabulary.BuiltIn.Policies, locator), output);
        }
        finally
        {
            (locator as IDisposable)?.Dispose();
        }
    }

    /// <summary>Explains one query against loaded zones, with the compiler's board, locator and random source.</summary>
    public static int Explain(ExplainInput input, IReadOnlyList<ZoneFile> files, TrafficCompiler compiler, TextWriter output)
    {
        output.WriteLine($"query:      {input.Name} {RecordTypeName(input.Type)}");
        var (file, pool, chain) = FindPool(input.Name, files);
        foreach (string step in chain)
        {
            output.WriteLine($"chain:      {step}");
        }

        if (file is null || pool is null)
        {
            output.WriteLine($"result:     {input.Name} is not a traffic-managed name (no POOL at it or at the end of its in-zone CNAME chain)");
            return 1;
        }

        var model = compiler.BuildModel(pool, file.Regions);
        output.WriteLine($"pool:       {model.Name} at {pool.Location}: type {RecordTypeName(model.Type)}, TTL {model.Ttl}, policy {model.Policy.Name}, " +
            $"fallback {model.Fallback.Name}, max-answers {model.MaxAnswers}, if-all-down {PoolSelector.IfAllDownText(model)}" +
            (model.StickySubnet ? ", sticky=subnet" : string.Empty));
        if (model.Type != input.Type && model.Type != RecordType.CNAME)
        {
            output.WriteLine($"note:       the pool answers {RecordTypeName(model.Type)}: a {RecordTypeName(input.Type)} query gets NODATA; explaining the {RecordTypeName(model.Type)} decision");
        }

        output.WriteLine($"client:     {input.Client.Masked(input.Prefix)}/{input.Prefix} ({input.ClientSource})");
        output.WriteLine($"locator:    {compiler.Locator.Description}");
        WriteCandidates(model, output);

        var trace = new SelectionTrace();
        Span<int> chosen = stackalloc int[model.Capacity];
        int count = PoolSelector.Select(model, input.Client.Masked(input.Prefix), input.Prefix, compiler.Locator, compiler.Random, chosen, out int scope, trace);
        output.WriteLine($"located:    {trace.LocatedBy ?? "not needed (the decision did not use the client's location)"}");
        output.WriteLine($"region:     {trace.Region ?? "none decided by location"}");
        output.WriteLine("decision:");
        foreach (string step in trace.Steps)
        {
            output.WriteLine($"  - {step}");
        }

        if (count == 0)
        {
            output.WriteLine("answer:     NODATA (no member may answer)");
        }

        for (int i = 0; i < count; i++)
        {
            var member = model.Members[chosen[i]];
            output.WriteLine($"answer:     {model.Name} {model.Ttl} IN {RecordTypeName(model.Type)} {member.Target}   (region {member.RegionName})");
        }

        output.WriteLine($"ttl:        {model.Ttl}");
        output.WriteLine(scope == 0
            ? "ecs scope:  /0 (the answer did not depend on the client's address)"
            : $"ecs scope:  /{scope} (the first {scope} bits of the client decided{(input.FromSubnet ? ", capped at the source prefix" : "; sent when a query carries ECS")})");
        return 0;
    }

    private static void WriteCandidates(PoolModel model, TextWriter output)
    {
        output.WriteLine("candidates:");
        output.WriteLine($"  {"member",-28} {"region",-14} {"weight",6} {"priority",8}  {"enabled",-7}  health");
        foreach (var member in model.Members)
        {
            output.WriteLine($"  {member.Target,-28} {member.RegionName,-14} {member.Weight,6} {member.Priority?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",8}  " +
                $"{(member.Enabled ? "yes" : "no"),-7}  {Health(member.Slot)}");
        }

        if (model.Slot.PinnedRegion is { } pin)
        {
            output.WriteLine($"  operator pin: region {pin}");
        }
    }

    private static string Health(MemberSlot slot)
    {
        string state = slot.Usable ? "up" : "down";
        string detail = slot.Override != MemberOverride.Auto ? $"override {slot.Override}"
            : slot.Shared == HealthStatus.Unknown ? "no verdict yet: serves"
            : $"{slot.Shared} since {slot.SharedSince:O}{(slot.LocalReason is { } reason ? $": {reason}" : string.Empty)}";
        return $"{state} ({detail})";
    }

    /// <summary>The pool at <paramref name="name"/> or at the end of its CNAME chain inside the zones.</summary>
    private static (ZoneFile? File, PoolDefinition? Pool, List<string> Chain) FindPool(DnsName name, IReadOnlyList<ZoneFile> files)
    {
        var chain = new List<string>();
        var seen = new HashSet<DnsName>();
        var current = name;
        while (seen.Add(current) && seen.Count <= 16)
        {
            var file = files.Where(f => current.IsSubdomainOf(f.Origin)).MaxBy(f => f.Origin.LabelCount);
            if (file is null)
            {
                return (null, null, chain);
            }

            if (file.Pools.FirstOrDefault(p => p.Owner == current) is { } pool)
            {
                return (file, pool, chain);
            }

            var cname = file.Records.FirstOrDefault(e => e.Record.Type == RecordType.CNAME && e.Record.Owner == current);
            if (cname.Record is null)
            {
                return (null, null, chain);
            }

            var target = DnsName.FromWire(cname.Record.RData);
            chain.Add($"{current} {cname.Record.Ttl} IN CNAME {target}   ({cname.Location})");
            current = target;
        }

        return (null, null, chain);
    }

    private static string RecordTypeName(ushort type) => type switch
    {
        RecordType.A => "A",
        RecordType.AAAA => "AAAA",
        RecordType.CNAME => "CNAME",
        _ => $"TYPE{type}",
    };
}

/// <summary>The query explain is asked about.</summary>
public sealed record ExplainInput(DnsName Name, ushort Type, ClientAddress Client, int Prefix, bool FromSubnet, string ClientSource)
{
    public static bool TryCreate(string name, IReadOnlyDictionary<string, string?> values, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ExplainInput? input, out string? problem)
    {
        input = null;
        problem = null;
        if (!DnsName.TryParse(name.EndsWith('.') ? name : name + ".", DnsName.Root, out var qname, out var nameError))
        {
            problem = $"bad name '{name}': {nameError}";
            return false;
        }

        ushort type = (values.GetValueOrDefault("Type") ?? "A").ToUpperInvariant() switch
        {
            "A" => RecordType.A,
            "AAAA" => RecordType.AAAA,
            "CNAME" => RecordType.CNAME,
            _ => 0,
        };
        if (type == 0)
        {
            problem = $"bad --type '{values["Type"]}': A, AAAA or CNAME";
            return false;
        }

        string? client = values.GetValueOrDefault("Client");
        string? subnet = values.GetValueOrDefault("Subnet");
        if (client is not null && subnet is not null)
        {
            problem = "give --client or --subnet, not both";
            return false;
        }

        if (subnet is not null)
        {
            if (!System.Net.IPNetwork.TryParse(subnet, out var network))
            {
                problem = $"bad --subnet '{subnet}': address/prefix with no host bits set";
                return false;
            }

            input = new(qname, type, ClientAddress.FromIPAddress(network.BaseAddress), network.PrefixLength, true, "EDNS Client Subnet");
            return true;
        }

        if (!System.Net.IPAddress.TryParse(client ?? "127.0.0.1", out var address))
        {
            problem = $"bad --client '{client}': an IPv4 or IPv6 address";
            return false;
        }

        var source = ClientAddress.FromIPAddress(address);
        input = new(qname, type, source, source.BitLength, false, client is null ? "no --client given: 127.0.0.1" : "source address");
        return true;
    }
}
