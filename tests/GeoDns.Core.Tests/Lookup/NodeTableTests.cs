using GeoDns.Core.Dns;
using GeoDns.Core.Lookup;
using NUnit.Framework;

namespace GeoDns.Core.Tests.Lookup;

public class NodeTableTests
{
    private static string Key(string name) => DnsName.Parse(name).Key;

    private static ZoneNode NewNode(string name) => new(new BuildNode(DnsName.Parse(name)));

    [Test]
    public void FindsWhatWasAddedAndNothingElse()
    {
        var table = new NodeTable();
        var a = Add(table, "a.example.");
        var b = Add(table, "b.example.");

        Assert.Multiple(() =>
        {
            Assert.That(table.TryGetValue(Key("a.example."), out var found), Is.True);
            Assert.That(found, Is.SameAs(a));
            Assert.That(table.TryGetValue(Key("b.example."), out found), Is.True);
            Assert.That(found, Is.SameAs(b));
            Assert.That(table.TryGetValue(Key("c.example."), out _), Is.False);
            Assert.That(table.ContainsKey(Key("example.")), Is.False);
            Assert.That(table.Count, Is.EqualTo(2));
        });
    }

    [Test]
    public void AddingAPresentKeyReturnsTheStoredNode()
    {
        var table = new NodeTable();
        var first = Add(table, "www.example.");
        var stored = table.GetValueRefOrAddDefault(Key("www.example."), out bool exists);

        Assert.Multiple(() =>
        {
            Assert.That(exists, Is.True);
            Assert.That(stored, Is.SameAs(first));
            Assert.That(table.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public void GrowsPastItsInitialSizeAndKeepsEveryKey()
    {
        // Sized for 4 names and 64 characters: 5,000 names force every array to grow and the
        // slots to be rehashed many times.
        var table = new NodeTable(4, 16);
        var nodes = new List<ZoneNode>();
        for (int i = 0; i < 5000; i++)
        {
            nodes.Add(Add(table, $"host{i}.sub{i % 7}.example."));
        }

        table.TrimExcess();
        Assert.That(table.Count, Is.EqualTo(5000));
        for (int i = 0; i < 5000; i++)
        {
            Assert.That(table.TryGetValue(Key($"host{i}.sub{i % 7}.example."), out var found), Is.True, $"host{i}");
            Assert.That(found, Is.SameAs(nodes[i]));
            Assert.That(table[i], Is.SameAs(nodes[i]), "insertion order");
        }

        Assert.That(table.TryGetValue(Key("host5000.sub2.example."), out _), Is.False);
    }

    [Test]
    public void LooksUpBySliceOfALongerKey()
    {
        var table = new NodeTable();
        var parent = Add(table, "example.");
        string child = Key("www.example.");

        Assert.That(table.TryGetValue(child.AsSpan(child[0] + 1), out var found), Is.True);
        Assert.That(found, Is.SameAs(parent));
    }

    [Test]
    public void KeysThatSharePrefixesOrLengthsStayApart()
    {
        var table = new NodeTable();
        string[] names = ["a.", "aa.", "b.", "ab.", "ba.", "a.a.", "*.a."];
        var nodes = names.Select(n => Add(table, n)).ToList();

        for (int i = 0; i < names.Length; i++)
        {
            Assert.That(table.TryGetValue(Key(names[i]), out var found), Is.True, names[i]);
            Assert.That(found, Is.SameAs(nodes[i]), names[i]);
        }
    }

    private static ZoneNode Add(NodeTable table, string name)
    {
        ref var slot = ref table.GetValueRefOrAddDefault(Key(name), out bool exists);
        Assert.That(exists, Is.False, name);
        slot = NewNode(name);
        return slot;
    }
}
