using System.Collections.Concurrent;

namespace GeoDns.Core.Dnssec;

/// <summary>
/// Whole signed replies, keyed by the exact unsigned reply they were made from (everything but
/// the message ID) and the client's size limit. A pool answering the same members, or a static
/// name asked again, then costs a hash, a compare and a copy instead of a parse, cache lookups
/// per RRset and a re-encode. Entries live a few minutes (well under the signatures' refresh
/// time, and short enough that a key's new timing shows soon); the cache starts over when full.
/// </summary>
public sealed class SignedReplyCache(int capacity = 10_000)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>Replies bigger than this are not kept (they are rare and would crowd the cache).</summary>
    public const int MaxReplyLength = 4096;

    private readonly ConcurrentDictionary<int, Entry> _entries = new();

    public int Count => _entries.Count;

    /// <summary>Writes the signed form of <paramref name="unsigned"/> into <paramref name="response"/> when it is cached; 0 otherwise.</summary>
    public int TryWrite(ReadOnlySpan<byte> unsigned, int limit, DateTimeOffset now, Span<byte> response)
    {
        if (!_entries.TryGetValue(Key(unsigned, limit), out var entry) || now >= entry.Expires || entry.Limit != limit ||
            !unsigned[2..].SequenceEqual(entry.Unsigned) || entry.Signed.Length > response.Length)
        {
            return 0;
        }

        byte id0 = unsigned[0];
        byte id1 = unsigned[1];
        entry.Signed.CopyTo(response);
        response[0] = id0;
        response[1] = id1;
        return entry.Signed.Length;
    }

    /// <param name="until">When the keys change next: the entry does not outlive the key set it was signed with.</param>
    public void Add(ReadOnlySpan<byte> unsigned, int limit, ReadOnlySpan<byte> signed, DateTimeOffset now, DateTimeOffset until)
    {
        if (signed.Length > MaxReplyLength)
        {
            return;
        }

        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }

        _entries[Key(unsigned, limit)] = new Entry(unsigned[2..].ToArray(), limit, signed.ToArray(), until < now + Lifetime ? until : now + Lifetime);
    }

    private static int Key(ReadOnlySpan<byte> unsigned, int limit)
    {
        var hash = new HashCode();
        hash.Add(limit);
        hash.AddBytes(unsigned[2..]);
        return hash.ToHashCode();
    }

    private sealed record Entry(byte[] Unsigned, int Limit, byte[] Signed, DateTimeOffset Expires);
}
