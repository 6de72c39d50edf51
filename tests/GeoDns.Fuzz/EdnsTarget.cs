using System.Buffers.Binary;
using GeoDns.Core.Wire;

namespace GeoDns.Fuzz;

/// <summary>
/// EDNS (RFC 6891) and Client Subnet (RFC 7871) option parsing. The input is one OPT record
/// wrapped in a fixed query: octet 0 picks the question, octets 1-2 are the UDP size, 3-6 the
/// extended RCODE, version and flags, the rest the options. An independent reading of the
/// options decides what the parser must conclude.
/// </summary>
public static class EdnsTarget
{
    private static readonly (string Name, ushort Type)[] Questions =
    [
        ("www.gtm.fuzz.test", 1), ("wt.gtm.fuzz.test", 1), ("v6.gtm.fuzz.test", 28), ("near.gtm.fuzz.test", 1),
        ("www.fuzz.test", 1), ("www.wpool.fuzz.test", 1), ("nothing.fuzz.test", 1), ("www.example.org", 1),
        ("big.fuzz.test", 16), ("cn.gtm.fuzz.test", 5), ("pool.child.fuzz.test", 1), ("www.gtm.fuzz.test", 41),
    ];

    [ThreadStatic]
    private static byte[]? t_reply;

    public static void Run(ReadOnlySpan<byte> input)
    {
        Span<byte> head = stackalloc byte[7];
        head.Clear();
        input[..Math.Min(7, input.Length)].CopyTo(head);
        var options = input.Length > 7 ? input[7..] : [];
        if (options.Length > 60_000)
        {
            options = options[..60_000];
        }

        var (name, type) = Questions[head[0] % Questions.Length];
        byte[] request = Build(name, type, head[1..], options);

        var outcome = QueryParser.Parse(request, out var query);
        var expected = Expect(head, options, out var subnet);
        if (outcome != expected)
        {
            throw Invariant.Fail($"parser says {outcome} where the options read as {expected}");
        }

        if (outcome is ParseOutcome.Query or ParseOutcome.BadVers)
        {
            if (!query.HasEdns || query.EdnsUdpSize < DnsWire.MaxUdpPayloadWithoutEdns)
            {
                throw Invariant.Fail($"EDNS query read with HasEdns={query.HasEdns} size={query.EdnsUdpSize}");
            }

            if (query.DnssecOk != ((head[5] & 0x80) != 0))
            {
                throw Invariant.Fail("DO bit misread");
            }
        }

        if (outcome == ParseOutcome.Query)
        {
            CheckSubnet(query, subnet);
        }

        var server = FuzzServer.Shared;
        var source = server.Prepare(request);
        var reply = t_reply ??= new byte[DnsWire.ServerUdpPayload];
        int length = server.Processor.Process(request, reply, source, overTcp: false);
        ReplyChecks.Check(request, reply.AsSpan(0, length), overTcp: false);
    }

    private static byte[] Build(string name, ushort type, ReadOnlySpan<byte> optHead, ReadOnlySpan<byte> options)
    {
        var packet = new List<byte>(64 + options.Length) { 0x42, 0x42, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1 };
        foreach (string label in name.Split('.'))
        {
            packet.Add((byte)label.Length);
            packet.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        packet.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        packet.AddRange([0, 0, 41]);
        foreach (byte b in optHead)
        {
            packet.Add(b);
        }

        packet.Add((byte)(options.Length >> 8));
        packet.Add((byte)options.Length);
        foreach (byte b in options)
        {
            packet.Add(b);
        }

        return [.. packet];
    }

    /// <summary>What the parser must conclude, read independently of it.</summary>
    private static ParseOutcome Expect(ReadOnlySpan<byte> head, ReadOnlySpan<byte> options, out (ushort Family, byte Source, byte[] Address)? subnet)
    {
        subnet = null;
        int offset = 0;
        while (offset < options.Length)
        {
            if (offset + 4 > options.Length)
            {
                return ParseOutcome.FormErr;
            }

            ushort code = BinaryPrimitives.ReadUInt16BigEndian(options[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(options[(offset + 2)..]);
            offset += 4;
            if (offset + length > options.Length)
            {
                return ParseOutcome.FormErr;
            }

            if (code == DnsWire.EdnsOptionClientSubnet)
            {
                var data = options.Slice(offset, length);
                if (subnet is not null || data.Length < 4)
                {
                    return ParseOutcome.FormErr;
                }

                ushort family = BinaryPrimitives.ReadUInt16BigEndian(data);
                byte source = data[2];
                int bits = family == 1 ? 32 : family == 2 ? 128 : -1;
                var address = data[4..];
                bool strayBits = source % 8 != 0 && address.Length > 0 && (address[^1] & (0xFF >> (source % 8))) != 0;
                if (bits < 0 || source > bits || data[3] != 0 || address.Length != (source + 7) / 8 || strayBits)
                {
                    return ParseOutcome.FormErr;
                }

                subnet = (family, source, address.ToArray());
            }

            offset += length;
        }

        return head[4] != 0 ? ParseOutcome.BadVers : ParseOutcome.Query;
    }

    private static void CheckSubnet(in ParsedQuery query, (ushort Family, byte Source, byte[] Address)? subnet)
    {
        if (subnet is not { } expected)
        {
            if (query.HasClientSubnet)
            {
                throw Invariant.Fail("parser found a Client Subnet option that is not there");
            }

            return;
        }

        if (!query.HasClientSubnet || query.SubnetFamily != expected.Family || query.SubnetSourcePrefix != expected.Source)
        {
            throw Invariant.Fail("parser misread the Client Subnet family or source prefix");
        }

        if (query.SubnetAddress.IsIPv4 != (expected.Family == 1))
        {
            throw Invariant.Fail("Client Subnet address of the wrong family");
        }

        Span<byte> full = stackalloc byte[16];
        full.Clear();
        expected.Address.CopyTo(full);
        var address = expected.Family == 1
            ? ClientAddress.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(full))
            : new ClientAddress(BinaryPrimitives.ReadUInt128BigEndian(full), false);
        if (query.SubnetAddress != address)
        {
            throw Invariant.Fail($"Client Subnet address read as {query.SubnetAddress}, the option says {address}");
        }

        if (query.SubnetAddress.Masked(query.SubnetSourcePrefix) != query.SubnetAddress)
        {
            throw Invariant.Fail("Client Subnet address has bits past its source prefix");
        }
    }
}
