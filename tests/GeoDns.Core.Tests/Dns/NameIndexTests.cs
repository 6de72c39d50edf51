using GeoDns.Core.Dns;
using NUnit.Framework;

namespace GeoDns.Core.Tests.Dns;

public class NameIndexTests
{
    private static string Key(string name) => DnsName.Parse(name).Key;

    [Test]
    public void NumbersNamesInTheOrderTheyAreFirstAdded()
    {
        var index = new NameIndex();
        int a = index.Add(Key("a.example."), out bool addedA);
        int b = index.Add(Key("b.example."), out bool addedB);
        int again = index.Add(Key("a.example."), out bool addedAgain);

        Assert.Multiple(() =>
        {
            Assert.That((a, b, again), Is.EqualTo((0, 1, 0)));
            Assert.That((addedA, addedB, addedAgain), Is.EqualTo((true, true, false)));
            Assert.That(index.Count, Is.EqualTo(2));
            Assert.That(index.IndexOf(Key("b.example.")), Is.EqualTo(1));
            Assert.That(index.IndexOf(Key("c.example.")), Is.EqualTo(-1));
        });
    }

    [Test]
    public void GrowsPastItsInitialSizeAndKeepsEveryName()
    {
        // Sized for 4 names and 64 characters: 5,000 names make every array grow and the
        // slots be rehashed many times.
        var index = new NameIndex(4, 16);
        for (int i = 0; i < 5000; i++)
        {
            Assert.That(index.Add(Key($"host{i}.sub{i % 7}.example."), out bool added), Is.EqualTo(i));
            Assert.That(added, Is.True);
        }

        index.TrimExcess();
        Assert.That(index.Count, Is.EqualTo(5000));
        for (int i = 0; i < 5000; i++)
        {
            Assert.That(index.IndexOf(Key($"host{i}.sub{i % 7}.example.")), Is.EqualTo(i), $"host{i}");
        }

        Assert.That(index.IndexOf(Key("host5000.sub2.example.")), Is.EqualTo(-1));
    }

    [Test]
    public void FindsANameBySliceOfALongerKey()
    {
        var index = new NameIndex();
        index.Add(Key("example."), out _);
        string child = Key("www.example.");

        Assert.That(index.IndexOf(child.AsSpan(child[0] + 1)), Is.EqualTo(0));
    }

    [Test]
    public void NamesThatSharePrefixesOrLengthsStayApart()
    {
        var index = new NameIndex();
        string[] names = ["a.", "aa.", "b.", "ab.", "ba.", "a.a.", "*.a.", "."];
        foreach (string name in names)
        {
            index.Add(Key(name), out _);
        }

        for (int i = 0; i < names.Length; i++)
        {
            Assert.That(index.IndexOf(Key(names[i])), Is.EqualTo(i), names[i]);
        }
    }

    [Test]
    public void NamesWithOctetsBeyondAsciiAreFoundAndKeptApart()
    {
        // Keys are held one octet per character: octets 128-255 must round-trip and compare.
        var index = new NameIndex();
        string[] names = [@"\200.example.", @"\201.example.", @"a\255b.example.", @"a\254b.example.", "a.example."];
        foreach (string name in names)
        {
            index.Add(Key(name), out _);
        }

        Assert.Multiple(() =>
        {
            for (int i = 0; i < names.Length; i++)
            {
                Assert.That(index.IndexOf(Key(names[i])), Is.EqualTo(i), names[i]);
            }

            Assert.That(index.IndexOf(Key(@"\202.example.")), Is.EqualTo(-1));
        });
    }

    [Test]
    public void TheHashOfAWireNameIsTheHashItsKeyIsFoundBy()
    {
        // The loader adds owners with a hash computed from their wire form (prefetched ahead);
        // lookups hash the key. Mixed case and octets beyond ASCII included.
        string[] names = ["WWW.Example.", "www.example.", @"\200Ab.example.", "*.A.b.C.", "."];
        var index = new NameIndex();
        Span<char> key = stackalloc char[DnsName.MaxWireLength];
        foreach (string name in names)
        {
            var parsed = DnsName.Parse(name);
            index.Prefetch(NameIndex.HashOfWire(parsed.Wire));
            DnsName.WriteKey(parsed.Wire, key);
            index.Add(key[..parsed.WireLength], NameIndex.HashOfWire(parsed.Wire), out _);
        }

        Assert.Multiple(() =>
        {
            Assert.That(index.Count, Is.EqualTo(4), "WWW.Example. and www.example. are one name");
            foreach (string name in names)
            {
                Assert.That(index.IndexOf(Key(name)), Is.GreaterThanOrEqualTo(0), name);
            }
        });
    }

    [Test]
    public void KeepsWorkingAfterBeingTrimmed()
    {
        var empty = new NameIndex(1000, 10000);
        empty.TrimExcess();
        Assert.That(empty.Add(Key("a.example."), out _), Is.EqualTo(0));

        var index = new NameIndex(1000, 10000);
        index.Add(Key("a.example."), out _);
        index.TrimExcess();
        Assert.That(index.Add(Key("b.example."), out bool added), Is.EqualTo(1));
        Assert.That(added, Is.True);
        Assert.That(index.IndexOf(Key("a.example.")), Is.EqualTo(0));
    }
}
