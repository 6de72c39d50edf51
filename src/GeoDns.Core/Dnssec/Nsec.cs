using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>
/// NSEC records made at query time (RFC 4470, RFC 9824): type bitmaps and the names just
/// before and just after a name in canonical order.
/// </summary>
public static class Nsec
{
    /// <summary>NXNAME (RFC 9824): in the bitmap of a compact denial, the name does not exist.</summary>
    public const ushort NxName = 128;

    /// <summary>NSEC RDATA: the next name, then the type bitmap (RFC 4034 4.1.2).</summary>
    public static byte[] RData(ReadOnlySpan<byte> next, IEnumerable<ushort> types)
    {
        var sorted = types.Distinct().Order().ToList();
        var rdata = new List<byte>(next.Length + 40);
        rdata.AddRange(next);
        foreach (var window in sorted.GroupBy(t => t >> 8))
        {
            var bits = new byte[32];
            int used = 0;
            foreach (ushort type in window)
            {
                int low = type & 0xFF;
                bits[low / 8] |= (byte)(0x80 >> (low % 8));
                used = Math.Max(used, (low / 8) + 1);
            }

            rdata.Add((byte)window.Key);
            rdata.Add((byte)used);
            rdata.AddRange(bits.AsSpan(0, used));
        }

        return [.. rdata];
    }

    /// <summary>The name right after <paramref name="name"/>: <c>\000.name</c> (RFC 4471 3.1.1).</summary>
    public static byte[] Successor(ReadOnlySpan<byte> name) =>
        name.Length + 2 <= DnsName.MaxWireLength ? [1, 0, .. name] : AfterDescendants(name);

    /// <summary>A name after <paramref name="name"/> and all its descendants, before its next sibling: its first label with <c>\000</c> appended.</summary>
    public static byte[] AfterDescendants(ReadOnlySpan<byte> name)
    {
        int label = name[0];
        if (label < DnsName.MaxLabelLength && name.Length < DnsName.MaxWireLength)
        {
            return [(byte)(label + 1), .. name.Slice(1, label), 0, .. name[(label + 1)..]];
        }

        // A full label: raise its last octet instead (no name can sit between the two then).
        byte[] copy = name.ToArray();
        copy[label] = (byte)Math.Min(copy[label] + 1, 0xFF);
        return copy;
    }

    /// <summary>
    /// A name just before <paramref name="name"/> among its siblings (RFC 4471 3.1.2 simplified): the
    /// first label's last octet lowered, then padded with <c>\255</c>; the parent when the label is one <c>\000</c>.
    /// </summary>
    public static byte[] Predecessor(ReadOnlySpan<byte> name)
    {
        int label = name[0];
        var parent = name[(label + 1)..];
        byte last = name[label];
        if (last == 0)
        {
            return label == 1 ? parent.ToArray() : [(byte)(label - 1), .. name.Slice(1, label - 1), .. parent];
        }

        byte lowered = (byte)(last - 1);
        if (lowered is >= (byte)'A' and <= (byte)'Z')
        {
            lowered = (byte)'@'; // canonical order compares lower case: 'Z' would sort after '['
        }

        int length = Math.Min(DnsName.MaxLabelLength, DnsName.MaxWireLength - parent.Length - 1);
        var result = new byte[length + 1 + parent.Length];
        result[0] = (byte)length;
        name.Slice(1, label - 1).CopyTo(result.AsSpan(1));
        result[label] = lowered;
        result.AsSpan(label + 1, length - label).Fill(0xFF);
        parent.CopyTo(result.AsSpan(length + 1));
        return result;
    }
}
