using System.Text;
using GeoDns.Core.Loading;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.Parsing;
using NUnit.Framework;

namespace GeoDns.Core.Tests.Zones;

/// <summary>
/// A large zone file is parsed in chunks on several cores; whatever the file holds, the records
/// and diagnostics must be those of reading it in order.
/// </summary>
public class ChunkedParseTests
{
    // Small chunks and head, so that a test-sized file is split many times.
    private static readonly ChunkedParse Split = new(Chunks: 8, Threshold: 0, HeadLength: 200);

    private static ZoneParser Parse(string text, ChunkedParse chunking)
    {
        var parser = new ZoneParser(null, _ => new IncludeText(null, "no includes here"), TrafficVocabulary.BuiltIn);
        parser.ParseFile(text, "big.example.zone", chunking);
        return parser;
    }

    private static string Header => """
        $ORIGIN big.example.
        $TTL 300
        @ IN SOA ns1 hostmaster 1 7200 900 1209600 60
        @ IN NS ns1
        ns1 IN A 192.0.2.1

        """;

    /// <summary>Asserts the chunked parse equals the ordered one, record by record and diagnostic by diagnostic.</summary>
    private static ZoneParser AssertSameAsInOrder(string text)
    {
        var inOrder = Parse(text, ChunkedParse.Never);
        var chunked = Parse(text, Split);
        Assert.Multiple(() =>
        {
            Assert.That(chunked.Records, Has.Count.EqualTo(inOrder.Records.Count));
            for (int i = 0; i < Math.Min(chunked.Records.Count, inOrder.Records.Count); i++)
            {
                var (a, b) = (chunked.Records[i], inOrder.Records[i]);
                Assert.That((a.Record.Owner, a.Record.Type, a.Record.Ttl, a.Location), Is.EqualTo((b.Record.Owner, b.Record.Type, b.Record.Ttl, b.Location)), $"record {i}");
                Assert.That(a.Record.RData, Is.EqualTo(b.Record.RData), $"record {i} rdata");
            }

            Assert.That(chunked.Diagnostics.Select(d => d.ToString()), Is.EqualTo(inOrder.Diagnostics.Select(d => d.ToString())));
        });
        return chunked;
    }

    [Test]
    public void PlainRecordsAreReadInChunksWithTheirLines()
    {
        var text = new StringBuilder(Header);
        for (int i = 0; i < 3000; i++)
        {
            text.Append((i % 4) switch
            {
                0 => $"h{i} IN A 10.0.{i / 256 % 256}.{i % 256}\n",
                1 => $"h{i} 60 IN AAAA 2001:db8::{i:x}\n  IN TXT \"same owner {i}\" ; a comment\n",
                2 => $"; comment line {i}\n\nh{i} IN MX 10 h{i - 1}\n",
                _ => $"h{i} IN TXT ( \"part one\"\n    \"part two {i}\" )\n",
            });
        }

        var chunked = AssertSameAsInOrder(text.ToString());
        Assert.That(chunked.ChunksKept, Is.GreaterThanOrEqualTo(4), "most chunks were parsed ahead and kept");
        Assert.That(chunked.Records, Has.Count.EqualTo(3 + 3000 + 750));
    }

    [Test]
    public void ABoundaryInsideParenthesesIsReadAgainInOrder()
    {
        // Every entry spans two lines and the second starts like an owner: boundaries land inside.
        var text = new StringBuilder(Header);
        for (int i = 0; i < 3000; i++)
        {
            text.Append($"h{i} IN MX ( 10\nh{i + 1} )\n");
        }

        AssertSameAsInOrder(text.ToString());
    }

    [Test]
    public void DirectivesAndAnSoaLaterInTheFileChangeWhatFollows()
    {
        var text = new StringBuilder(Header);
        for (int i = 0; i < 4000; i++)
        {
            text.Append($"h{i} IN A 10.1.{i / 256 % 256}.{i % 256}\n");
            if (i == 1500)
            {
                text.Append("$ORIGIN sub.big.example.\n$TTL 77\n");
            }

            if (i == 2500)
            {
                text.Append("@ IN SOA ns1 hostmaster 2 7200 900 1209600 60\n");
            }
        }

        var chunked = AssertSameAsInOrder(text.ToString());
        Assert.That(chunked.Records.Count(r => r.Record.Ttl == 77 && r.Record.Owner.ToString().EndsWith(".sub.big.example.", StringComparison.Ordinal)), Is.GreaterThan(2000));
    }

    [Test]
    public void ErrorsAreReportedOnceInOrderWithTheirLines()
    {
        var text = new StringBuilder(Header);
        for (int i = 0; i < 3000; i++)
        {
            text.Append(i % 700 == 350 ? $"h{i} IN A 300.0.0.{i % 256}\n" : $"h{i} IN A 10.2.{i / 256 % 256}.{i % 256}\n");
        }

        var chunked = AssertSameAsInOrder(text.ToString());
        Assert.That(chunked.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), Is.EqualTo(4));
    }

    [Test]
    public void PoolsAndMembersLaterInTheFileAreReadInOrder()
    {
        var text = new StringBuilder("$REGION eu continents=EU\n" + Header);
        for (int i = 0; i < 3000; i++)
        {
            text.Append($"h{i} IN A 10.3.{i / 256 % 256}.{i % 256}\n");
            if (i == 2000)
            {
                text.Append("www 30 POOL A policy=failover\nwww 30 MEMBER eu 192.0.2.10\n");
            }
        }

        var inOrder = Parse(text.ToString(), ChunkedParse.Never);
        Assert.That(inOrder.Diagnostics, Is.Empty, () => string.Join("\n", inOrder.Diagnostics));
        var chunked = AssertSameAsInOrder(text.ToString());
        Assert.That(chunked.Traffic.PoolOwners.Select(p => p.Owner.ToString()), Is.EqualTo(new[] { "www.big.example." }));
    }
}
