using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Hosting;
using GeoDns.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoDns.Tests.Server;

/// <summary>
/// One UDP socket per receive thread (a SO_REUSEPORT group on Linux): every socket is read,
/// and a port held by a group stays closed to a second GeoDns-style listener.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class UdpSocketGroupTests
{
    private QueryProcessor _processor = null!;

    [OneTimeSetUp]
    public void LoadZone() => _processor = SimpleZone.Processor();

    [Test]
    public void EachThreadHasItsOwnSocketOnLinux()
    {
        using var listener = new UdpListener(new IPEndPoint(IPAddress.Loopback, 0), _processor, NullLogger.Instance, threads: 3);

        Assert.That(listener.SocketCount, Is.EqualTo(OperatingSystem.IsLinux() ? 3 : 1));
        Assert.That(listener.LocalEndPoint.Port, Is.Not.Zero);
    }

    [Test]
    public void OneThreadKeepsOnePlainSocket()
    {
        using var listener = new UdpListener(new IPEndPoint(IPAddress.Loopback, 0), _processor, NullLogger.Instance, threads: 1);

        Assert.That(listener.SocketCount, Is.EqualTo(1));
    }

    [TestCase(1)]
    [TestCase(2)]
    public void SecondListenerCannotJoinTheGroupOfAPort(int secondThreads)
    {
        using var first = new UdpListener(new IPEndPoint(IPAddress.Loopback, 0), _processor, NullLogger.Instance, threads: 2);
        first.Start(2);
        var taken = new IPEndPoint(IPAddress.Loopback, first.LocalEndPoint.Port);

        var error = Assert.Throws<SocketException>(() =>
        {
            using var second = new UdpListener(taken, _processor, NullLogger.Instance, threads: secondThreads);
        });

        Assert.That(error!.SocketErrorCode, Is.EqualTo(SocketError.AddressAlreadyInUse));
    }

    [Test]
    public void GroupCannotBindAPortAPlainSocketHolds()
    {
        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        plain.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var error = Assert.Throws<SocketException>(() =>
        {
            using var group = new UdpListener((IPEndPoint)plain.LocalEndPoint!, _processor, NullLogger.Instance, threads: 2);
        });

        Assert.That(error!.SocketErrorCode, Is.EqualTo(SocketError.AddressAlreadyInUse));
    }

    [Test]
    public async Task EverySocketOfTheGroupIsAnswered()
    {
        // The kernel picks a group member by a hash of the client's address and port: many
        // clients reach every socket, and each one must have a thread reading it.
        using var listener = new UdpListener(new IPEndPoint(IPAddress.Loopback, 0), _processor, NullLogger.Instance, threads: 4);
        listener.Start(1); // fewer threads than sockets: one is still started per socket
        var unanswered = new List<int>();
        for (int client = 0; client < 32; client++)
        {
            var reply = await DnsTestClient.UdpRawAsync(listener.LocalEndPoint, new QueryBuilder { Name = "www.simple.test.", Id = (ushort)client }.Build(), TimeSpan.FromSeconds(2));
            if (reply is null)
            {
                unanswered.Add(client);
            }
        }

        Assert.That(unanswered, Is.Empty, "clients (each from its own port) left unanswered");
    }
}
