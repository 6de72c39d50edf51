using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace GeoDns.Core.Wire;

/// <summary>
/// An IPv4 or IPv6 address as a 128-bit value (IPv4 in the low 32 bits) plus its family,
/// so the query path can carry and compare client addresses without allocating.
/// </summary>
public readonly record struct ClientAddress(UInt128 Value, bool IsIPv4)
{
    public static readonly ClientAddress None = new(UInt128.Zero, false);

    public int BitLength => IsIPv4 ? 32 : 128;

    public static ClientAddress FromIPv4(uint address) => new(address, true);

    public static ClientAddress FromIPv6(ReadOnlySpan<byte> bytes16)
    {
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes16);

        // An IPv4-mapped source (dual-stack socket) is an IPv4 client.
        if (value >> 32 == 0xFFFF)
        {
            return new ClientAddress(value & 0xFFFFFFFF, true);
        }

        return new ClientAddress(value, false);
    }

    public static ClientAddress FromIPAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        address.TryWriteBytes(bytes, out _);
        return new ClientAddress(BinaryPrimitives.ReadUInt128BigEndian(bytes), false);
    }

    /// <summary>The address with every bit after <paramref name="prefix"/> cleared.</summary>
    public ClientAddress Masked(int prefix)
    {
        int bits = BitLength;
        if (prefix >= bits)
        {
            return this;
        }

        if (prefix <= 0)
        {
            return new ClientAddress(UInt128.Zero, IsIPv4);
        }

        UInt128 mask = (UInt128.MaxValue << (bits - prefix)) & (IsIPv4 ? (UInt128)0xFFFFFFFF : UInt128.MaxValue);
        return new ClientAddress(Value & mask, IsIPv4);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Value);
            return new IPAddress(bytes[..4]);
        }

        BinaryPrimitives.WriteUInt128BigEndian(bytes, Value);
        return new IPAddress(bytes);
    }

    public override string ToString() => ToIPAddress().ToString();
}
