using System.Text;
using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Zones;
using NUnit.Framework;

namespace GeoDns.Core.Tests.Lookup;

/// <summary>Names with one plain record are compiled on every core; every answer must be the one a single thread builds.</summary>
public class ParallelCompileTests
{
    private static Zone Compile(ZoneFile file, int parallelThreshold)
    {
        var compiler = new ZoneCompiler(file.Origin, file.Soa, file.Records.Count) { ParallelSinglesThreshold = parallelThreshold };
        foreach (var entry in file.Records)
        {
            compiler.Add(entry.Record);
        }

        return compiler.Compile();
    }

    private static void AssertSameAnswer(PreparedAnswer? a, PreparedAnswer? b, string what)
    {
        Assert.That(a is null, Is.EqualTo(b is null), what);
        if (a is null || b is null)
        {
            return;
        }

        Assert.That(a.Body.ToArray(), Is.EqualTo(b.Body.ToArray()), what + " body");
        Assert.That((a.ResponseCode, a.AnswerCount, a.AuthorityCount, a.AdditionalCount, a.TemplateNameLength, a.Authoritative),
            Is.EqualTo((b.ResponseCode, b.AnswerCount, b.AuthorityCount, b.AdditionalCount, b.TemplateNameLength, b.Authoritative)), what);
        Assert.That(a.Fixups, Is.EqualTo(b.Fixups), what + " fixups");
    }

    [Test]
    public void EveryNameAnswersAsWhenCompiledOnOneThread()
    {
        var text = new StringBuilder("""
            $ORIGIN par.example.
            $TTL 300
            @ SOA ns1 hostmaster 1 7200 900 1209600 60
            @ NS ns1
            ns1 A 192.0.2.1
            *.wild A 192.0.2.2
            sub NS ns.sub
            ns.sub A 192.0.2.3
            below.sub A 192.0.2.4
            alias CNAME h1
            two A 192.0.2.5
            two TXT "and text"

            """);
        for (int i = 0; i < 6000; i++)
        {
            text.Append((i % 5) switch
            {
                0 => $"h{i} A 10.0.{i / 256 % 256}.{i % 256}\n",
                1 => $"h{i} AAAA 2001:db8::{i:x}\n",
                2 => $"h{i} TXT \"text {i}\"\n",
                3 => $"h{i} MX 10 h{i - 3}\n",
                _ => $"deep.h{i} A 10.1.{i / 256 % 256}.{i % 256}\n",
            });
        }

        var file = ZoneFileLoader.Parse(text.ToString(), "par.example.zone", null, TrafficVocabulary.BuiltIn);
        Assert.That(file.HasErrors, Is.False, () => string.Join("\n", file.Diagnostics));
        var parallel = Compile(file, parallelThreshold: 0);
        var single = Compile(file, parallelThreshold: int.MaxValue);

        // Every owner, and empty non-terminals (h4 above deep.h4, wild above *.wild).
        var owners = file.Records.Select(e => e.Record.Owner).Distinct().Concat([DnsName.Parse("h4.par.example."), DnsName.Parse("wild.par.example.")]).ToList();
        ushort[] asked = [RecordType.A, RecordType.AAAA, RecordType.TXT, RecordType.MX, RecordType.NS, RecordType.ANY, 99];
        Assert.Multiple(() =>
        {
            foreach (var owner in owners)
            {
                Assert.That(parallel.TryGetNode(owner.Key, out var p), Is.True, owner.ToString());
                Assert.That(single.TryGetNode(owner.Key, out var s), Is.True, owner.ToString());
                if (p is null || s is null)
                {
                    continue;
                }

                Assert.That(p.Types, Is.EqualTo(s.Types), owner + " types");
                Assert.That((p.Wildcard is null, p.IsCut), Is.EqualTo((s.Wildcard is null, s.IsCut)), owner.ToString());
                AssertSameAnswer(p.Referral, s.Referral, owner + " referral");
                foreach (ushort type in asked)
                {
                    AssertSameAnswer(p.AnswerFor(type, overTcp: false), s.AnswerFor(type, overTcp: false), $"{owner} {type}");
                    AssertSameAnswer(p.AnswerFor(type, overTcp: true), s.AnswerFor(type, overTcp: true), $"{owner} {type} TCP");
                }
            }
        });
        Assert.That(parallel.TryGetNode(DnsName.Parse("h0.par.example.").Key, out var h0), Is.True);
        Assert.That((h0!.Types, h0.AnswerFor(RecordType.A, false).AnswerCount, h0.AnswerFor(RecordType.A, false).ResponseCode), Is.EqualTo((new[] { RecordType.A }, 1, 0)));
    }
}
