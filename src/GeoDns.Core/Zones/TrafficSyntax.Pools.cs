using System.Globalization;
using System.Net;
using GeoDns.Core.Dns;
using GeoDns.Core.Settings;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Core.Zones;

/// <summary><c>POOL</c> and <c>MEMBER</c> lines.</summary>
internal sealed partial class TrafficSyntax
{
    private readonly Dictionary<DnsName, PoolBuilder> _pools = [];

    /// <summary>Owner names of the pools declared so far, with where.</summary>
    public IEnumerable<(DnsName Owner, SourceLocation Location)> PoolOwners => _pools.Values.Select(p => (p.Owner, p.Location));

    /// <summary><c>owner [ttl] [IN] POOL type key=value...</c></summary>
    public void ParsePool(EntryReader r, DnsName owner, uint ttl, SourceLocation location)
    {
        owner = owner.Detached(); // kept by the served zone: not in the loader's name blocks
        var poolToken = r[r.Index - 1];
        if (_pools.TryGetValue(owner, out var earlier))
        {
            r.Error(poolToken, $"a second POOL at {owner} (the first is at {earlier.Location})");
            return;
        }

        if (!r.Next("POOL type (A, AAAA or CNAME)", out var typeToken))
        {
            return;
        }

        var typeText = r.Span(typeToken);
        ushort type = typeText.Equals("A", StringComparison.OrdinalIgnoreCase) ? RecordType.A
            : typeText.Equals("AAAA", StringComparison.OrdinalIgnoreCase) ? RecordType.AAAA
            : typeText.Equals("CNAME", StringComparison.OrdinalIgnoreCase) ? RecordType.CNAME
            : (ushort)0;
        if (type == 0)
        {
            r.Error(typeToken, $"bad POOL type '{EntryReader.Shorten(typeText)}': A, AAAA or CNAME");
            return;
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pool = new PoolBuilder(owner, type, ttl, location) { Settings = settings };
        _pools[owner] = pool; // registered even if a key is bad, so its MEMBER lines do not cascade errors
        var policyKeys = new List<(KeyValue Kv, string Key, string Value)>();
        Token stickyToken = default;
        bool ok = true; // every bad setting is reported (the pool stays registered for its MEMBER lines)
        while (!r.AtEnd)
        {
            if (!ReadSetting(r, seen, "POOL", out var kv, out string key, out string value))
            {
                ok = false;
                continue;
            }

            bool good = key switch
            {
                "policy" => IsPolicy(r, kv.Value, value, "policy", out pool.Policy),
                "fallback" => IsPolicy(r, kv.Value, value, "fallback", out pool.Fallback),
                "check" => KnownCheck(r, kv.Value, value, out pool.Check),
                "max-answers" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int max) && max is >= 1 and <= 64
                    ? Set(out pool.MaxAnswers, max) : r.Error(kv.Value, $"bad max-answers '{value}': an integer from 1 to 64"),
                "if-all-down" => value is "all" or "none" || _vocabulary.PolicySettings(value) is not null
                    ? Set(out pool.IfAllDown, value) : r.Error(kv.Value, $"bad if-all-down '{value}': all, none or a policy name"),
                "sticky" => value == "subnet"
                    ? Set(out stickyToken, kv.Value) : r.Error(kv.Value, $"bad sticky '{value}': only 'subnet'"),
                _ => Add(policyKeys, (kv, key, value)) is null,
            };
            if (good)
            {
                settings[key] = value;
            }

            ok &= good;
        }

        if (!PolicyKeys(r, pool, policyKeys, settings) || !ok)
        {
            return;
        }

        pool.MaxAnswers ??= pool.Policy == "all" ? 8 : 1;
        pool.StickySubnet = settings.ContainsKey("sticky");
        if (pool.StickySubnet && pool.Policy != "weighted")
        {
            r.Warning(r.Location(stickyToken), $"sticky=subnet only affects policy=weighted (this pool is {pool.Policy})");
        }
    }

    /// <summary>The keys the pool's policy declares; a key of another policy is a warning, any other key an error.</summary>
    private bool PolicyKeys(EntryReader r, PoolBuilder pool, List<(KeyValue Kv, string Key, string Value)> keys, Dictionary<string, string> settings)
    {
        var schema = _vocabulary.PolicySettings(pool.Policy ?? "failover") ?? SettingsSchema.Empty;
        bool ok = true;
        foreach (var (kv, key, value) in keys)
        {
            if (schema.Contains(key))
            {
                ok &= schema.Check(key, value) is not { } error || r.Error(kv.Value, error);
                continue;
            }

            var owners = _vocabulary.PolicyNames.Where(p => _vocabulary.PolicySettings(p)?.Contains(key) == true).ToList();
            if (owners.Count == 0)
            {
                ok &= r.Error(kv.Key, $"unknown POOL key '{key}' (use policy, fallback, check, max-answers, if-all-down, sticky{string.Concat(schema.Names.Select(n => ", " + n))})");
                continue;
            }

            r.Warning(r.Location(kv.Key), $"{key}= only affects policy={string.Join(" or policy=", owners)} (this pool is {pool.Policy})");
            settings.Remove(key);
        }

        return ok;
    }

    /// <summary><c>owner [ttl] [IN] MEMBER region target key=value...</c></summary>
    public void ParseMember(EntryReader r, DnsName owner, SourceLocation location)
    {
        var memberToken = r[r.Index - 1];
        if (!_pools.TryGetValue(owner, out var pool))
        {
            r.Error(memberToken, $"MEMBER at {owner} has no POOL line before it with the same owner");
            return;
        }

        if (!r.Next("MEMBER region", out var regionToken) || !r.Next("MEMBER target", out var targetToken))
        {
            return;
        }

        string region = r.String(regionToken);
        if (!_regions.ContainsKey(region))
        {
            r.Error(regionToken, $"unknown region '{EntryReader.Shorten(region)}' (declare it with $REGION before use)");
            return;
        }

        if (!MemberTarget(r, pool, targetToken, out string target, out byte[] rdata))
        {
            return;
        }

        if (pool.Members.Find(m => m.RData.AsSpan().SequenceEqual(rdata)) is { } duplicate)
        {
            r.Error(targetToken, $"member {target} is already in the pool at {owner} (at {duplicate.Location})");
            return;
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int weight = 1;
        int? priority = null;
        string? check = null;
        bool enabled = true;
        var checkKeys = new List<(KeyValue Kv, string Key, string Value)>();
        bool ok = true;
        while (!r.AtEnd)
        {
            if (!ReadSetting(r, seen, "MEMBER", out var kv, out string key, out string value))
            {
                ok = false;
                continue;
            }

            ok &= key switch
            {
                "weight" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int w) && w <= 65535
                    ? Set(out weight, w) : r.Error(kv.Value, $"bad weight '{value}': an integer from 0 to 65535"),
                "priority" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= 65535
                    ? Set(out priority, p) : r.Error(kv.Value, $"bad priority '{value}': an integer from 0 to 65535"),
                "check" => KnownCheck(r, kv.Value, value, out check),
                "enabled" => value is "true" or "false" ? Set(out enabled, value == "true") : r.Error(kv.Value, $"bad enabled '{value}': true or false"),
                "target" => IPAddress.TryParse(value, out _) || Uri.CheckHostName(value) == UriHostNameType.Dns
                    || r.Error(kv.Value, $"bad target '{value}': the address or host name health checks use"),
                _ => Add(checkKeys, (kv, key, value)) is null,
            };
            settings[key] = value;
        }

        // The check keys are validated even after a bad weight or priority, so every error shows.
        if (!MemberCheckKeys(r, location, check ?? pool.Check, checkKeys, settings) || !ok)
        {
            return;
        }

        pool.Members.Add(new MemberDefinition(region, target, rdata, weight, priority, check, enabled, settings, location));
    }

    /// <summary>
    /// A member's own values for its check's keys (interval, path, ...). Validated by the check's
    /// kind when the member or its pool names a check, else by any kind that has the key.
    /// </summary>
    private bool MemberCheckKeys(EntryReader r, SourceLocation location, string? checkName, List<(KeyValue Kv, string Key, string Value)> keys, Dictionary<string, string> settings)
    {
        var check = checkName is not null && _checks.TryGetValue(checkName, out var c) ? c : null;
        var schema = check is null ? null : _vocabulary.CheckSettings(check.Kind);
        bool ok = true;
        foreach (var (kv, key, value) in keys)
        {
            var owner = key == "quorum" ? null
                : schema is not null ? (schema.Contains(key) ? schema : null)
                : _vocabulary.CheckKinds.Select(_vocabulary.CheckSettings).FirstOrDefault(s => s?.Contains(key) == true);
            if (owner is null)
            {
                ok &= schema is not null && _vocabulary.CheckKinds.Any(k => k != check!.Kind && _vocabulary.CheckSettings(k)?.Contains(key) == true)
                    ? r.Error(kv.Key, $"key '{key}' does not apply to {check!.Kind} checks")
                    : r.Error(kv.Key, $"unknown MEMBER key '{key}' (use weight, priority, check, enabled, target, or a setting of the check)");
                continue;
            }

            ok &= owner.Check(key, value) is not { } error || r.Error(kv.Value, error);
        }

        if (!ok || keys.Count == 0)
        {
            return ok;
        }

        var merged = new Dictionary<string, string>(check?.Settings ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (_, key, value) in keys)
        {
            merged[key] = value;
        }

        // Without a check, the values must fit together for some kind that has all the keys.
        var candidates = schema is not null ? [schema]
            : _vocabulary.CheckKinds.Select(_vocabulary.CheckSettings).OfType<SettingsSchema>().Where(s => merged.Keys.All(s.Contains)).ToList();
        var errors = new List<string>();
        foreach (var candidate in candidates)
        {
            errors.Clear();
            candidate.Read(merged, errors);
            if (errors.Count == 0)
            {
                return true;
            }
        }

        foreach (var error in errors)
        {
            r.Error(location, $"member check: {error}");
        }

        return errors.Count == 0;
    }

    /// <summary>Builds the pools; every pool needs members, and a pool owner must lie in the zone.</summary>
    public IReadOnlyList<PoolDefinition> FinishPools(DnsName origin)
    {
        var result = new List<PoolDefinition>(_pools.Count);
        foreach (var pool in _pools.Values)
        {
            if (!pool.Owner.IsSubdomainOf(origin))
            {
                _diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, pool.Location, $"POOL owner {pool.Owner} is outside the zone {origin}"));
            }

            if (pool.Members.Count == 0)
            {
                _diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, pool.Location, $"POOL at {pool.Owner} has no MEMBER lines"));
            }

            if (pool.Members.Count > 0 && pool.Members.All(m => m.Weight == 0) && WeightedBy(pool) is { } weighted)
            {
                // WeightedChoice draws evenly when the weights sum to 0: weight 0 everywhere turns nothing off.
                _diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Warning, pool.Location,
                    $"every member of the pool at {pool.Owner} has weight=0: weight 0 only ranks a member after those with a weight, " +
                    $"so {weighted} picks among these with equal chances, as if each weight were 1 (enabled=false takes a member out)"));
            }

            if (pool.Members.Count > PoolDefinition.MaxMembers)
            {
                _diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, pool.Members[PoolDefinition.MaxMembers].Location,
                    $"POOL at {pool.Owner} has {pool.Members.Count} members; at most {PoolDefinition.MaxMembers} are allowed"));
            }

            result.Add(new PoolDefinition(pool.Owner, pool.Type, pool.Ttl, pool.Policy ?? "failover", pool.Fallback ?? "failover", pool.Check,
                pool.MaxAnswers ?? 1, pool.IfAllDown, pool.StickySubnet, pool.Members, pool.Settings, pool.Location));
        }

        return result;
    }

    private static bool MemberTarget(EntryReader r, PoolBuilder pool, Token t, out string target, out byte[] rdata)
    {
        target = r.String(t);
        rdata = [];
        string type = RecordTypes.Mnemonic(pool.Type);
        switch (pool.Type)
        {
            case RecordType.A:
                rdata = new byte[4];
                if (!BasicRData.TryParseIPv4(r.Span(t), rdata))
                {
                    return r.Error(t, $"member target '{EntryReader.Shorten(target)}' is not an IPv4 address (the pool at {pool.Owner} is type {type})");
                }

                return true;
            case RecordType.AAAA:
                if (!BasicRData.TryParseIPv6(r.Span(t), out var v6))
                {
                    return r.Error(t, $"member target '{EntryReader.Shorten(target)}' is not an IPv6 address (the pool at {pool.Owner} is type {type})");
                }

                rdata = v6.GetAddressBytes();
                target = v6.ToString();
                return true;
            default:
                if (BasicRData.TryParseIPv4(r.Span(t), stackalloc byte[4]) || r.Span(t).Contains(':'))
                {
                    return r.Error(t, $"member target '{EntryReader.Shorten(target)}' is an address, but the pool at {pool.Owner} is type CNAME");
                }

                if (!r.ParseName(t, "member target", out var name))
                {
                    return false;
                }

                rdata = name.Wire.ToArray();
                target = name.ToString();
                return true;
        }
    }

    /// <summary>The first of the pool's policy, fallback and if-all-down policy that picks by weight, as key=name; null if none does.</summary>
    private string? WeightedBy(PoolBuilder pool)
    {
        (string Key, string? Name)[] policies = [("policy", pool.Policy ?? "failover"), ("fallback", pool.Fallback), ("if-all-down", pool.IfAllDown)];
        return policies.Where(p => p.Name is not null && _vocabulary.UsesWeights(p.Name)).Select(p => $"{p.Key}={p.Name}").FirstOrDefault();
    }

    private bool IsPolicy(EntryReader r, Token t, string value, string what, out string? result)
    {
        result = value;
        return _vocabulary.PolicySettings(value) is not null ||
            r.Error(t, $"unknown {what} '{value}' (use {string.Join(", ", _vocabulary.PolicyNames.Order(StringComparer.Ordinal))})");
    }

    private bool KnownCheck(EntryReader r, Token t, string value, out string? check)
    {
        check = value;
        return _checks.ContainsKey(value) || r.Error(t, $"unknown check '{value}' (declare it with $CHECK before use)");
    }

    private static bool Set<T>(out T field, T value)
    {
        field = value;
        return true;
    }

    private sealed class PoolBuilder(DnsName owner, ushort type, uint ttl, SourceLocation location)
    {
        public DnsName Owner { get; } = owner;

        public ushort Type { get; } = type;

        public uint Ttl { get; } = ttl;

        public SourceLocation Location { get; } = location;

        public List<MemberDefinition> Members { get; } = [];

        public IReadOnlyDictionary<string, string> Settings { get; set; } = new Dictionary<string, string>();

        public bool StickySubnet { get; set; }

#pragma warning disable SA1401, CA1051 // fields so parsers can fill them through out parameters
        public string? Policy = "failover";
        public string? Fallback;
        public string? Check;
        public int? MaxAnswers;
        public string IfAllDown = "all";
#pragma warning restore SA1401, CA1051
    }
}
