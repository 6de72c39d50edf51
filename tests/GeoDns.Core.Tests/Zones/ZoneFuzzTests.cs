using GeoDns.Core.Loading;
using GeoDns.Core.Zones.RData;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests.Zones;

/// <summary>Mangled input must give diagnostics, never an exception or an internal error.</summary>
public class ZoneFuzzTests
{
    private const string Seed = TrafficSyntaxTests.DesignExample + """
        t TXT "a\"b" \065 ( "x"
           "y" )
        s HTTPS 1 . alpn="h2,h3" ipv4hint=192.0.2.1,192.0.2.2 ech=AQID mandatory=alpn
        d DS 1 8 2 ABCDEF01
        k DNSKEY 257 3 13 AQIDBAU=
        n NAPTR 1 2 "S" "x" "" .
        c CAA 0 issue "ca"
        g TYPE65280 \# 2 0102
        $INCLUDE other.inc sub
        """;

    [Test]
    public void MangledZonesNeverThrow()
    {
        const string symbols = " \t\n();\"\\$@.=,-0123456789:/#aAzZ";
        var random = new Random(20261126);
        var includes = new Dictionary<string, string> { ["other.inc"] = "x A 192.0.2.1\n$INCLUDE other.inc\n" };
        for (int round = 0; round < 800; round++)
        {
            var chars = Seed.ToCharArray().ToList();
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(chars.Count);
                switch (random.Next(3))
                {
                    case 0:
                        chars.RemoveAt(at);
                        break;
                    case 1:
                        chars.Insert(at, symbols[random.Next(symbols.Length)]);
                        break;
                    default:
                        chars[at] = symbols[random.Next(symbols.Length)];
                        break;
                }
            }

            string text = new(chars.ToArray());
            ZoneFile zone = null!;
            Assert.DoesNotThrow(() => zone = ZoneFileLoader.Parse(text, "example.com.zone", null, TrafficVocabulary.BuiltIn, p => includes.GetValueOrDefault(p)), text);
            var internalErrors = zone.Diagnostics.Where(d => d.Message.Contains("internal error", StringComparison.Ordinal)).ToList();
            Assert.That(internalErrors, Is.Empty, () => text);
            Assert.That(zone.Diagnostics.All(d => d.Location.Line >= 1 && d.Location.Column >= 1), Is.True);
            foreach (var entry in zone.Records)
            {
                Assert.DoesNotThrow(() => RDataFormatter.Format(entry.Record.Type, entry.Record.RData));
            }
        }
    }

    [Test]
    public void RandomRDataNeverBreaksTheFormatter()
    {
        var random = new Random(7);
        ushort[] types = [1, 2, 5, 6, 12, 13, 15, 16, 28, 33, 39, 43, 44, 48, 52, 257, 65, 999];
        for (int i = 0; i < 20000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            ushort type = types[random.Next(types.Length)];
            Assert.DoesNotThrow(() => RDataFormatter.Format(type, bytes));
        }
    }
}
