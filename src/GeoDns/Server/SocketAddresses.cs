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

    /// <summary>
    /// The client address in a Linux <c>sockaddr_in</c>/<c>sockaddr_in6</c> as <c>recvmmsg</c>
    /// fills it (family in host order; IPv4-mapped IPv6 sources become IPv4 clients).
    /// </summary>
    public static ClientAddress FromLinuxSockaddr(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < 2)
        {
            return ClientAddress.None;
        }

        ushort family = BitConverter.ToUInt16(sockaddr);
        return family switch
        {
            LinuxSocketInterop.AfInet when sockaddr.Length >= 8 => ClientAddress.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(sockaddr[4..])),
            LinuxSocketInterop.AfInet6 when sockaddr.Length >= 24 => ClientAddress.FromIPv6(sockaddr.Slice(8, 16)),
            _ => ClientAddress.None,
        };
    }

    public static ClientAddress ToClient(EndPoint? endpoint) =>
        endpoint is IPEndPoint ip ? ClientAddress.FromIPAddress(ip.Address) : ClientAddress.None;
}
