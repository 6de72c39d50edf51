using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Wire;

namespace GeoDns.Server;

internal static class DnsWireLimits
{
    /// <summary>Larger than any UDP datagram, so big queries (padding, options) are never cut.</summary>
    public const int MaxUdpRequest = 65535;
}

/// <summary>Reads the client address out of a raw socket address without allocating.</summary>
internal static class SocketAddresses
{
    public static ClientAddress ToClient(SocketAddress address)
    {
        var bytes = address.Buffer.Span;
        return address.Family switch
        {
            AddressFamily.InterNetwork => ClientAddress.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(bytes[4..])),
            AddressFamily.InterNetworkV6 => ClientAddress.FromIPv6(bytes.Slice(8, 16)),
            _ => ClientAddress.None,
        };
    }

    public static ClientAddress ToClient(EndPoint? endpoint) =>
        endpoint is IPEndPoint ip ? ClientAddress.FromIPAddress(ip.Address) : ClientAddress.None;
}
