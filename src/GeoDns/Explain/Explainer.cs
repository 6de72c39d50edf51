using System.Globalization;
using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Explain;

/// <summary>
/// Answers one query the way the server does — looked up by <see cref="Snapshot.Resolve"/>,
/// written by the server's <see cref="ResponseWriter"/>, the pool's choice made by the same
/// <see cref="PoolSelector"/> with a trace — and says what the reply holds: the static part
/// (CNAME hand-offs, data, with their zone-file lines), the pool at the end with every step of
/// its decision, or the NXDOMAIN, NODATA, referral or REFUSED the server sends.
/// <c>geodns explain</c> runs it offline on zone files; the admin API's <c>/api/v1/explain</c>
/// runs it on the snapshot being served, with the live health, votes, overrides and pins.
/// </summary>
public static class Explainer
{
    /// <summary>Said first on every offline run: what explain knows and what it does not.</summary>
    public const string OfflineNote =
        "offline:    answered from the zone files alone, as 'geodns serve' would answer it; no live health state: " +
        "no probes run and no shared votes or operator overrides are read, so every enabled member counts as up " +
        "(a running server's health can change the pool's choice: see its admin API)";

    /// <summary>Said first on every live run.</summary>
    public const string LiveNote =
        "live:       answered from the snapshot this server serves now, with its health verdicts, shared votes, " +
        "operator overrides (drains, forced states) and pins, by the lookup and pool selection a query runs";

    /// <summary>
    /// Explains one query against <paramref name="source"/>. The result's exit code is 0 when a
    /// pool answered (the decision is explained) and 1 for any other outcome.
    /// </summary>
    public static ExplainResult Explain(ExplainInput input, ExplainSource source)
    {
        var lines = new List<string>();
        var zones = source.Zones;
        string type = RecordTypes.Mnemonic(input.Type);
        lines.Add(source.Live ? LiveNote : OfflineNote);
        lines.AddRange(source.Notes);
        lines.Add($"query:      {input.Name} IN {type}");
        lines.Add($"client:     {input.Client.Masked(input.Prefix)}/{input.Prefix} ({input.ClientSource})");

        var (zone, zoneNote) = ZoneOf(input, zones);
        if (zone is not null)
        {
            lines.Add($"zone:       {zone.Origin} ({zone.Path}, serial {zone.Zone.Serial}){zoneNote}");
        }

        // The server's own steps: parse, the checks before the lookup, Resolve, the writer.
        byte[] request = BuildQuery(input.Name, input.Type);
        if (QueryParser.Parse(request, out var query) != ParseOutcome.Query)
        {
            lines.Add($"result:     the server cannot parse a {type} question");
            return new ExplainResult(source.Live, input, lines, 1, "FORMERR", $"the server cannot parse a {type} question", zone?.Origin.ToString(), [], null);
        }

        var response = new byte[DnsWire.MaxMessageLength];
        var context = new QueryContext
        {
            Client = input.Client.Masked(input.Prefix),
            ClientPrefix = input.Prefix,
            FromClientSubnet = input.FromSubnet,
        };
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
            var answer = Resolve(source.Snapshot, input.Name, input.Type);
            if (answer is null)
            {
                length = ResponseWriter.WriteError(response, request, query, ResponseCode.Refused, withOpt: false);
            }
            else
            {
                if (answer.Dynamic is PoolAnswer compiled)
                {
                    pool = new TracedPoolAnswer(compiled.Pool, source.Locator, source.Random);
                    answer = WithDynamic(answer, pool);
                }

                length = ResponseWriter.WriteAnswer(response, request, query, answer, DnsWire.MaxMessageLength, ref context);
            }
        }

        var reply = ExplainReply.Read(response.AsSpan(0, length));
        var records = new List<ExplainRecord>();
        int staticAnswers = pool is { Ran: true } && reply.Answer.Count >= pool.Chosen.Count ? reply.Answer.Count - pool.Chosen.Count : reply.Answer.Count;
        for (int i = 0; i < staticAnswers; i++)
        {
            var record = reply.Answer[i];
            string label = record.Type == RecordType.CNAME && input.Type is not (RecordType.CNAME or RecordType.ANY) ? "chain:" : "answer:";
            string from = SourceOf(record, zones);
            lines.Add($"{label,-11} {ExplainReply.Text(record)}   ({from})");
            records.Add(ExplainRecord.Of("answer", record, from));
        }

        ExplainPool? poolReport = null;
        if (pool is { Ran: true })
        {
            poolReport = WritePool(pool, source, lines);
            for (int i = staticAnswers; i < reply.Answer.Count; i++)
            {
                var member = pool.Chosen[i - staticAnswers];
                string from = $"pool member {member.Target}, region {member.RegionName}";
                lines.Add($"answer:     {ExplainReply.Text(reply.Answer[i])}   ({from})");
                records.Add(ExplainRecord.Of("answer", reply.Answer[i], from) with { Member = member.Target, Region = member.RegionName });
            }
        }

        foreach (var record in reply.Authority)
        {
            string from = SourceOf(record, zones);
            lines.Add($"authority:  {ExplainReply.Text(record)}   ({from})");
            records.Add(ExplainRecord.Of("authority", record, from));
        }

        foreach (var record in reply.Additional)
        {
            string from = SourceOf(record, zones);
            lines.Add($"additional: {ExplainReply.Text(record)}   ({from})");
            records.Add(ExplainRecord.Of("additional", record, from));
        }

        lines.Add($"reply:      {reply.Summary}");
        string result = Result(input, reply, pool, zones);
        lines.Add($"result:     {result}");
        string rcode = ExplainReply.RcodeName(reply.ResponseCode);
        if (pool is { Ran: true })
        {
            lines.Add($"ttl:        {pool.Pool.Ttl}");
            lines.Add(pool.ScopePrefix == 0
                ? "ecs scope:  /0 (the answer did not depend on the client's address)"
                : $"ecs scope:  /{pool.ScopePrefix} (the first {pool.ScopePrefix} bits of the client decided{(input.FromSubnet ? ", capped at the source prefix" : "; sent when a query carries ECS")})");
            return new ExplainResult(source.Live, input, lines, 0, rcode, result, zone?.Origin.ToString(), records, poolReport);
        }

        if (PoolNotAsked(input, reply, zones) is { } unasked)
        {
            lines.Add($"note:       {unasked.Owner} is a POOL of type {RecordTypes.Mnemonic(unasked.Type)} ({unasked.Location}): " +
                $"a {type} query does not reach it; ask --type {RecordTypes.Mnemonic(unasked.Type)}");
        }

        lines.Add($"note:       {input.Name} {type} is not a traffic-managed name: no POOL answers this query");
        return new ExplainResult(source.Live, input, lines, 1, rcode, result, zone?.Origin.ToString(), records, null);
    }

    /// <summary>What the reply means, in words.</summary>
    private static string Result(ExplainInput input, ExplainReply reply, TracedPoolAnswer? pool, IReadOnlyList<ExplainZone> zones)
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
                return $"REFUSED: {input.Name} is in no zone served here (zones: {string.Join(", ", zones.Select(z => z.Origin.ToString()).Order(StringComparer.Ordinal))})";
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

    private static ExplainPool WritePool(TracedPoolAnswer pool, ExplainSource source, List<string> lines)
    {
        var model = pool.Pool;
        var definition = DefinitionOf(model.Owner, source.Zones);
        lines.Add($"pool:       {model.Name}{(definition is null ? string.Empty : $" at {definition.Location}")}: type {RecordTypes.Mnemonic(model.Type)}, TTL {model.Ttl}, " +
            $"policy {model.Policy.Name}, fallback {model.Fallback.Name}, max-answers {model.MaxAnswers}, if-all-down {PoolSelector.IfAllDownText(model)}" +
            (model.StickySubnet ? ", sticky=subnet" : string.Empty));
        lines.Add($"locator:    {source.Locator.Description}");
        var candidates = WriteCandidates(model, source, lines);
        var trace = pool.Trace;
        lines.Add($"located:    {trace.LocatedBy ?? "not needed (the decision did not use the client's location)"}");
        lines.Add($"region:     {trace.Region ?? "none decided by location"}");
        lines.Add("decision:");
        foreach (string step in trace.Steps)
        {
            lines.Add($"  - {step}");
        }

        if (pool.Chosen.Count == 0)
        {
            lines.Add("chosen:     none (no member may answer)");
        }

        return new ExplainPool(model.Name, definition?.Location.ToString(), RecordTypes.Mnemonic(model.Type), model.Ttl, model.Policy.Name,
            model.Fallback.Name, model.MaxAnswers, PoolSelector.IfAllDownText(model), model.StickySubnet, model.Slot.PinnedRegion,
            source.Locator.Description, trace.LocatedBy, trace.Region, [.. trace.Steps], candidates,
            [.. pool.Chosen.Select(m => m.Target)], pool.ScopePrefix);
    }

    private static List<ExplainCandidate> WriteCandidates(PoolModel model, ExplainSource source, List<string> lines)
    {
        var candidates = new List<ExplainCandidate>();
        lines.Add("candidates:");
        lines.Add($"  {"member",-28} {"region",-14} {"weight",6} {"priority",8}  {"enabled",-7}  health");
        foreach (var member in model.Members)
        {
            string health = Health(member.Slot, source);
            lines.Add($"  {member.Target,-28} {member.RegionName,-14} {member.Weight,6} {member.Priority?.ToString(CultureInfo.InvariantCulture) ?? "-",8}  " +
                $"{(member.Enabled ? "yes" : "no"),-7}  {health}");
            candidates.Add(new ExplainCandidate(member.Target, member.RegionName, member.Weight, member.Priority, member.Enabled, member.Slot.Usable, health));
        }

        if (model.Slot.PinnedRegion is { } pin)
        {
            lines.Add($"  operator pin: region {pin}");
        }

        return candidates;
    }

    private static string Health(MemberSlot slot, ExplainSource source)
    {
        string state = slot.Usable ? "up" : "down";
        string detail = slot.Override != MemberOverride.Auto ? $"override {slot.Override}"
            : source.Board?.IsDrained(slot.Region) == true ? $"region {slot.Region} drained by an operator"
            : slot.Shared == HealthStatus.Unknown ? (source.Live ? "no verdict yet, serves" : "offline: no verdict, serves")
            : $"{slot.Shared} since {slot.SharedSince:O}{(slot.LocalReason is { } reason ? $": {reason}" : string.Empty)}";
        if (source.Votes?.Invoke(slot) is { Count: > 0 } votes)
        {
            detail += "; votes " + string.Join(" ", votes.OrderBy(v => v.Instance, StringComparer.Ordinal).Select(v => $"{v.Instance}={Vote.StatusText(v.Status)}"));
        }

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
    private static (ExplainZone? Zone, string Note) ZoneOf(ExplainInput input, IReadOnlyList<ExplainZone> zones)
    {
        var zone = zones.Where(z => input.Name.IsSubdomainOf(z.Origin)).MaxBy(z => z.Origin.LabelCount);
        if (zone is null || input.Type != RecordType.DS || zone.Origin != input.Name || input.Name.IsRoot)
        {
            return (zone, string.Empty);
        }

        var parent = zones.Where(z => z.Origin != input.Name && input.Name.IsSubdomainOf(z.Origin)).MaxBy(z => z.Origin.LabelCount);
        return parent is not null && parent.Zone.TryGetNode(input.Name.Key, out var node) && node.IsCut
            ? (parent, $"; DS at the apex of {zone.Origin} is answered by the parent side of the cut (RFC 4035 3.1.4.1)")
            : (zone, string.Empty);
    }

    /// <summary>Where a record of the reply comes from: its line, or the wildcard it was synthesised from.</summary>
    private static string SourceOf(ResourceRecord record, IReadOnlyList<ExplainZone> zones)
    {
        string rdata = RDataFormatter.Format(record.Type, record.RData);
        bool Same(ResourceRecord entry) =>
            entry.Type == record.Type && string.Equals(RDataFormatter.Format(entry.Type, entry.RData), rdata, StringComparison.OrdinalIgnoreCase);

        string? wildcard = null;
        string? missing = null;
        int wildcardLabels = -1;
        foreach (var zone in zones.Where(z => record.Owner.IsSubdomainOf(z.Origin)))
        {
            if (zone.File is not { } file)
            {
                missing ??= $"line unknown: {zone.Missing}";
                continue;
            }

            foreach (var entry in file.Records)
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

        return wildcard ?? missing ?? "not found in the zone files";
    }

    /// <summary>The POOL definition of <paramref name="owner"/> in the file of the zone that holds it, when that file is known.</summary>
    private static PoolDefinition? DefinitionOf(DnsName owner, IReadOnlyList<ExplainZone> zones) =>
        zones.Where(z => owner.IsSubdomainOf(z.Origin)).OrderByDescending(z => z.Origin.LabelCount)
            .SelectMany(z => z.File?.Pools ?? []).FirstOrDefault(p => p.Owner == owner);

    /// <summary>A pool at the end of the answer's chain (or at the name) that the asked type does not reach.</summary>
    private static PoolDefinition? PoolNotAsked(ExplainInput input, ExplainReply reply, IReadOnlyList<ExplainZone> zones)
    {
        if (reply.ResponseCode != ResponseCode.NoError || reply.Answer.Any(r => r.Type != RecordType.CNAME) || !reply.Authority.Any(r => r.Type == RecordType.SOA))
        {
            return null;
        }

        var end = reply.Answer.LastOrDefault(r => r.Type == RecordType.CNAME) is { } cname ? DnsName.FromWire(cname.RData) : input.Name;
        return DefinitionOf(end, zones);
    }
}
