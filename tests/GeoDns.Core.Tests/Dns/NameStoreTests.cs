using GeoDns.Core.Dns;
using NUnit.Framework;

namespace GeoDns.Core.Tests.Dns;

/// <summary>Names whose wire form sits in a shared block behave as names with bytes of their own.</summary>
public class NameStoreTests
{
    [Test]
    public void NamesInOneBlockKeepTheirOwnWireFormAndBehaviour()
    {
        var store = new NameStore();
        var origin = DnsName.Parse("Example.COM.");
        var names = new List<DnsName>();
        for (int i = 0; i < 2000; i++)
        {
            // 2,000 names of ~25 octets fill more than one 16 KB block.
            Assert.That(DnsName.TryParse($"Host{i}.sub", origin, store, out var name, out var error), Is.True, error);
            names.Add(name!);
        }

        Assert.Multiple(() =>
        {
            for (int i = 0; i < names.Count; i++)
            {
                var name = names[i];
                var own = DnsName.Parse($"Host{i}.sub.Example.COM.");
                Assert.That(name.Wire.ToArray(), Is.EqualTo(own.Wire.ToArray()), $"{i}");
                Assert.That((name.ToString(), name.Key, name.LabelCount, name.WireLength), Is.EqualTo((own.ToString(), own.Key, own.LabelCount, own.WireLength)));
                Assert.That(name, Is.EqualTo(own));
                Assert.That(name.Parent(), Is.EqualTo(DnsName.Parse("sub.example.com.")));
                Assert.That(name.Parent().Parent().Parent().Parent(), Is.EqualTo(DnsName.Root));
                Assert.That(name.IsSubdomainOf(origin) && !origin.IsSubdomainOf(name), Is.True);
                Assert.That(name.Detached(), Is.EqualTo(name));
            }
        });
    }

    [Test]
    public void ADetachedNameDoesNotShareItsBlock()
    {
        var store = new NameStore();
        Assert.That(DnsName.TryParse("a.example.", null, store, out var a, out _), Is.True);
        Assert.That(DnsName.TryParse("b.example.", null, store, out var b, out _), Is.True);
        var own = DnsName.Parse("c.example.");

        Assert.Multiple(() =>
        {
            Assert.That(own.Detached(), Is.SameAs(own), "a name with its own bytes is already detached");
            Assert.That(b!.Detached(), Is.Not.SameAs(b).And.EqualTo(b));
            Assert.That(b.Detached().Detached(), Is.EqualTo(b));
            Assert.That(a!.Parent().ToString(), Is.EqualTo("example."));
        });
    }
}
