using GeoDns.Core.Dns;
using GeoDns.Core.Lookup;
using NUnit.Framework;

namespace GeoDns.Core.Tests.Lookup;

public class NodeTableTests
{
    private static string Key(string name) => DnsName.Parse(name).Key;

    private static ZoneNode NewNode() => new([], null, null, LookupKit.ExampleComSnapshot.Zones.First().NxDomain, null);

    [Test]
    public void NamesNumberedByTheLoaderGetTheirNodesByNumber()
    {
        var names = new NameIndex();
        int www = names.Add(Key("www.example."), out _);
        int mail = names.Add(Key("mail.example."), out _);
        var table = new NodeTable(names);

        table.Set(mail, NewNode());

        Assert.Multiple(() =>
        {
            Assert.That(table.TryGetValue(Key("mail.example."), out var found), Is.True);
            Assert.That(found, Is.SameAs(table[mail]));
            // Numbered but without a node yet: not found.
            Assert.That(table.TryGetValue(Key("www.example."), out _), Is.False);
            Assert.That(table[www], Is.Null);
        });
    }

    [Test]
    public void NamesAddedLaterShareTheNumbering()
    {
        var names = new NameIndex();
        names.Add(Key("www.example."), out _);
        var table = new NodeTable(names);

        var node = NewNode();
        table.Set(table.Number(Key("example.")), node);
        table.Set(table.Number(Key("www.example.")), NewNode());

        Assert.Multiple(() =>
        {
            Assert.That(table.Count, Is.EqualTo(2));
            Assert.That(names.IndexOf(Key("example.")), Is.EqualTo(1));
            Assert.That(table.TryGetValue(Key("example."), out var found), Is.True);
            Assert.That(found, Is.SameAs(node));
        });
    }

    [Test]
    public void GrowsItsNodesWithItsNames()
    {
        var table = new NodeTable(null, 2, 8);
        for (int i = 0; i < 1000; i++)
        {
            table.Set(table.Number(Key($"h{i}.example.")), NewNode());
        }

        table.TrimExcess();
        for (int i = 0; i < 1000; i++)
        {
            Assert.That(table.TryGetValue(Key($"h{i}.example."), out var node), Is.True);
            Assert.That(node, Is.SameAs(table[i]));
        }
    }
}
