using System.Numerics;
using GeoDns.Core.Wire;

namespace GeoDns.Core.RateLimiting;

/// <summary>What a UDP response is, for rate limiting (BIND's categories, fewer of them).</summary>
public enum ResponseKind
{
    /// <summary>A positive answer or a referral: keyed with the query name and type.</summary>
    Answer,

    /// <summary>NOERROR without answers (NODATA): keyed with the query name.</summary>
    NoData,

    /// <summary>NXDOMAIN: keyed with the zone, so random names under one zone share a bucket.</summary>
    NxDomain,

    /// <summary>REFUSED, FORMERR, NOTIMP, BADVERS...: keyed with the client prefix only.</summary>
    Error,
}

/// <summary>What to do with one response.</summary>
public enum RateDecision
{
    Send,

    /// <summary>Send a truncated reply instead (TC=1, question only) so a real client retries over TCP.</summary>
    Slip,

    Drop,
}

/// <summary>
/// Response rate limiting (RRL) in the manner of BIND and Knot: a token bucket per (client
/// prefix, response kind, name), refilled at <see cref="RrlSettings.ResponsesPerSecond"/>,
/// holding at most one second of credit and at most <see cref="RrlSettings.Window"/> seconds of
/// debt. A response over the rate is dropped, except every <see cref="RrlSettings.Slip"/>-th one,
/// which goes out truncated.
/// <para>
/// The buckets are a fixed table of 64-bit slots, each updated with one compare-and-swap:
/// 22 bits of key tag, 20 bits of time (1/64 s units) and 22 bits of signed balance. A key that
/// lands on a slot held by another key takes it over with a full bucket (the table forgets,
/// never wrongly limits a newcomer). Nothing is allocated and nothing is locked per query.
/// </para>
/// </summary>
public sealed class ResponseRateLimiter
{
    private const int TicksPerSecond = 64;
    private const int TagBits = 22;
    private const int StampBits = 20;
    private const int BalanceBits = 22;
    private const ulong TagMask = (1UL << TagBits) - 1;
    private const ulong StampMask = (1UL << StampBits) - 1;
    private const ulong BalanceMask = (1UL << BalanceBits) - 1;

    private readonly ulong[] _slots;
    private readonly int[] _slipCounters;
    private readonly int _indexMask;
    private readonly TimeProvider _clock;
    private readonly long _timestampsPerTick;
    private readonly int _rate;
    private readonly int _floor;
    private readonly int _slip;
    private readonly int _ipv4Prefix;
    private readonly int _ipv6Prefix;
    private readonly (ClientAddress Network, int Prefix)[] _whitelist;
    private readonly ulong _seed;
    private long _slipped;
    private long _dropped;

    public ResponseRateLimiter(RrlSettings settings, TimeProvider clock)
    {
        settings.Validate();
        _clock = clock;
        _timestampsPerTick = Math.Max(1, clock.TimestampFrequency / TicksPerSecond);
        _rate = settings.ResponsesPerSecond;
        _floor = -settings.ResponsesPerSecond * settings.Window;
        _slip = settings.Slip;
        _ipv4Prefix = settings.Ipv4Prefix;
        _ipv6Prefix = settings.Ipv6Prefix;
        _whitelist = [.. settings.WhitelistNetworks()];
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)settings.TableSize);
        _slots = new ulong[size];
        _slipCounters = new int[size];
        _indexMask = size - 1;
        _seed = (ulong)Random.Shared.NextInt64() | 1;
    }

    /// <summary>Responses sent truncated instead of in full.</summary>
    public long Slipped => Interlocked.Read(ref _slipped);

    /// <summary>Responses not sent at all.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Decides whether the response of <paramref name="kind"/> to <paramref name="client"/> goes
    /// out. <paramref name="nameHash"/> identifies the name (query name, or zone for NXDOMAIN;
    /// 0 for errors). Lock-free, allocation-free.
    /// </summary>
    public RateDecision Check(ClientAddress client, ResponseKind kind, int nameHash)
    {
        if (IsWhitelisted(client))
        {
            return RateDecision.Send;
        }

        var prefix = client.Masked(client.IsIPv4 ? _ipv4Prefix : _ipv6Prefix);
        ulong hash = Mix(_seed ^ (ulong)prefix.Value ^ (prefix.IsIPv4 ? 0x9E37UL : 0));
        hash = Mix(hash ^ (ulong)(prefix.Value >> 64));
        hash = Mix(hash ^ ((ulong)(uint)nameHash << 8) ^ (ulong)kind);
        int index = (int)hash & _indexMask;
        ulong tag = (hash >> (64 - TagBits)) & TagMask;
        ulong now = (ulong)(_clock.GetTimestamp() / _timestampsPerTick) & StampMask;

        ref ulong slot = ref _slots[index];
        bool limited;
        while (true)
        {
            ulong old = Volatile.Read(ref slot);
            long balance;
            ulong stamp;
            if (old == 0 || (old >> (StampBits + BalanceBits)) != tag)
            {
                balance = _rate;
                stamp = now;
            }
            else
            {
                stamp = (old >> BalanceBits) & StampMask;
                balance = SignExtend(old & BalanceMask);
                ulong elapsed = (now - stamp) & StampMask;
                long credit = (long)elapsed * _rate / TicksPerSecond;
                if (credit > 0)
                {
                    balance += credit;
                    if (balance >= _rate)
                    {
                        balance = _rate;
                        stamp = now;
                    }
                    else
                    {
                        stamp = (stamp + (ulong)(credit * TicksPerSecond / _rate)) & StampMask;
                    }
                }
            }

            balance--;
            limited = balance < 0;
            if (balance < _floor)
            {
                balance = _floor;
            }

            ulong updated = (tag << (StampBits + BalanceBits)) | (stamp << BalanceBits) | ((ulong)balance & BalanceMask);
            if (Interlocked.CompareExchange(ref slot, updated, old) == old)
            {
                break;
            }
        }

        if (!limited)
        {
            return RateDecision.Send;
        }

        if (_slip == 1 || (_slip > 1 && Interlocked.Increment(ref _slipCounters[index]) % _slip == 0))
        {
            Interlocked.Increment(ref _slipped);
            return RateDecision.Slip;
        }

        Interlocked.Increment(ref _dropped);
        return RateDecision.Drop;
    }

    private bool IsWhitelisted(ClientAddress client)
    {
        foreach (var (network, prefix) in _whitelist)
        {
            if (network.IsIPv4 == client.IsIPv4 && client.Masked(prefix) == network)
            {
                return true;
            }
        }

        return false;
    }

    private static long SignExtend(ulong value) => (long)(value << (64 - BalanceBits)) >> (64 - BalanceBits);

    private static ulong Mix(ulong x)
    {
        // splitmix64's finaliser
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
