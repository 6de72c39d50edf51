using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace GeoDns.Tests.Geo;

/// <summary>
/// Writes a small MaxMind DB (GeoIP2 schema) file for tests: a binary search tree over 128-bit
/// addresses with IPv4 under ::/96, a 16-byte zero separator, the data section, then the
/// metadata after "\xAB\xCD\xEFMaxMind.com". Records are 24, 28 or 32 bits.
/// </summary>
internal sealed class MmdbWriter(string databaseType, int recordSize = 24)
{
    private static readonly byte[] MetadataMarker = [0xAB, 0xCD, 0xEF, .. "MaxMind.com"u8];

    private readonly Node _root = new();
    private readonly MemoryStream _data = new();

    /// <summary>Maps every address of <paramref name="cidr"/> to <paramref name="record"/> (nested maps, lists, strings, numbers).</summary>
    public MmdbWriter Add(string cidr, IReadOnlyDictionary<string, object> record)
    {
        var network = IPNetwork.Parse(cidr);
        var bytes = new byte[16];
        bool v4 = network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        network.BaseAddress.TryWriteBytes(bytes.AsSpan(v4 ? 12 : 0), out _);
        UInt128 address = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        int prefix = network.PrefixLength + (v4 ? 96 : 0);
        int offset = (int)_data.Position;
        Encode(_data, record);

        var node = _root;
        for (int bit = 0; bit < prefix; bit++)
        {
            int side = (int)((address >> (127 - bit)) & 1);
            if (bit == prefix - 1)
            {
                node.Data[side] = offset;
            }
            else
            {
                node = node.Children[side] ??= new Node();
            }
        }

        return this;
    }

    public void Write(string path) => File.WriteAllBytes(path, ToArray());

    public byte[] ToArray()
    {
        var nodes = new List<Node>();
        var queue = new Queue<Node>([_root]);
        while (queue.TryDequeue(out var node))
        {
            node.Number = nodes.Count;
            nodes.Add(node);
            foreach (var child in node.Children.OfType<Node>())
            {
                queue.Enqueue(child);
            }
        }

        uint count = (uint)nodes.Count;
        var output = new MemoryStream();
        var record = new byte[recordSize / 4];
        foreach (var node in nodes)
        {
            uint left = RecordValue(node, 0, count);
            uint right = RecordValue(node, 1, count);
            switch (recordSize)
            {
                case 24:
                    WriteBigEndian(record, 0, 3, left);
                    WriteBigEndian(record, 3, 3, right);
                    break;
                case 28:
                    WriteBigEndian(record, 0, 3, left & 0xFFFFFF);
                    record[3] = (byte)(((left >> 24) << 4) | (right >> 24));
                    WriteBigEndian(record, 4, 3, right & 0xFFFFFF);
                    break;
                default:
                    WriteBigEndian(record, 0, 4, left);
                    WriteBigEndian(record, 4, 4, right);
                    break;
            }

            output.Write(record);
        }

        output.Write(new byte[16]);
        _data.WriteTo(output);
        output.Write(MetadataMarker);
        Encode(output, new Dictionary<string, object>
        {
            ["binary_format_major_version"] = (ushort)2,
            ["binary_format_minor_version"] = (ushort)0,
            ["build_epoch"] = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["database_type"] = databaseType,
            ["description"] = new Dictionary<string, object> { ["en"] = "GeoDns test database" },
            ["ip_version"] = (ushort)6,
            ["languages"] = new List<object> { "en" },
            ["node_count"] = count,
            ["record_size"] = (ushort)recordSize,
        });
        return output.ToArray();
    }

    /// <summary>A child node's number; node_count for "no data"; node_count + 16 + offset for data.</summary>
    private static uint RecordValue(Node node, int side, uint nodeCount) =>
        node.Children[side] is { } child ? (uint)child.Number
        : node.Data[side] is { } offset ? nodeCount + 16 + (uint)offset
        : nodeCount;

    /// <summary>The MaxMind DB data section format: a control byte (type, size), then the payload.</summary>
    private static void Encode(Stream output, object value)
    {
        switch (value)
        {
            case string s:
                var utf8 = Encoding.UTF8.GetBytes(s);
                Control(output, 2, utf8.Length);
                output.Write(utf8);
                break;
            case double d:
                Control(output, 3, 8);
                Span<byte> bytes = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(bytes, d);
                output.Write(bytes);
                break;
            case ushort u16:
                Unsigned(output, 5, u16);
                break;
            case uint u32:
                Unsigned(output, 6, u32);
                break;
            case ulong u64:
                Unsigned(output, 9, u64);
                break;
            case bool b:
                Control(output, 14, b ? 1 : 0);
                break;
            case IReadOnlyDictionary<string, object> map:
                Control(output, 7, map.Count);
                foreach (var (key, item) in map)
                {
                    Encode(output, key);
                    Encode(output, item);
                }

                break;
            case IReadOnlyList<object> list:
                Control(output, 11, list.Count);
                foreach (var item in list)
                {
                    Encode(output, item);
                }

                break;
            default:
                throw new ArgumentException($"cannot encode {value.GetType()}");
        }
    }

    private static void Unsigned(Stream output, int type, ulong value)
    {
        int length = (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8;
        Control(output, type, length);
        for (int i = length - 1; i >= 0; i--)
        {
            output.WriteByte((byte)(value >> (8 * i)));
        }
    }

    /// <summary>Type in the top 3 bits (0 plus an extra byte for types above 7), size in the low 5 bits plus extension.</summary>
    private static void Control(Stream output, int type, int size)
    {
        int low = size < 29 ? size : size < 285 ? 29 : size < 65821 ? 30 : 31;
        output.WriteByte((byte)(((type <= 7 ? type : 0) << 5) | low));
        if (type > 7)
        {
            output.WriteByte((byte)(type - 7));
        }

        var extra = new byte[3];
        switch (low)
        {
            case 29:
                output.WriteByte((byte)(size - 29));
                break;
            case 30:
                WriteBigEndian(extra, 0, 2, (uint)(size - 285));
                output.Write(extra, 0, 2);
                break;
            case 31:
                WriteBigEndian(extra, 0, 3, (uint)(size - 65821));
                output.Write(extra, 0, 3);
                break;
        }
    }

    private static void WriteBigEndian(byte[] buffer, int offset, int length, uint value)
    {
        for (int i = 0; i < length; i++)
        {
            buffer[offset + i] = (byte)(value >> (8 * (length - 1 - i)));
        }
    }

    private sealed class Node
    {
        public Node?[] Children { get; } = new Node?[2];

        public int?[] Data { get; } = new int?[2];

        public int Number { get; set; }
    }
}
