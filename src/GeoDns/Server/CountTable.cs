namespace GeoDns.Server;

/// <summary>
/// Counters keyed by a non-zero 64-bit key, written by one thread and read by any: open
/// addressing over two arrays. The writer increments with plain stores (it is the only one);
/// a reader sees every count it reads as a value the writer once held, never more, so a sum
/// over tables only grows. A new key is published after its count, so no reader sees an
/// entry without one. Nothing is allocated except when the table grows (a new key taking it
/// past half full), which ends with one reference write.
/// </summary>
internal sealed class CountTable
{
    private Slots _slots = new(64);

    /// <summary>Adds one to <paramref name="key"/> (never 0). Owner thread only.</summary>
    public void Increment(long key)
    {
        var slots = _slots;
        long[] keys = slots.Keys;
        int mask = keys.Length - 1;
        int i = Slot(key, mask);
        while (true)
        {
            long k = keys[i];
            if (k == key)
            {
                Volatile.Write(ref slots.Counts[i], slots.Counts[i] + 1);
                return;
            }

            if (k == 0)
            {
                Add(slots, i, key);
                return;
            }

            i = (i + 1) & mask;
        }
    }

    /// <summary>Every key with its count, as seen now (any thread).</summary>
    public void ForEach<TState>(TState state, Action<TState, long, long> visit)
    {
        var slots = Volatile.Read(ref _slots);
        for (int i = 0; i < slots.Keys.Length; i++)
        {
            long key = Volatile.Read(ref slots.Keys[i]);
            if (key != 0)
            {
                visit(state, key, Volatile.Read(ref slots.Counts[i]));
            }
        }
    }

    private static int Slot(long key, int mask) => (int)((ulong)(key * -7046029254386353131L) >> 40) & mask;

    private void Add(Slots slots, int i, long key)
    {
        if ((slots.Used + 1) * 2 > slots.Keys.Length)
        {
            var grown = new Slots(slots.Keys.Length * 2);
            for (int j = 0; j < slots.Keys.Length; j++)
            {
                if (slots.Keys[j] != 0)
                {
                    grown.Put(slots.Keys[j], slots.Counts[j]);
                }
            }

            grown.Put(key, 1);
            Volatile.Write(ref _slots, grown);
            return;
        }

        slots.Counts[i] = 1;
        Volatile.Write(ref slots.Keys[i], key);
        slots.Used++;
    }

    private sealed class Slots(int capacity)
    {
        public readonly long[] Keys = new long[capacity];
        public readonly long[] Counts = new long[capacity];
        public int Used;

        public void Put(long key, long count)
        {
            int mask = Keys.Length - 1;
            int i = Slot(key, mask);
            while (Keys[i] != 0)
            {
                i = (i + 1) & mask;
            }

            Keys[i] = key;
            Counts[i] = count;
            Used++;
        }
    }
}
