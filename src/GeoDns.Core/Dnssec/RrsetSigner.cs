using System.Buffers.Binary;
using System.Security.Cryptography;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>
/// Computes RRSIG records (RFC 4034 3, RFC 4035 5.3.2) over RRsets in canonical form, with a
/// validity window: inception an hour back (clock skew), expiration a week ahead plus up to a
/// day of jitter (so that signatures made together do not all expire together). A cached
/// signature is used until half its validity is left.
/// </summary>
public sealed class RrsetSigner(SignatureCache cache)
{
    public static readonly TimeSpan Backdate = TimeSpan.FromHours(1);
    public static readonly TimeSpan Validity = TimeSpan.FromDays(7);
    public static readonly TimeSpan Jitter = TimeSpan.FromDays(1);

    public SignatureCache Cache { get; } = cache;

    /// <summary>
    /// The RRSIG RDATA of <paramref name="records"/> (one RRset) by <paramref name="key"/>.
    /// <paramref name="labels"/> is the RRSIG labels field: fewer than the owner's for a wildcard expansion.
    /// </summary>
    public byte[] Sign(IReadOnlyList<MessageRecord> records, int labels, SigningKey key, DateTimeOffset now)
    {
        var first = records[0];
        byte[] owner = CanonicalOwner(first.Owner, labels);
        var rdatas = records.Select(r => CanonicalRData(r.Type, r.RData)).Distinct(ByteArrayComparer.Instance).ToList();
        rdatas.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));

        // The RRset as signed, after the RRSIG fields: owner type class TTL RDLENGTH RDATA per record.
        var body = new List<byte>(256);
        foreach (byte[] rdata in rdatas)
        {
            body.AddRange(owner);
            AddUInt16(body, first.Type);
            AddUInt16(body, first.Class);
            AddUInt32(body, first.Ttl);
            AddUInt16(body, (ushort)rdata.Length);
            body.AddRange(rdata);
        }

        UInt128 cacheKey = CacheKey(key, first.Type, labels, body);
        if (Cache.TryGet(cacheKey, now, out byte[] cached))
        {
            return cached;
        }

        var expiration = now + Validity + (Jitter * Random.Shared.NextDouble());
        byte[] signer = new byte[key.Zone.WireLength];
        Canonical.LowerName(key.Zone.Wire, signer);
        var header = new byte[18 + signer.Length];
        BinaryPrimitives.WriteUInt16BigEndian(header, first.Type);
        header[2] = key.Algorithm;
        header[3] = (byte)labels;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), first.Ttl);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), (uint)expiration.ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), (uint)(now - Backdate).ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16), key.Tag);
        signer.CopyTo(header, 18);

        byte[] data = [.. header, .. body];
        Span<byte> signature = stackalloc byte[128];
        int length = key.Signer.Sign(data, signature);
        byte[] result = [.. header, .. signature[..length]];
        Cache.Add(cacheKey, result, now + ((expiration - now) / 2));
        return result;
    }

    /// <summary>The number of labels of an owner for the RRSIG labels field (root and a leading <c>*</c> not counted).</summary>
    public static int LabelCount(ReadOnlySpan<byte> owner)
    {
        int count = 0;
        for (int offset = 0; owner[offset] != 0; offset += owner[offset] + 1)
        {
            count++;
        }

        return owner[0] == 1 && owner[1] == (byte)'*' ? count - 1 : count;
    }

    /// <summary>The owner as signed: lower-cased, and for a wildcard expansion <c>*.</c> and its last <paramref name="labels"/> labels.</summary>
    private static byte[] CanonicalOwner(byte[] owner, int labels)
    {
        var lower = new byte[owner.Length];
        Canonical.LowerName(owner, lower);
        int count = LabelCount(owner);
        if (labels >= count)
        {
            return lower;
        }

        int offset = 0;
        for (int i = 0; i < count - labels; i++)
        {
            offset += lower[offset] + 1;
        }

        return [1, (byte)'*', .. lower.AsSpan(offset)];
    }

    /// <summary>RDATA with its names lower-cased for the types RFC 4034 6.2 lists (and RFC 6840 5.1 keeps).</summary>
    private static byte[] CanonicalRData(ushort type, byte[] rdata)
    {
        var names = Zones.RData.RecordTypes.NamesIn(type);
        if (!names.Any || type is RecordType.SVCB or RecordType.HTTPS)
        {
            return rdata;
        }

        var copy = (byte[])rdata.Clone();
        int position = names.Offset;
        for (int i = 0; i < names.Count && position < copy.Length; i++)
        {
            position += Canonical.LowerName(rdata.AsSpan(position), copy.AsSpan(position));
        }

        return copy;
    }

    private static UInt128 CacheKey(SigningKey key, ushort type, int labels, List<byte> body)
    {
        var rrset = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(body);
        byte[] data = System.Buffers.ArrayPool<byte>.Shared.Rent(6 + key.PublicKey.Length + rrset.Length);
        BinaryPrimitives.WriteUInt16BigEndian(data, key.Tag);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), type);
        data[4] = (byte)labels;
        data[5] = key.Algorithm;
        key.PublicKey.CopyTo(data, 6);
        rrset.CopyTo(data.AsSpan(6 + key.PublicKey.Length));
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(data.AsSpan(0, 6 + key.PublicKey.Length + rrset.Length), digest);
        System.Buffers.ArrayPool<byte>.Shared.Return(data);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    private static void AddUInt16(List<byte> list, ushort value)
    {
        list.Add((byte)(value >> 8));
        list.Add((byte)value);
    }

    private static void AddUInt32(List<byte> list, uint value)
    {
        AddUInt16(list, (ushort)(value >> 16));
        AddUInt16(list, (ushort)value);
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
