using GeoDns.Core.Dns;
using GeoDns.Core.Lookup;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Dnssec;

/// <summary>
/// Online signing: turns a reply the query path wrote for a signed zone into its DNSSEC form
/// (RFC 4035 3.1) — RRSIGs on every authoritative RRset, the DNSKEY RRset at the apex, compact
/// denial of existence (RFC 9824) for NXDOMAIN and NODATA, minimally covering NSEC (RFC 4470)
/// for wildcard expansions, an NSEC proving a delegation has no DS. Runs only for queries with
/// DO (and DNSKEY at an apex); signatures come from <see cref="RrsetSigner"/>'s cache.
/// </summary>
public sealed class ResponseSigner(Keyring keyring, TimeProvider time, SignatureCache? cache = null)
{
    /// <summary>TTL of the DNSKEY RRset and of NSEC records made online (RFC 9077: NSEC TTL is at most the SOA minimum).</summary>
    public const uint DnskeyTtl = 3600;

    /// <summary>Child DS and DNSKEY (RFC 7344): the apex publishes them for the parent to copy.</summary>
    public const ushort Cds = 59;

    /// <inheritdoc cref="Cds"/>
    public const ushort Cdnskey = 60;

    private readonly RrsetSigner _signer = new(cache ?? new SignatureCache());
    private readonly SignedReplyCache _replies = new();

    public Keyring Keyring { get; } = keyring;

    public SignatureCache Cache => _signer.Cache;

    /// <summary>Whole signed replies (per signer: a new key set starts empty).</summary>
    public SignedReplyCache Replies => _replies;

    /// <summary>Types the signer answers at a signed apex even without DO: the zone file does not hold them.</summary>
    public static bool AnswersKeyType(ushort qtype) => qtype is RecordType.DNSKEY or Cds or Cdnskey;

    /// <summary>The keys of <paramref name="zone"/> when it is served signed now; else null.</summary>
    public ZoneKeys? KeysFor(Zone zone) => Keyring.For(zone.Apex.Key) is { } keys && keys.IsSigned(time.GetUtcNow()) ? keys : null;

    /// <summary>
    /// Rewrites the <paramref name="length"/> octets of <paramref name="response"/>; returns the new
    /// length (a TC reply with the question when the signed reply exceeds <paramref name="limit"/>).
    /// </summary>
    /// <param name="lookup">Answers a name and type from the same snapshot, unsigned (the DS records at a delegation).</param>
    public int Sign(Span<byte> response, int length, int limit, Zone zone, ZoneKeys keys, bool dnssecOk,
        Func<byte[], ushort, IReadOnlyList<MessageRecord>>? lookup = null)
    {
        var now = time.GetUtcNow();
        if (_replies.TryWrite(response[..length], limit, now, response) is int cached and > 0)
        {
            return cached;
        }

        byte[] unsigned = response[..length].ToArray();
        int signed = SignReply(response, length, limit, zone, keys, dnssecOk, lookup, now);
        if (signed != length || !response[..signed].SequenceEqual(unsigned))
        {
            _replies.Add(unsigned, limit, response[..signed], now, keys.NextChange(now));
        }

        return signed;
    }

    private int SignReply(Span<byte> response, int length, int limit, Zone zone, ZoneKeys keys, bool dnssecOk,
        Func<byte[], ushort, IReadOnlyList<MessageRecord>>? lookup, DateTimeOffset now)
    {
        if (!UnsignedReply.TryRead(response[..length], out var reply) || reply.Truncated)
        {
            return length;
        }

        var apex = zone.Apex.Wire.ToArray();
        int rcode = reply.ResponseCode;
        var answer = new List<MessageRecord>();
        var authority = new List<MessageRecord>();
        var additional = reply.Additional;

        if (AnswersKeyType(reply.QType) && Names.Equal(reply.QName, apex) && rcode == ResponseCode.NoError)
        {
            var set = KeyRecords(reply.QType, keys, apex, now);
            answer.AddRange(set);
            if (dnssecOk && set.Count > 0)
            {
                answer.AddRange(Signatures(set, RrsetSigner.LabelCount(apex), keys.Signing(now, dnskey: reply.QType == RecordType.DNSKEY), now));
            }

            if (set.Count > 0)
            {
                additional = [];
            }
            else
            {
                answer.Clear();
                SignSection(reply.Authority, authority, authority, zone, apex, keys.Signing(now, dnskey: false).ToList(), now);
            }
        }
        else if (!dnssecOk)
        {
            return length;
        }
        else
        {
            var zsks = keys.Signing(now, dnskey: false).ToList();
            SignSection(reply.Answer, answer, authority, zone, apex, zsks, now);
            byte[] final = FinalName(reply);
            bool negative = rcode == ResponseCode.NxDomain ||
                (rcode == ResponseCode.NoError && reply.Authoritative && reply.Authority.Any(r => r.Type == RecordType.SOA) &&
                 !reply.Answer.Any(r => r.Type == reply.QType && Names.Equal(r.Owner, final)));
            var cut = reply.Authoritative ? null : reply.Authority.FirstOrDefault(r => r.Type == RecordType.NS && !Names.Equal(r.Owner, apex));
            SignSection(reply.Authority, authority, authority, zone, apex, zsks, now);
            if (negative && Names.IsUnder(final, apex))
            {
                // RFC 9824: the name is shown to exist with no data of the type; NXNAME says it really does not.
                var nsec = new MessageRecord(final, RecordType.NSEC, RecordClass.IN, NegativeTtl(reply), Nsec.RData(Nsec.Successor(final), TypesAt(zone, final, apex)));
                authority.Add(nsec);
                authority.AddRange(Signatures([nsec], RrsetSigner.LabelCount(final), zsks, now));
                rcode = ResponseCode.NoError;
            }
            else if (cut is not null && TypesAt(zone, cut.Owner, apex).Contains(RecordType.DS))
            {
                // A secure delegation: the DS RRset, signed, goes with the referral (RFC 4035 3.1.4).
                var ds = lookup?.Invoke(cut.Owner, RecordType.DS).Where(r => r.Type == RecordType.DS).ToList() ?? [];
                if (ds.Count > 0)
                {
                    authority.AddRange(ds);
                    authority.AddRange(Signatures(ds, RrsetSigner.LabelCount(cut.Owner), zsks, now));
                }
            }
            else if (cut is not null)
            {
                // The delegation is unsigned: an NSEC at the cut without DS proves it (RFC 4035 3.1.4).
                var nsec = new MessageRecord(cut.Owner, RecordType.NSEC, RecordClass.IN, cut.Ttl,
                    Nsec.RData(Nsec.Successor(cut.Owner), [RecordType.NS, RecordType.RRSIG, RecordType.NSEC]));
                authority.Add(nsec);
                authority.AddRange(Signatures([nsec], RrsetSigner.LabelCount(cut.Owner), zsks, now));
            }
        }

        using var writer = new ReplyWriter();
        writer.Question(reply.QName, reply.QType);
        foreach (var record in answer.Concat(authority).Concat(additional))
        {
            writer.Record(record);
        }

        writer.Raw(reply.Opt);
        int flags = (reply.Flags & ~(DnsWire.FlagAd | 0xF)) | rcode;
        int extra = reply.Opt.Length > 0 ? 1 : 0;
        if (writer.Length > Math.Min(limit, response.Length))
        {
            // Too big for this client: TC with the question only (RFC 2181 9), so it retries over TCP.
            using var truncated = new ReplyWriter();
            truncated.Question(reply.QName, reply.QType);
            truncated.Raw(reply.Opt);
            truncated.Header(reply.Id, (ushort)(flags | DnsWire.FlagTc), 1, 0, 0, extra);
            truncated.Written.CopyTo(response);
            return truncated.Length;
        }

        writer.Header(reply.Id, (ushort)flags, 1, answer.Count, authority.Count, additional.Count + extra);
        writer.Written.CopyTo(response);
        return writer.Length;
    }

    /// <summary>Copies <paramref name="records"/> into <paramref name="into"/>, each in-zone RRset followed by its RRSIGs.</summary>
    private void SignSection(List<MessageRecord> records, List<MessageRecord> into, List<MessageRecord> proofs, Zone zone, byte[] apex,
        List<SigningKey> keys, DateTimeOffset now)
    {
        int start = 0;
        while (start < records.Count)
        {
            int end = start + 1;
            while (end < records.Count && records[end].Type == records[start].Type && Names.Equal(records[end].Owner, records[start].Owner))
            {
                end++;
            }

            var set = records.GetRange(start, end - start);
            into.AddRange(set);
            var owner = set[0].Owner;
            bool delegation = set[0].Type == RecordType.NS && !Names.Equal(owner, apex);
            if (Names.IsUnder(owner, apex) && !delegation && set[0].Type != RecordType.RRSIG)
            {
                int labels = RrsetSigner.LabelCount(owner);
                if (!zone.TryGetNode(Names.Key(owner), out _) && ClosestEncloser(zone, owner, apex) is { } encloser)
                {
                    // A wildcard expansion: signed as *.encloser, and the next closer name proved absent.
                    labels = RrsetSigner.LabelCount(encloser);
                    byte[] nextCloser = Names.Suffix(owner, RrsetSigner.LabelCount(owner) - labels - 1);
                    var nsec = new MessageRecord(Nsec.Predecessor(nextCloser), RecordType.NSEC, RecordClass.IN, set[0].Ttl,
                        Nsec.RData(Nsec.AfterDescendants(nextCloser), [RecordType.RRSIG, RecordType.NSEC]));
                    if (!proofs.Any(p => p.Type == RecordType.NSEC && Names.Equal(p.Owner, nsec.Owner)))
                    {
                        proofs.Add(nsec);
                        proofs.AddRange(Signatures([nsec], RrsetSigner.LabelCount(nsec.Owner), keys, now));
                    }
                }

                into.AddRange(Signatures(set, labels, keys, now));
            }

            start = end;
        }
    }

    private IEnumerable<MessageRecord> Signatures(List<MessageRecord> set, int labels, IEnumerable<SigningKey> keys, DateTimeOffset now) =>
        keys.Select(key => new MessageRecord(set[0].Owner, RecordType.RRSIG, set[0].Class, set[0].Ttl, _signer.Sign(set, labels, key, now)) { Added = true }).ToList();

    /// <summary>
    /// The DNSKEY RRset (published keys), or CDNSKEY/CDS (RFC 7344): the key-signing keys that are
    /// published and not yet inactive, so that a parent following CDS holds both DS records during a
    /// double-DS rollover and drops the old one once it is inactive.
    /// </summary>
    private static List<MessageRecord> KeyRecords(ushort type, ZoneKeys keys, byte[] apex, DateTimeOffset now)
    {
        if (type == RecordType.DNSKEY)
        {
            return keys.Published(now).Select(k => new MessageRecord(apex, RecordType.DNSKEY, RecordClass.IN, DnskeyTtl, k.DnskeyRData)).ToList();
        }

        var entryPoints = keys.Published(now).Where(k => k.IsKeySigning && !(k.Timing.Inactive <= now));
        return entryPoints.Select(k => new MessageRecord(apex, type, RecordClass.IN, DnskeyTtl,
            type == Cds ? DsRecord.RData(keys.Zone, k.Tag, k.Algorithm, k.DnskeyRData) : k.DnskeyRData)).ToList();
    }

    /// <summary>The types an NSEC at <paramref name="name"/> lists: the node's (a wildcard's when it matched), else NXNAME.</summary>
    private static List<ushort> TypesAt(Zone zone, byte[] name, byte[] apex)
    {
        List<ushort> types = [RecordType.RRSIG, RecordType.NSEC];
        if (zone.TryGetNode(Names.Key(name), out var node))
        {
            types.AddRange(node.Types.Where(t => t != RecordType.ANY));
            if (Names.Equal(name, apex))
            {
                types.AddRange([RecordType.DNSKEY, Cds, Cdnskey]);
            }
        }
        else if (ClosestEncloser(zone, name, apex) is { } encloser && zone.TryGetNode(Names.Key(encloser), out var parent) && parent.Wildcard is { } wildcard)
        {
            types.AddRange(wildcard.Types);
        }
        else
        {
            types.Add(Nsec.NxName);
        }

        return types;
    }

    /// <summary>The longest existing ancestor of <paramref name="name"/> whose <c>*</c> child exists; null when none.</summary>
    private static byte[]? ClosestEncloser(Zone zone, byte[] name, byte[] apex)
    {
        int labels = RrsetSigner.LabelCount(name);
        int apexLabels = RrsetSigner.LabelCount(apex);
        for (int drop = 1; labels - drop >= apexLabels; drop++)
        {
            byte[] ancestor = Names.Suffix(name, drop);
            if (zone.TryGetNode(Names.Key(ancestor), out var node))
            {
                return node.Wildcard is not null ? ancestor : null;
            }
        }

        return null;
    }

    /// <summary>The name the answer ends at: the query name, or the last CNAME target of the chain.</summary>
    private static byte[] FinalName(UnsignedReply reply)
    {
        byte[] name = reply.QName;
        for (int hops = 0; hops < 16; hops++)
        {
            var cname = reply.Answer.FirstOrDefault(r => r.Type == RecordType.CNAME && Names.Equal(r.Owner, name));
            if (cname is null)
            {
                break;
            }

            name = cname.RData;
        }

        return name;
    }

    private static uint NegativeTtl(UnsignedReply reply) =>
        reply.Authority.FirstOrDefault(r => r.Type == RecordType.SOA) is { } soa ? Math.Min(soa.Ttl, DnskeyTtl) : DnskeyTtl;
}
