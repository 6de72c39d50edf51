namespace GeoDns.Core;

/// <summary>Running totals of replies by RCODE, read by the metrics exporter.</summary>
public sealed class QueryCounters
{
    private readonly long[] _byResponseCode = new long[16];
    private long _dropped;
    private long _truncated;

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Truncated => Interlocked.Read(ref _truncated);

    public long ByResponseCode(int rcode) => Interlocked.Read(ref _byResponseCode[rcode & 0xF]);

    public long Total
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _byResponseCode.Length; i++)
            {
                sum += ByResponseCode(i);
            }

            return sum;
        }
    }

    internal void Count(int rcode, bool truncated)
    {
        if (rcode < 0)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        Interlocked.Increment(ref _byResponseCode[rcode]);
        if (truncated)
        {
            Interlocked.Increment(ref _truncated);
        }
    }
}
