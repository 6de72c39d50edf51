using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Core.Lookup;
using GeoDns.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoDns.Tests.Server;

/// <summary>The TCP port a listener holds is its own: no other socket joins it, even one asking for SO_REUSEPORT.</summary>
[TestFixture]
public sealed class TcpListenerBindTests
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private const int SoReusePort = 15;

    [Test]
    public void ASocketWithReusePortCannotShareTheListenersPort()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("SO_REUSEPORT groups are a Linux feature");
        }

        using var listener = new DnsTcpListener(new IPEndPoint(IPAddress.Loopback, 0), new QueryProcessor(Snapshot.Empty), NullLogger.Instance,
            TimeSpan.FromSeconds(5), maxConnections: 4);
        listener.Start();
        using var intruder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        intruder.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        intruder.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));

        var error = Assert.Throws<SocketException>(() => intruder.Bind(listener.LocalEndPoint));
        Assert.That(error!.SocketErrorCode, Is.EqualTo(SocketError.AddressAlreadyInUse));
    }
}
