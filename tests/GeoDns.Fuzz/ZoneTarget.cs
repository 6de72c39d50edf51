using System.Text;
using GeoDns.Core;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Fuzz;

/// <summary>
/// The zone-file loader from text (UTF-8 input) through every stage <c>geodns serve</c> runs:
/// parse with $INCLUDE served from memory, validate against the built-in vocabulary, plan the
/// probes, compile with pools. A zone that compiles is then queried for its names. The loader
/// reports problems as diagnostics: any exception, an "internal error" diagnostic, or a zone
/// that validates but cannot be built is a finding.
/// </summary>
public static class ZoneTarget
{
    /// <summary>Not named <c>&lt;zone&gt;.zone</c>: the input sets its own origin ($ORIGIN or the SOA owner).</summary>
    public const string FileName = "input.txt";

    /// <summary>The files <c>$INCLUDE</c> can name; <c>self.inc</c> is the input itself.</summary>
    private static readonly Dictionary<string, string> Includes = new(StringComparer.Ordinal)
    {
        ["a.inc"] = "x A 192.0.2.1\nx AAAA 2001:db8::1\n",
        ["loop.inc"] = "y TXT \"loop\"\n$INCLUDE loop.inc\n",
        ["regions.inc"] = "$REGION r9 continents=EU countries=SE lat=59.3 lon=18.1\n$CHECK c9 tcp port=22\n",
        ["pool.inc"] = "p POOL A policy=weighted check=c9\np MEMBER r9 192.0.2.1 weight=2\n",
        ["origin.inc"] = "$ORIGIN other.fuzz.test.\n@ A 192.0.2.2\n",
    };

    /// <summary>GEODNS_FUZZ_VERBOSE=1 prints each input's diagnostics (triage with <c>GeoDns.Fuzz zone FILE</c>).</summary>
    private static readonly bool Verbose = Environment.GetEnvironmentVariable("GEODNS_FUZZ_VERBOSE") == "1";

    [ThreadStatic]
    private static byte[]? t_reply;

    public static void Run(ReadOnlySpan<byte> input) => Run(Encoding.UTF8.GetString(input));

    public static void Run(string text)
    {
        var file = ZoneFileLoader.Parse(text, FileName, null, TrafficVocabulary.BuiltIn,
            path => path == "self.inc" ? text : Includes.GetValueOrDefault(path));
        CheckDiagnostics(file.Diagnostics);
        if (Verbose)
        {
            Console.WriteLine($"{file.Records.Count} records, {file.Pools.Count} pools, {file.Diagnostics.Count} diagnostics");
            foreach (var d in file.Diagnostics)
            {
                Console.WriteLine("  " + d);
            }
        }

        foreach (var entry in file.Records)
        {
            RDataFormatter.Format(entry.Record.Type, entry.Record.RData);
        }

        if (file.HasErrors)
        {
            return;
        }

        CheckFormatRoundTrip(file);

        var board = new HealthBoard();
        var random = new FuzzRandom();
        var pipeline = new ZonePipeline(TrafficVocabulary.BuiltIn,
            new TrafficCompiler(board, TrafficVocabulary.BuiltIn.Policies, new FuzzLocator(), random));
        var build = pipeline.Build(file);
        CheckDiagnostics(build.File.Diagnostics);
        var cannotBuild = build.File.Diagnostics.FirstOrDefault(d => d.Message.StartsWith("cannot build the zone", StringComparison.Ordinal));
        if (cannotBuild is not null)
        {
            throw Invariant.Fail($"a zone that validated cannot be built: {cannotBuild}");
        }

        if (build.Zone is { } zone)
        {
            Query(file, zone, random);
        }
    }

    private static void CheckDiagnostics(IReadOnlyList<ZoneDiagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            if (d.Message.Contains("internal error", StringComparison.Ordinal))
            {
                throw Invariant.Fail($"the loader hit an internal error: {d}");
            }

            if (d.Location.Line < 1 || d.Location.Column < 1)
            {
                throw Invariant.Fail($"diagnostic without a place: {d}");
            }
        }
    }

    /// <summary>
    /// Every record printed in master-file form (as <c>geodns explain</c> and the logs print it)
    /// reads back as the same record.
    /// </summary>
    private static void CheckFormatRoundTrip(ZoneFile file)
    {
        var text = new StringBuilder();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in file.Records)
        {
            text.Append(RDataFormatter.FormatRecord(entry.Record)).Append('\n');
            expected.Add(Describe(entry.Record));
        }

        var again = ZoneFileLoader.Parse(text.ToString(), FileName, file.Origin, TrafficVocabulary.BuiltIn);
        if (again.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error) is { } error)
        {
            string line = text.ToString().Split('\n')[error.Location.Line - 1];
            throw Invariant.Fail($"a formatted record does not read back: {error.Message}\n  {line}");
        }

        var actual = again.Records.Select(e => Describe(e.Record)).ToHashSet(StringComparer.Ordinal);
        if (!actual.SetEquals(expected))
        {
            throw Invariant.Fail($"formatted records read back differently:\n  lost: {string.Join(", ", expected.Except(actual))}\n  got:  {string.Join(", ", actual.Except(expected))}");
        }
    }

    private static string Describe(ResourceRecord r) => $"{r.Owner.Key}/{r.Type}/{r.Class}/{r.Ttl}/{Convert.ToHexString(r.RData)}";

    /// <summary>Asks the compiled zone for a few of its names (each for its own type, A and ANY).</summary>
    private static void Query(ZoneFile file, Zone zone, FuzzRandom random)
    {
        var processor = new QueryProcessor(new Snapshot([zone]));
        var reply = t_reply ??= new byte[DnsWire.MaxMessageLength];
        var names = file.Records.Select(e => (e.Record.Owner, e.Record.Type))
            .Concat(file.Pools.Select(p => (p.Owner, p.Type)))
            .DistinctBy(n => n.Owner)
            .Take(12);
        var client = ClientAddress.FromIPv4(0x51024501);
        foreach (var (owner, type) in names)
        {
            foreach (ushort qtype in new[] { type, RecordType.A, RecordType.ANY })
            {
                foreach (bool tcp in new[] { false, true })
                {
                    byte[] request = QueryBytes(owner, qtype);
                    random.Reset(qtype);
                    int length = processor.Process(request, tcp ? reply : reply.AsSpan(0, DnsWire.ServerUdpPayload), client, tcp);
                    var shape = ReplyChecks.Check(request, reply.AsSpan(0, length), tcp, opaqueTypes: false);
                    if (shape is not null && shape.Rcode == ResponseCode.Refused)
                    {
                        throw Invariant.Fail($"the zone refuses its own name {owner}");
                    }
                }
            }
        }
    }

    private static byte[] QueryBytes(DnsName name, ushort type)
    {
        var wire = name.Wire;
        var packet = new byte[12 + wire.Length + 4];
        packet[0] = 0x12;
        packet[1] = 0x34;
        packet[5] = 1;
        wire.CopyTo(packet.AsSpan(12));
        packet[12 + wire.Length] = (byte)(type >> 8);
        packet[12 + wire.Length + 1] = (byte)type;
        packet[12 + wire.Length + 3] = 1;
        return packet;
    }
}
