using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.RData;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Cli;

/// <summary>
/// <c>geodns explain NAME [--type TYPE] [--client IP | --subnet CIDR] --zones DIR [--geoip FILE] [--geoip-asn FILE]</c>:
/// answers one query the way <c>geodns serve</c> does — zones built by the same
/// <see cref="ZonePipeline"/>, looked up by <see cref="Snapshot.Resolve"/>, written by the
/// server's <see cref="ResponseWriter"/> — and prints what the reply holds: the static part
/// (CNAME hand-offs, data), the pool at the end with every step of its decision, or the
/// NXDOMAIN, NODATA, referral or REFUSED the server sends. Offline: no probes, no shared state.
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

    public const string Usage = "geodns explain NAME [--type TYPE] [--client IP | --subnet CIDR] --zones DIR [--geoip FILE] [--geoip-asn FILE]";

    /// <summary>Said first on every run: what explain knows and what it does not.</summary>
    public const string OfflineNote =
        "offline:    answered from the zone files alone, as 'geodns serve' would answer it; no live health state: " +
        "no probes run and no shared votes or operator overrides are read, so every enabled member counts as up " +
        "(a running server's health can change the pool's choice: see its admin API)";

    /// <summary>Exit status: 0 when a pool answered (the decision is explained), 1 for any other outcome, 2 for bad arguments.</summary>
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

        // The zones as serve builds them: the same registration, vocabulary, probe plan and compiler.
        using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<HealthBoard>()
            .AddZonePipeline(values.GetValueOrDefault("GeoIp"), values.GetValueOrDefault("GeoIpAsn"))
            .BuildServiceProvider();
        string directory = values.GetValueOrDefault("Zones") ?? "zones";
        if (!services.GetRequiredService<ZonePipeline>().TryLoadDirectory(directory, out var builds, out string? folderError))
        {
            output.WriteLine($"geodns explain: {folderError}");
            return 2;
        }

        foreach (var broken in builds.Where(b => b.HasErrors))
        {
            output.WriteLine($"note:       {broken.File.Path} has errors and is not served (run 'geodns check')");
        }

        return Explain(input, builds, services.GetRequiredService<TrafficCompiler>(), output);
    }

    /// <summary>
    /// Explains one query against built zones (those with errors are left out, as serve leaves
    /// them out); <paramref name="compiler"/> is the one that built their pools (its locator and
    /// random source decide).
    /// </summary>
    public static int Explain(ExplainInput input, IReadOnlyList<ZoneBuild> builds, TrafficCompiler compiler, TextWriter output)
    {
        var served = builds.Where(b => !b.HasErrors).ToList();
        var snapshot = new Snapshot(served.Select(b => b.Zone!));
        string type = RecordTypes.Mnemonic(input.Type);
        output.WriteLine(OfflineNote);
        output.WriteLine($"query:      {input.Name} IN {type}");
        output.WriteLine($"client:     {input.Client.Masked(input.Prefix)}/{input.Prefix} ({input.ClientSource})");

        var (zone, zoneNote) = ZoneOf(input, served);
        if (zone is not null)
        {
            output.WriteLine($"zone:       {zone.File.Origin} ({zone.File.Path}, serial {zone.Zone!.Serial}){zoneNote}");
        }

        // The server's own steps: parse, the checks before the lookup, Resolve, the writer.
        byte[] request = BuildQuery(input.Name, input.Type);
        if (QueryParser.Parse(request, out var query) != ParseOutcome.Query)
        {
            output.WriteLine($"result:     the server cannot parse a {type} question");
            return 1;
        }

        var response = new byte[DnsWire.MaxMessageLength];
        var context = new QueryContext
        {
            Client = input.Client.Masked(input.Prefix),
            ClientPrefix = input.Prefix,
            FromClientSubnet = input.FromSubnet,
        };
        PreparedAnswer? answer = null;
        TracedPoolAnswer? pool = null;
        int length;
        if (input.Type is RecordType.AXFR or RecordType.IXFR)
        {
            length = ResponseWriter.WriteError(response, request, query, ResponseCode.Refused, withOpt: false);
        }
        else if (input.Type == RecordType.OPT)
        {
            length = ResponseWriter.WriteError(response, request, query, ResponseCode.FormErr, withOpt: false);
        }
        else
        {
            answer = Resolve(snapshot, input.Name, input.Type);
            if (answer is null)
            {
                length = ResponseWriter.WriteError(response, request, query, ResponseCode.Refused, withOpt: false);
            }
            else
            {
                if (answer.Dynamic is PoolAnswer compiled)
                {
                    pool = new TracedPoolAnswer(compiled.Pool, compiler.Locator, compiler.Random);
                    answer = WithDynamic(answer, pool);
                }

                length = ResponseWriter.WriteAnswer(response, request, query, answer, DnsWire.MaxMessageLength, ref context);
            }
        }

        var reply = ExplainReply.Read(response.AsSpan(0, length));
        int staticAnswers = pool is { Ran: true } && reply.Answer.Count >= pool.Chosen.Count ? reply.Answer.Count - pool.Chosen.Count : reply.Answer.Count;
        for (int i = 0; i < staticAnswers; i++)
        {
            var record = reply.Answer[i];
            string label = record.Type == RecordType.CNAME && input.Type is not (RecordType.CNAME or RecordType.ANY) ? "chain:" : "answer:";
            output.WriteLine($"{label,-11} {ExplainReply.Text(record)}   ({SourceOf(record, served)})");
        }

        if (pool is { Ran: true })
        {
            WritePool(pool, compiler, served, output);
            for (int i = staticAnswers; i < reply.Answer.Count; i++)
            {
                var member = pool.Chosen[i - staticAnswers];
                output.WriteLine($"answer:     {ExplainReply.Text(reply.Answer[i])}   (pool member {member.Target}, region {member.RegionName})");
            }
        }

        foreach (var record in reply.Authority)
        {
            output.WriteLine($"authority:  {ExplainReply.Text(record)}   ({SourceOf(record, served)})");
        }

        foreach (var record in reply.Additional)
        {
            output.WriteLine($"additional: {ExplainReply.Text(record)}   ({SourceOf(record, served)})");
        }

        output.WriteLine($"reply:      {reply.Summary}");
        output.WriteLine($"result:     {Result(input, reply, pool, served)}");
        if (pool is { Ran: true })
        {
            output.WriteLine($"ttl:        {pool.Pool.Ttl}");
            output.WriteLine(pool.ScopePrefix == 0
                ? "ecs scope:  /0 (the answer did not depend on the client's address)"
                : $"ecs scope:  /{pool.ScopePrefix} (the first {pool.ScopePrefix} bits of the client decided{(input.FromSubnet ? ", capped at the source prefix" : "; sent when a query carries ECS")})");
            return 0;
        }

        if (PoolNotAsked(input, reply, served) is { } unasked)
        {
            output.WriteLine($"note:       {unasked.Owner} is a POOL of type {RecordTypes.Mnemonic(unasked.Type)} ({unasked.Location}): " +
                $"a {type} query does not reach it; ask --type {RecordTypes.Mnemonic(unasked.Type)}");
        }

        output.WriteLine($"note:       {input.Name} {type} is not a traffic-managed name: no POOL answers this query");
        return 1;
    }

    /// <summary>What the reply means, in words.</summary>
    private static string Result(ExplainInput input, ExplainReply reply, TracedPoolAnswer? pool, IReadOnlyList<ZoneBuild> served)
    {
        string type = RecordTypes.Mnemonic(input.Type);
        var lastCname = reply.Answer.LastOrDefault(r => r.Type == RecordType.CNAME);
        var end = input.Type is RecordType.CNAME or RecordType.ANY || lastCname is null ? input.Name : DnsName.FromWire(lastCname.RData);
        string where = end == input.Name ? input.Name.ToString() : $"the CNAME chain ends at {end}, which";
        switch (reply.ResponseCode)
        {
            case ResponseCode.Refused when input.Type is RecordType.AXFR or RecordType.IXFR:
                return $"REFUSED: geodns does not serve zone transfers ({type})";
            case ResponseCode.Refused:
                return $"REFUSED: {input.Name} is in no zone served here (zones: {string.Join(", ", served.Select(b => b.File.Origin.ToString()).Order(StringComparer.Ordinal))})";
            case ResponseCode.FormErr:
                return $"FORMERR: {type} is not a question type";
            case ResponseCode.NxDomain:
                return $"NXDOMAIN: {(end == input.Name ? input.Name + " does" : where + " does")} not exist (the SOA in authority gives the negative-caching TTL)";
        }

        if (!reply.Authoritative && reply.Answer.Count == 0 && reply.Authority.FirstOrDefault(r => r.Type == RecordType.NS) is { } cut)
        {
            return $"referral to {cut.Owner}: {input.Name} is at or below the delegation of {cut.Owner}, so the server gives no answer: " +
                "it sends the delegation's NS records (authority) and their addresses (additional), and the resolver asks those servers";
        }

        if (pool is { Ran: true })
        {
            return pool.Chosen.Count == 0
                ? $"NODATA: the pool {pool.Pool.Name} chose no member (if-all-down={PoolSelector.IfAllDownText(pool.Pool)}); the reply keeps the CNAME chain and the SOA"
                : $"answer: {pool.Chosen.Count} record(s) chosen by the pool {pool.Pool.Name}";
        }

        bool negative = reply.Authority.Any(r => r.Type == RecordType.SOA);
        if (reply.Answer.All(r => r.Type == RecordType.CNAME && end != input.Name) && negative)
        {
            return $"NODATA: {(end == input.Name ? input.Name + " exists but has" : where + " has")} no {type} records (NOERROR, no {type} in the answer, the SOA in authority)";
        }

        if (end != input.Name && !reply.Answer.Any(r => r.Owner == end))
        {
            return $"answer: the CNAME chain stops at {end}: outside this zone, below a delegation, or a loop; the server does not follow it further, the resolver asks for {end} itself";
        }

        int data = reply.Answer.Count(r => r.Owner == end);
        int cnames = reply.Answer.Count - data;
        if (input.Type == RecordType.ANY)
        {
            return $"answer: {data} record(s) (ANY over UDP gets one RRset, RFC 8482)";
        }

        return $"answer: {data} {type} record(s){(cnames == 0 ? string.Empty : $" at {end}, after {cnames} CNAME(s)")}";
    }

    private static void WritePool(TracedPoolAnswer pool, TrafficCompiler compiler, IReadOnlyList<ZoneBuild> served, TextWriter output)
    {
        var model = pool.Pool;
        var definition = served.SelectMany(b => b.File.Pools).FirstOrDefault(p => p.Owner == model.Owner);
        output.WriteLine($"pool:       {model.Name}{(definition is null ? string.Empty : $" at {definition.Location}")}: type {RecordTypes.Mnemonic(model.Type)}, TTL {model.Ttl}, " +
            $"policy {model.Policy.Name}, fallback {model.Fallback.Name}, max-answers {model.MaxAnswers}, if-all-down {PoolSelector.IfAllDownText(model)}" +
            (model.StickySubnet ? ", sticky=subnet" : string.Empty));
        output.WriteLine($"locator:    {compiler.Locator.Description}");
        WriteCandidates(model, output);
        var trace = pool.Trace;
        output.WriteLine($"located:    {trace.LocatedBy ?? "not needed (the decision did not use the client's location)"}");
        output.WriteLine($"region:     {trace.Region ?? "none decided by location"}");
        output.WriteLine("decision:");
        foreach (string step in trace.Steps)
        {
            output.WriteLine($"  - {step}");
        }

        if (pool.Chosen.Count == 0)
        {
            output.WriteLine("chosen:     none (no member may answer)");
        }
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
            : slot.Shared == HealthStatus.Unknown ? "offline: no verdict, serves"
            : $"{slot.Shared} since {slot.SharedSince:O}{(slot.LocalReason is { } reason ? $": {reason}" : string.Empty)}";
        return $"{state} ({detail})";
    }

    /// <summary><see cref="Snapshot.Resolve"/> called with the key and label offsets the query path computes.</summary>
    private static PreparedAnswer? Resolve(Snapshot snapshot, DnsName name, ushort type)
    {
        var wire = name.Wire;
        Span<char> key = stackalloc char[DnsName.MaxWireLength];
        DnsName.WriteKey(wire, key);
        Span<int> labelStarts = stackalloc int[128];
        int labels = 0;
        for (int offset = 0; wire[offset] != 0; offset += wire[offset] + 1)
        {
            labelStarts[labels++] = offset;
        }

        return snapshot.Resolve(key[..wire.Length], labelStarts[..labels], type, overTcp: false);
    }

    /// <summary>A standard query (class IN, no EDNS: the client is given to the pool directly).</summary>
    private static byte[] BuildQuery(DnsName name, ushort type)
    {
        var request = new byte[DnsWire.HeaderLength + name.WireLength + 4];
        DnsWire.WriteUInt16(request, 4, 1);
        name.Wire.CopyTo(request.AsSpan(DnsWire.HeaderLength));
        DnsWire.WriteUInt16(request, DnsWire.HeaderLength + name.WireLength, type);
        DnsWire.WriteUInt16(request, DnsWire.HeaderLength + name.WireLength + 2, RecordClass.IN);
        return request;
    }

    private static PreparedAnswer WithDynamic(PreparedAnswer answer, IDynamicAnswer dynamic) => new()
    {
        Body = answer.Body,
        TemplateNameLength = answer.TemplateNameLength,
        Authoritative = answer.Authoritative,
        ResponseCode = answer.ResponseCode,
        AnswerCount = answer.AnswerCount,
        AuthorityCount = answer.AuthorityCount,
        AdditionalCount = answer.AdditionalCount,
        LengthWithoutAdditional = answer.LengthWithoutAdditional,
        AdditionalRequired = answer.AdditionalRequired,
        Fixups = answer.Fixups,
        Dynamic = dynamic,
        DynamicOwnerOffset = answer.DynamicOwnerOffset,
        DynamicEmpty = answer.DynamicEmpty,
    };

    /// <summary>
    /// The zone that answers, for the heading: the most specific one, or for DS at a zone's apex
    /// the parent served beside it that delegates the name (RFC 4035 3.1.4.1, as Resolve does).
    /// </summary>
    private static (ZoneBuild? Zone, string Note) ZoneOf(ExplainInput input, IReadOnlyList<ZoneBuild> served)
    {
        var zone = served.Where(b => input.Name.IsSubdomainOf(b.File.Origin)).MaxBy(b => b.File.Origin.LabelCount);
        if (zone is null || input.Type != RecordType.DS || zone.File.Origin != input.Name || input.Name.IsRoot)
        {
            return (zone, string.Empty);
        }

        var parent = served.Where(b => b.File.Origin != input.Name && input.Name.IsSubdomainOf(b.File.Origin)).MaxBy(b => b.File.Origin.LabelCount);
        return parent is not null && parent.Zone!.TryGetNode(input.Name.Key, out var node) && node.IsCut
            ? (parent, $"; DS at the apex of {zone.File.Origin} is answered by the parent side of the cut (RFC 4035 3.1.4.1)")
            : (zone, string.Empty);
    }

    /// <summary>Where a record of the reply comes from: its line, or the wildcard it was synthesised from.</summary>
    private static string SourceOf(ResourceRecord record, IReadOnlyList<ZoneBuild> served)
    {
        string rdata = RDataFormatter.Format(record.Type, record.RData);
        bool Same(ResourceRecord entry) =>
            entry.Type == record.Type && string.Equals(RDataFormatter.Format(entry.Type, entry.RData), rdata, StringComparison.OrdinalIgnoreCase);

        string? wildcard = null;
        int wildcardLabels = -1;
        foreach (var build in served.Where(b => record.Owner.IsSubdomainOf(b.File.Origin)))
        {
            foreach (var entry in build.File.Records)
            {
                var owner = entry.Record.Owner;
                if (entry.Record.Type != record.Type)
                {
                    continue;
                }

                if (owner == record.Owner && Same(entry.Record))
                {
                    return entry.Location.ToString();
                }

                if (owner.IsWildcard && owner.LabelCount > wildcardLabels && record.Owner.LabelCount > owner.LabelCount - 1 &&
                    record.Owner.IsSubdomainOf(owner.Parent()) && Same(entry.Record))
                {
                    wildcard = $"synthesised from {owner} at {entry.Location}";
                    wildcardLabels = owner.LabelCount;
                }
            }
        }

        return wildcard ?? "not found in the zone files";
    }

    /// <summary>A pool at the end of the answer's chain (or at the name) that the asked type does not reach.</summary>
    private static PoolDefinition? PoolNotAsked(ExplainInput input, ExplainReply reply, IReadOnlyList<ZoneBuild> served)
    {
        if (reply.ResponseCode != ResponseCode.NoError || reply.Answer.Any(r => r.Type != RecordType.CNAME) || !reply.Authority.Any(r => r.Type == RecordType.SOA))
        {
            return null;
        }

        var end = reply.Answer.LastOrDefault(r => r.Type == RecordType.CNAME) is { } cname ? DnsName.FromWire(cname.RData) : input.Name;
        return served.SelectMany(b => b.File.Pools).FirstOrDefault(p => p.Owner == end);
    }
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

        string typeText = values.GetValueOrDefault("Type") ?? "A";
        if (!RecordTypes.TryParse(typeText, out ushort type))
        {
            problem = $"bad --type '{typeText}': a record type name (A, AAAA, MX, ...) or TYPEnnn";
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
