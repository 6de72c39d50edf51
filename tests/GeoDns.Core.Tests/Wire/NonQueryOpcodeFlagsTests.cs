using System.Net;
using GeoDns.Core.Lookup;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Tests.Wire;

/// <summary>
/// CD (RFC 4035 3.2.2) is defined for QUERY only: a NOTIMP reply to another opcode does not echo
/// it. RD is echoed, as RFC 1035 4.1.1 copies it into every response and Knot does.
/// </summary>
public sealed class NonQueryOpcodeFlagsTests
{
    private const int Rd = 0x0100;
    private const int Cd = 0x0010;

    private static int ReplyFlags(int opcode, int flags, bool withQuestion = true)
    {
        var request = new List<byte> { 0x12, 0x34, (byte)(((opcode << 11) | flags) >> 8), (byte)((opcode << 11) | flags), 0, (byte)(withQuestion ? 1 : 0), 0, 0, 0, 0, 0, 0 };
        if (withQuestion)
        {
            request.AddRange(new byte[] { 3, (byte)'w', (byte)'w', (byte)'w', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0, 0, 6, 0, 1 });
        }

        var response = new byte[512];
        int length = new QueryProcessor(Snapshot.Empty).Process(request.ToArray(), response, ClientAddress.FromIPAddress(IPAddress.Loopback), overTcp: false);
        Assert.That(length, Is.GreaterThanOrEqualTo(12));
        return (response[2] << 8) | response[3];
    }

    [TestCase(1)] // IQUERY
    [TestCase(2)] // STATUS
    [TestCase(4)] // NOTIFY
    [TestCase(5)] // UPDATE
    [TestCase(15)]
    public void NotImpToAnotherOpcodeClearsCdAndKeepsRd(int opcode)
    {
        int flags = ReplyFlags(opcode, Rd | Cd);

        Assert.Multiple(() =>
        {
            Assert.That(flags & 0xF, Is.EqualTo(4), "NOTIMP");
            Assert.That((flags >> 11) & 0xF, Is.EqualTo(opcode), "the opcode is echoed");
            Assert.That(flags & Cd, Is.Zero, "CD is not echoed outside QUERY");
            Assert.That(flags & Rd, Is.EqualTo(Rd), "RD is echoed");
        });
    }

    [Test]
    public void NotImpWithoutAQuestionClearsCdToo() =>
        Assert.That(ReplyFlags(4, Cd, withQuestion: false) & Cd, Is.Zero);

    [Test]
    public void AQueryStillEchoesCdAndRd()
    {
        // REFUSED (no zone): the reply to a QUERY keeps both bits.
        int flags = ReplyFlags(0, Rd | Cd);

        Assert.That(flags & 0xF, Is.EqualTo(5));
        Assert.That(flags & (Rd | Cd), Is.EqualTo(Rd | Cd));
    }
}
