namespace GeoDns.Server;

/// <summary>
/// The open TCP connections and one timer that sweeps them: a connection past its deadline
/// (no whole message within the timeout, or a reply that could not leave within it) is
/// closed. One timer for all connections instead of one armed per read or write; the sweep
/// runs every quarter of the timeout (between 50 ms and 1 s), so a connection is closed at
/// most that late.
/// </summary>
internal sealed class TcpDeadlines : IDisposable
{
    private readonly HashSet<TcpConnection> _open = [];
    private readonly Lock _lock = new();
    private readonly Timer _sweep;
    private bool _stopped;

    public TcpDeadlines(TimeSpan timeout)
    {
        var every = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 4, 50, 1000));
        _sweep = new Timer(_ => Sweep(), null, every, every);
    }

    /// <summary>Watches <paramref name="connection"/>; false once stopping (the connection should close).</summary>
    public bool Add(TcpConnection connection)
    {
        lock (_lock)
        {
            return !_stopped && _open.Add(connection);
        }
    }

    public void Remove(TcpConnection connection)
    {
        lock (_lock)
        {
            _open.Remove(connection);
        }
    }

    /// <summary>Stops the sweep and closes every open connection.</summary>
    public void Dispose()
    {
        _sweep.Dispose();
        lock (_lock)
        {
            _stopped = true;
            foreach (var connection in _open)
            {
                connection.Abort();
            }
        }
    }

    private void Sweep()
    {
        long now = Environment.TickCount64;
        lock (_lock)
        {
            foreach (var connection in _open)
            {
                if (connection.IsPastDeadline(now))
                {
                    connection.Abort();
                }
            }
        }
    }
}
