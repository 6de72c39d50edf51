using System.Security.Cryptography;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Transfers;

/// <summary>How a signed message's TSIG record checked out (RFC 8945 5.2).</summary>
public enum TsigStatus
{
    Valid,
    FormErr,
    BadKey,
    BadSig,
    BadTime,
}

/// <summary>The TSIG of a received message and what its check found.</summary>
public sealed record TsigCheck(TsigStatus Status, int RecordStart, byte[] KeyName, byte[] Algorithm, TsigKey? Key, byte[] Mac, ulong TimeSigned, ushort Fudge)
{
    /// <summary>The key's name as text (for the log; never the secret).</summary>
    public string KeyText => KeyName.Length > 0 ? DnsName.FromWire(KeyName).ToString() : "?";
}

/// <summary>
/// TSIG (RFC 8945) with HMAC-SHA256/512: verify a request, sign a reply, a stream of replies
/// (each message signed, chained to the MAC before it, 5.3.1), and requests sent (NOTIFY).
/// </summary>
public static class Tsig
{
    public const ushort BadSig = 16;
    public const ushort BadKey = 17;
    public const ushort BadTime = 18;

    /// <summary>The fudge this server signs with (seconds of clock skew allowed).</summary>
    public const ushort DefaultFudge = 300;

    /// <summary>
    /// Checks the TSIG that ends <paramref name="message"/> against <paramref name="keys"/> at
    /// <paramref name="now"/> (Unix seconds). The signature is checked before the time (5.2.3).
    /// </summary>
    public static TsigCheck Verify(ReadOnlySpan<byte> message, IReadOnlyDictionary<string, TsigKey> keys, long now)
    {
        int start = DnsMessage.LastRecordStart(message);
        var bad = new TsigCheck(TsigStatus.FormErr, start, [], [], null, [], 0, 0);
        int offset = start;
        if (start < 0 || !DnsMessage.TryReadName(message, ref offset, out var keyName) || offset + 10 > message.Length ||
            DnsWire.ReadUInt16(message, offset) != RecordType.TSIG)
        {
            return bad;
        }

        int rdata = offset + 10;
        int end = rdata + DnsWire.ReadUInt16(message, offset + 8);
        int at = rdata;
        if (end != message.Length || !DnsMessage.TryReadName(message, ref at, out var algorithm) || at + 10 > end)
        {
            return bad;
        }

        int timersAt = at;
        ulong time = ((ulong)DnsWire.ReadUInt16(message, at) << 32) | DnsWire.ReadUInt32(message, at + 2);
        ushort fudge = DnsWire.ReadUInt16(message, at + 6);
        int macLength = DnsWire.ReadUInt16(message, at + 8);
        at += 10;
        if (at + macLength + 6 > end)
        {
            return bad;
        }

        byte[] mac = message.Slice(at, macLength).ToArray();
        ushort originalId = DnsWire.ReadUInt16(message, at + macLength);
        int variablesTail = at + macLength + 2; // error, other len, other data
        var found = new TsigCheck(TsigStatus.BadKey, start, keyName, algorithm, null, mac, time, fudge);
        if (!keys.TryGetValue(DnsName.FromWire(keyName).Key, out var key) || !key.AlgorithmName.Wire.SequenceEqual(algorithm))
        {
            return found;
        }

        // The digest: the message as it was before signing (ARCOUNT one less, the original ID), then the variables.
        var digest = new byte[start + keyName.Length + 6 + algorithm.Length + 8 + (end - variablesTail)];
        message[..start].CopyTo(digest);
        DnsWire.WriteUInt16(digest, 0, originalId);
        DnsWire.WriteUInt16(digest, 10, (ushort)(DnsWire.ReadUInt16(message, 10) - 1));
        int d = start;
        d = Put(digest, d, keyName);
        DnsWire.WriteUInt16(digest, d, RecordClass.ANY);
        DnsWire.WriteUInt32(digest, d + 2, 0);
        d = Put(digest, d + 6, algorithm);
        message.Slice(timersAt, 8).CopyTo(digest.AsSpan(d)); // time signed, fudge
        message[variablesTail..end].CopyTo(digest.AsSpan(d + 8));

        byte[] expected = key.Mac(digest);
        if (macLength < Math.Max(10, expected.Length / 2) || macLength > expected.Length ||
            !CryptographicOperations.FixedTimeEquals(expected.AsSpan(0, macLength), mac))
        {
            return found with { Status = TsigStatus.BadSig, Key = key };
        }

        long skew = now - (long)time;
        return found with { Status = Math.Abs(skew) > fudge ? TsigStatus.BadTime : TsigStatus.Valid, Key = key };
    }

    /// <summary>
    /// Signs the message in <paramref name="buffer"/>[..<paramref name="length"/>] and appends its
    /// TSIG; returns the new length (-1 when it does not fit) and the MAC in <paramref name="mac"/>.
    /// </summary>
    /// <param name="priorMac">The request's MAC for a reply, the previous message's in a stream; empty for a request.</param>
    /// <param name="timersOnly">A later message of a stream: only the timers are digested (RFC 8945 5.3.1).</param>
    public static int Sign(Span<byte> buffer, int length, TsigKey key, ReadOnlySpan<byte> priorMac, bool timersOnly, long now,
        out byte[] mac, ushort error = 0, ReadOnlySpan<byte> otherData = default)
    {
        var name = key.Name.Wire;
        var algorithm = key.AlgorithmName.Wire;
        using var digest = new MemoryStream(length + priorMac.Length + 128);
        if (!priorMac.IsEmpty)
        {
            digest.WriteByte((byte)(priorMac.Length >> 8));
            digest.WriteByte((byte)priorMac.Length);
            digest.Write(priorMac);
        }

        digest.Write(buffer[..length]);
        Span<byte> timers = stackalloc byte[8];
        WriteTimers(timers, now, DefaultFudge);
        if (timersOnly)
        {
            digest.Write(timers);
        }
        else
        {
            digest.Write(Lower(name));
            digest.Write([0, (byte)RecordClass.ANY, 0, 0, 0, 0]);
            digest.Write(algorithm);
            digest.Write(timers);
            digest.Write([(byte)(error >> 8), (byte)error, (byte)(otherData.Length >> 8), (byte)otherData.Length]);
            digest.Write(otherData);
        }

        mac = key.Mac(digest.GetBuffer().AsSpan(0, (int)digest.Length));
        return Append(buffer, length, name, algorithm, timers, mac, error, otherData);
    }

    /// <summary>Appends an unsigned TSIG carrying <paramref name="error"/> (BADKEY, BADSIG: RFC 8945 5.3.2).</summary>
    public static int AppendUnsigned(Span<byte> buffer, int length, TsigCheck check, ushort error)
    {
        Span<byte> timers = stackalloc byte[8];
        WriteTimers(timers, (long)check.TimeSigned, check.Fudge);
        return Append(buffer, length, check.KeyName, check.Algorithm, timers, [], error, []);
    }

    private static int Append(Span<byte> buffer, int length, ReadOnlySpan<byte> name, ReadOnlySpan<byte> algorithm,
        ReadOnlySpan<byte> timers, ReadOnlySpan<byte> mac, ushort error, ReadOnlySpan<byte> otherData)
    {
        int rdataLength = algorithm.Length + 8 + 2 + mac.Length + 6 + otherData.Length;
        if (length + name.Length + 10 + rdataLength > buffer.Length)
        {
            return -1;
        }

        ushort id = DnsWire.ReadUInt16(buffer, 0);
        int at = Put(buffer, length, name);
        DnsWire.WriteUInt16(buffer, at, RecordType.TSIG);
        DnsWire.WriteUInt16(buffer, at + 2, RecordClass.ANY);
        DnsWire.WriteUInt32(buffer, at + 4, 0);
        DnsWire.WriteUInt16(buffer, at + 8, (ushort)rdataLength);
        at = Put(buffer, at + 10, algorithm);
        at = Put(buffer, at, timers);
        DnsWire.WriteUInt16(buffer, at, (ushort)mac.Length);
        at = Put(buffer, at + 2, mac);
        DnsWire.WriteUInt16(buffer, at, id);
        DnsWire.WriteUInt16(buffer, at + 2, error);
        DnsWire.WriteUInt16(buffer, at + 4, (ushort)otherData.Length);
        at = Put(buffer, at + 6, otherData);
        DnsWire.WriteUInt16(buffer, 10, (ushort)(DnsWire.ReadUInt16(buffer, 10) + 1));
        return at;
    }

    /// <summary>The 6 octets of a time (RFC 8945 "other data" of BADTIME: the server's clock).</summary>
    public static byte[] Time48(long now)
    {
        var bytes = new byte[6];
        DnsWire.WriteUInt16(bytes, 0, (ushort)((ulong)now >> 32));
        DnsWire.WriteUInt32(bytes, 2, (uint)now);
        return bytes;
    }

    private static void WriteTimers(Span<byte> timers, long now, ushort fudge)
    {
        Time48(now).CopyTo(timers);
        DnsWire.WriteUInt16(timers, 6, fudge);
    }

    private static byte[] Lower(ReadOnlySpan<byte> wire)
    {
        int offset = 0;
        _ = DnsMessage.TryReadName(wire, ref offset, out var canonical);
        return canonical;
    }

    private static int Put(Span<byte> buffer, int at, ReadOnlySpan<byte> data)
    {
        data.CopyTo(buffer[at..]);
        return at + data.Length;
    }
}
