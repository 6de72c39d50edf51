using System.Buffers.Binary;
using System.Text;

namespace GeoDns.Tests.Server;

/// <summary>Builds query packets by hand, so tests can also send what no client library would.</summary>
internal sealed class QueryBuilder
{
    public string Name { get; init; } = ".";

    public ushort Type { get; init; } = 1;

    public ushort Class { get; init; } = 1;

    public ushort Id { get; init; } = 0x1234;

    public bool RecursionDesired { get; init; } = true;

    public int Opcode { get; init; }

    public bool Edns { get; init; }

    public ushort UdpSize { get; init; } = 1232;

    public byte EdnsVersion { get; init; }

    public bool DnssecOk { get; init; }

    /// <summary>Raw EDNS options (code, data).</summary>
    public List<(ushort Code, byte[] Data)> Options { get; init; } = [];

    public int ExtraOptRecords { get; init; }

    public static byte[] Subnet(ushort family, byte sourcePrefix, byte scopePrefix, byte[] address)
    {
        var data = new byte[4 + address.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, family);
        data[2] = sourcePrefix;
        data[3] = scopePrefix;
        address.CopyTo(data, 4);
        return data;
    }

    public byte[] Build()
    {
        var packet = new List<byte>();
        void U16(int v)
        {
            packet.Add((byte)(v >> 8));
            packet.Add((byte)v);
        }

        U16(Id);
        U16((Opcode << 11) | (RecursionDesired ? 0x0100 : 0));
        U16(1);
        U16(0);
        U16(0);
        int optCount = Edns ? 1 + ExtraOptRecords : 0;
        U16(optCount);
        packet.AddRange(EncodeName(Name));
        U16(Type);
        U16(Class);
        for (int i = 0; i < optCount; i++)
        {
            packet.Add(0);
            U16(41);
            U16(UdpSize);
            packet.Add(0);
            packet.Add(EdnsVersion);
            U16(DnssecOk ? 0x8000 : 0);
            int length = Options.Sum(o => 4 + o.Data.Length);
            U16(length);
            foreach (var (code, data) in Options)
            {
                U16(code);
                U16(data.Length);
                packet.AddRange(data);
            }
        }

        return [.. packet];
    }

    public static byte[] EncodeName(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var data = Encoding.ASCII.GetBytes(label);
            bytes.Add((byte)data.Length);
            bytes.AddRange(data);
        }

        bytes.Add(0);
        return [.. bytes];
    }
}
