using System.Buffers.Binary;
using System.Globalization;
using System.Reflection;
using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Lookup;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Core.Tests.Zones;

/// <summary>The record-type table: names, codecs, and the names-in-RDATA facts the encoder acts on.</summary>
public class RecordTypesTests
{
    private const string Header =
        "$ORIGIN example.net.\n" +
        "$TTL 60\n" +
        "@ SOA ns1 hostmaster 1 7200 900 1209600 60\n" +
        "@ NS ns1\n" +
        "ns1 A 192.0.2.53\n";

    private static ZoneFile Parse(string text) => ZoneTestHelper.Parse(text, file: "example.net.zone");

    private static IEnumerable<RecordTypeInfo> Entries() => RecordTypes.All;

    private static IEnumerable<RecordTypeInfo> WithParser() => RecordTypes.All.Where(e => e.HasParser);

    [Test]
    public void EntriesAreSortedByCodeAndUnique()
    {
        var codes = RecordTypes.All.Select(e => (int)e.Code).ToList();
        Assert.That(codes, Is.Ordered.And.Unique);
        Assert.That(RecordTypes.All.Select(e => e.Mnemonic.ToUpperInvariant()), Is.Unique);
    }

    [TestCaseSource(nameof(Entries))]
    public void NameAndCodeRoundTrip(RecordTypeInfo entry)
    {
        string numbered = "TYPE" + entry.Code.ToString(CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(RecordTypes.Find(entry.Code), Is.SameAs(entry));
            Assert.That(RecordTypes.Mnemonic(entry.Code), Is.EqualTo(entry.Mnemonic));
            Assert.That(RecordTypes.TryParse(entry.Mnemonic, out ushort code) ? code : -1, Is.EqualTo(entry.Code));
            Assert.That(RecordTypes.TryParse(entry.Mnemonic.ToLowerInvariant(), out code) ? code : -1, Is.EqualTo(entry.Code));
            Assert.That(RecordTypes.TryParse(numbered, out code) ? code : -1, Is.EqualTo(entry.Code));
            Assert.That(RecordTypeNames.ToMnemonic(entry.Code), Is.EqualTo(entry.Mnemonic));
            Assert.That(RecordTypeNames.TryGetType(entry.Mnemonic, out code) ? code : -1, Is.EqualTo(entry.Code));
        });
    }

    [Test]
    public void TypesWithoutAnEntryUseTheGenericName()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RecordTypes.Find(65280), Is.Null);
            Assert.That(RecordTypes.Find(32770), Is.Null);
            Assert.That(RecordTypes.Find(261), Is.Null);
            Assert.That(RecordTypes.Mnemonic(65280), Is.EqualTo("TYPE65280"));
            Assert.That(RecordTypes.TryParse("type65280", out ushort code) && code == 65280, Is.True);
            Assert.That(RecordTypes.TryParse("NOPE", out _), Is.False);
            Assert.That(RecordTypes.TryParse("TYPE65536", out _), Is.False);
            Assert.That(RecordTypes.NamesIn(65280).Any, Is.False);
        });
    }

    [Test]
    public void EveryNamedConstantHasItsEntry()
    {
        var constants = typeof(RecordType).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).ToList();
        Assert.That(constants, Is.Not.Empty);
        foreach (var field in constants)
        {
            ushort code = (ushort)field.GetRawConstantValue()!;
            Assert.That(RecordTypes.Find(code)?.Mnemonic, Is.EqualTo(field.Name), field.Name);
        }
    }

    [Test]
    public void MetaTypesAreTheRfc6895Ones()
    {
        Assert.That(RecordTypes.All.Where(e => e.IsMeta).Select(e => e.Mnemonic),
            Is.EquivalentTo(new[] { "OPT", "TKEY", "TSIG", "IXFR", "AXFR", "MAILB", "MAILA", "ANY" }));
        for (int type = 0; type <= ushort.MaxValue; type++)
        {
            bool meta = type is RecordType.OPT or (>= 128 and <= 255);
            if (RecordTypes.IsMeta((ushort)type) != meta || RecordTypes.IsQueryable((ushort)type) == meta)
            {
                Assert.Fail($"type {type}: IsMeta {RecordTypes.IsMeta((ushort)type)}, IsQueryable {RecordTypes.IsQueryable((ushort)type)}");
            }
        }

        Assert.That(RecordTypes.All.Where(e => e.IsMeta).Any(e => e.HasParser || e.Names.Any || e.AddsTargetAddresses), Is.False);
    }

    [Test]
    public void MetaTypesAreNotZoneData()
    {
        var zone = Parse(Header + "x ANY \\# 0\nx TYPE200 \\# 0\nx OPT \\# 0\n");
        Assert.That(zone.Diagnostics.Count(d => d.Message.Contains("meta or query type", StringComparison.Ordinal)), Is.EqualTo(3),
            () => ZoneTestHelper.Dump(zone));
    }

    [TestCaseSource(nameof(WithParser))]
    public void ParsesAndFormatsItsExample(RecordTypeInfo entry)
    {
        var record = Record(entry, entry.Example!);
        string text = RDataFormatter.Format(entry.Code, record.RData);
        if (entry.HasFormatter)
        {
            Assert.That(text, Is.EqualTo(entry.Example));
        }
        else
        {
            // Printed in generic form, which parses back to the same bytes.
            Assert.That(text, Is.EqualTo(RDataFormatter.Generic(record.RData)));
            Assert.That(Record(entry, text).RData, Is.EqualTo(record.RData));
        }
    }

    [Test]
    public void TypesWithoutParserTakeTheGenericFormOnly()
    {
        var zone = Parse(Header + "x LOC 52 22 23.000 N 4 53 32.000 E -2.00m\ny LOC \\# 2 0102\n");
        ZoneTestHelper.AssertError(zone, "example.net.zone:6:7", "no presentation format for LOC");
        Assert.That(zone.Records.Count(e => e.Record.Type == 29), Is.EqualTo(1));
    }

    [TestCaseSource(nameof(WithParser))]
    public void EncoderHandlesTheNamesTheTableDescribes(RecordTypeInfo entry)
    {
        var record = Record(entry, entry.Example!);
        var names = entry.Names;
        var (message, rdataAt, lastNameOffset) = Encode(record);
        int rdataLength = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(rdataAt - 2));
        var encoded = message.AsSpan(rdataAt, rdataLength);
        var rdata = record.RData;

        Assert.That(BodyBuilder.IsPlainData(entry.Code), Is.EqualTo(!names.Any));
        if (!names.Compressed)
        {
            Assert.That(encoded.ToArray(), Is.EqualTo(rdata), "copied as it is");
        }
        else
        {
            // Fixed fields, then each name as labels ending in a pointer, then the rest as it is.
            Assert.That(encoded[..names.Offset].ToArray(), Is.EqualTo(rdata[..names.Offset]));
            int at = rdataAt + names.Offset;
            int original = names.Offset;
            for (int i = 0; i < names.Count; i++)
            {
                var name = ReadName(message, at, out at, out bool pointer);
                var expected = DnsName.FromWire(rdata.AsSpan(original, NameLength(rdata, original)));
                original += expected.WireLength;
                Assert.That(name, Is.EqualTo(expected));
                Assert.That(pointer, Is.True, $"name {i} compressed");
            }

            Assert.That(message[at..(rdataAt + rdataLength)], Is.EqualTo(rdata[original..]));
            Assert.That(rdataLength, Is.LessThan(rdata.Length));
        }

        if (names.Count == 1)
        {
            var expected = DnsName.FromWire(rdata.AsSpan(names.Offset, NameLength(rdata, names.Offset)));
            Assert.That(ReadName(message, lastNameOffset, out _, out _), Is.EqualTo(expected), "LastRDataNameOffset");
        }
        else
        {
            Assert.That(lastNameOffset, Is.EqualTo(-1));
        }
    }

    [Test]
    public void MxExchangeIsCompressedAndSrvTargetIsNot()
    {
        var mx = Encode(Record(RecordTypes.Find(RecordType.MX)!, "10 mail.example.net."));
        var srv = Encode(Record(RecordTypes.Find(RecordType.SRV)!, "0 5 25 mail.example.net."));
        Assert.Multiple(() =>
        {
            // "mail" then a pointer to the question's "example.net.".
            Assert.That(mx.Message[(mx.RDataAt + 2)..^0], Is.EqualTo(new byte[] { 4, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 0xC0, 14 }));
            Assert.That(srv.Message[(srv.RDataAt + 6)..^0], Is.EqualTo(DnsName.Parse("mail.example.net.").Wire.ToArray()));
            Assert.That(RecordTypes.NamesIn(RecordType.MX), Is.EqualTo(new RDataNames(2, 1, Compressed: true)));
            Assert.That(RecordTypes.NamesIn(RecordType.SRV), Is.EqualTo(new RDataNames(6, 1, Compressed: false)));
            Assert.That(RecordTypes.NamesIn(RecordType.SOA), Is.EqualTo(new RDataNames(0, 2, Compressed: true)));
            Assert.That(RecordTypes.NamesIn(RecordType.DNAME), Is.EqualTo(new RDataNames(0, 1, Compressed: false)));
        });
    }

    /// <summary>Which types have which facts: a change here changes what zone files accept or answers hold.</summary>
    [Test]
    public void FactsPerType()
    {
        static string[] Where(Func<RecordTypeInfo, bool> which) => [.. RecordTypes.All.Where(which).Select(e => e.Mnemonic)];

        Assert.Multiple(() =>
        {
            Assert.That(RecordTypes.All.Where(e => e.Names.Any).ToDictionary(e => e.Mnemonic, e => e.Names),
                Is.EquivalentTo(new Dictionary<string, RDataNames>
                {
                    ["NS"] = new(0, 1, true),
                    ["CNAME"] = new(0, 1, true),
                    ["SOA"] = new(0, 2, true),
                    ["PTR"] = new(0, 1, true),
                    ["MX"] = new(2, 1, true),
                    ["SRV"] = new(6, 1, false),
                    ["DNAME"] = new(0, 1, false),
                }));
            Assert.That(Where(e => e.AddsTargetAddresses), Is.EquivalentTo(new[] { "NS", "MX", "SRV" }));
            Assert.That(Where(e => e.HasParser), Is.EquivalentTo(new[]
            {
                "A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "PTR", "HINFO", "MINFO", "MX", "TXT", "RP",
                "AFSDB", "RT", "AAAA", "SRV", "NAPTR", "KX", "DNAME", "DS", "SSHFP", "DNSKEY", "TLSA", "SMIMEA", "CDS",
                "CDNSKEY", "SVCB", "HTTPS", "SPF", "CAA", "TA", "DLV",
            }));
            Assert.That(Where(e => e.HasFormatter), Is.EquivalentTo(new[]
            {
                "A", "NS", "CNAME", "SOA", "PTR", "HINFO", "MX", "TXT", "AAAA", "SRV", "DNAME", "DS", "SSHFP", "DNSKEY",
                "TLSA", "CDS", "CDNSKEY", "SPF", "CAA",
            }));
        });
    }

    /// <summary>The types flagged for target addresses get the in-zone target's A in the additional section; others with one name do not.</summary>
    [TestCaseSource(nameof(WithParser))]
    public void TargetAddressesFollowTheFlag(RecordTypeInfo entry)
    {
        if (entry.Names.Count != 1)
        {
            Assert.That(entry.AddsTargetAddresses, Is.False);
            return;
        }

        // The example with its name replaced by an in-zone host that has an address.
        var example = Record(entry, entry.Example!).RData;
        int offset = entry.Names.Offset;
        byte[] rdata = [.. example[..offset], .. DnsName.Parse("host.example.net.").Wire, .. example[(offset + NameLength(example, offset))..]];

        var file = Parse(Header + "host A 192.0.2.7\n");
        ZoneTestHelper.AssertClean(file);
        var compiler = new ZoneCompiler(file.Origin, file.Soa);
        foreach (var zoneEntry in file.Records)
        {
            compiler.Add(zoneEntry.Record);
        }

        compiler.Add(new ResourceRecord(DnsName.Parse("x.example.net."), entry.Code, RecordClass.IN, 60, rdata));
        var zone = compiler.Compile();
        Assert.That(zone.TryGetNode(DnsName.Parse("x.example.net.").Key, out var node), Is.True);
        var answer = node!.IsCut ? node.Referral! : node.AnswerFor(entry.Code, overTcp: false);
        Assert.That(answer.AdditionalCount, Is.EqualTo(entry.AddsTargetAddresses ? 1 : 0));
    }

    /// <summary>The record "x TYPE rdata" (the apex SOA for SOA) in a zone at example.net.</summary>
    private static ResourceRecord Record(RecordTypeInfo entry, string rdata)
    {
        string text = entry.Code == RecordType.SOA
            ? $"$ORIGIN example.net.\n$TTL 60\n@ SOA {rdata}\n@ NS ns1\nns1 A 192.0.2.53\n"
            : $"{Header}x {entry.Mnemonic} {rdata}\n";
        var zone = Parse(text);
        ZoneTestHelper.AssertNoErrors(zone);
        string owner = entry.Code == RecordType.SOA ? "example.net." : "x.example.net.";
        return zone.Records.Single(e => e.Record.Type == entry.Code && e.Record.Owner == DnsName.Parse(owner)).Record;
    }

    /// <summary>The whole message of an answer holding <paramref name="record"/> for a question of its owner.</summary>
    private static (byte[] Message, int RDataAt, int LastNameOffset) Encode(ResourceRecord record)
    {
        var builder = new BodyBuilder(record.Owner, TemplateMode.Exact);
        builder.AddOwnedByQuestion(record);
        int lastNameOffset = builder.LastRDataNameOffset;
        var body = builder.Build(true, ResponseCode.NoError).Body;
        int bodyAt = DnsWire.HeaderLength + record.Owner.WireLength + 4;
        var message = new byte[bodyAt + body.Count];
        record.Owner.Wire.CopyTo(message.AsSpan(DnsWire.HeaderLength));
        body.AsSpan().CopyTo(message.AsSpan(bodyAt));
        // Owner pointer, type, class, TTL, RDLENGTH.
        return (message, bodyAt + 2 + 2 + 2 + 4 + 2, lastNameOffset);
    }

    /// <summary>Reads a possibly compressed name; <paramref name="next"/> is the offset after it where it was written.</summary>
    private static DnsName ReadName(byte[] message, int offset, out int next, out bool pointer)
    {
        var wire = new List<byte>();
        next = -1;
        pointer = false;
        while (true)
        {
            int length = message[offset];
            if ((length & 0xC0) == 0xC0)
            {
                if (next < 0)
                {
                    next = offset + 2;
                }

                pointer = true;
                offset = ((length & 0x3F) << 8) | message[offset + 1];
                continue;
            }

            wire.AddRange(message.AsSpan(offset, length + 1));
            offset += length + 1;
            if (length == 0)
            {
                if (next < 0)
                {
                    next = offset;
                }

                return DnsName.FromWire(wire.ToArray());
            }
        }
    }

    private static int NameLength(byte[] wire, int start)
    {
        int pos = start;
        while (wire[pos] != 0)
        {
            pos += wire[pos] + 1;
        }

        return pos + 1 - start;
    }
}
