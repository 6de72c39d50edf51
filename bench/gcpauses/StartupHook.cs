using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

/// <summary>
/// Loaded by the runtime before <c>Main</c> when named in <c>DOTNET_STARTUP_HOOKS</c>: appends one
/// line per stop of the process by the collector to the file named by <c>GC_PAUSE_LOG</c>:
/// Unix time (s) of the restart, collection number, generation, type (0 blocking, 1 background,
/// 2 foreground during a background one), the pause in ms (suspension start to restart end),
/// then what the pause was made of: the time to suspend every thread (ms), the suspension's
/// reason (1 collection, 6 background collection's own pause), every collection that ran in it
/// as number:generation:type:reason, and the bytes the last of them promoted out of gen0 and
/// gen1 (GCHeapStats).
/// </summary>
internal static class StartupHook
{
    private static PauseListener? s_listener;

    public static void Initialize()
    {
        string? path = Environment.GetEnvironmentVariable("GC_PAUSE_LOG");
        if (!string.IsNullOrEmpty(path))
        {
            s_listener = new PauseListener(path);
        }
    }
}

/// <summary>
/// The runtime's GC events (keyword 0x1, informational): GCStart, GCHeapStats, SuspendEEBegin,
/// SuspendEEEnd, RestartEEEnd.
/// </summary>
internal sealed class PauseListener(string path) : EventListener
{
    private const int GCStart = 1;
    private const int RestartEEEnd = 3;
    private const int GCHeapStats = 4;
    private const int SuspendEEEnd = 8;
    private const int SuspendEEBegin = 9;
    private readonly StreamWriter _out = new(path, append: true) { AutoFlush = true };
    private readonly StringBuilder _collections = new();
    private DateTime _suspended;
    private double _suspendMs;
    private int _suspendReason;
    private long _count;
    private int _generation;
    private int _type;
    private long _promoted0;
    private long _promoted1;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        // The listener's fields are set in the constructor, which may run after the first events.
        if (_out is null || _collections is null || eventData.Payload is not { } payload)
        {
            return;
        }

        lock (_collections)
        {
            switch (eventData.EventId)
            {
                case GCStart:
                    _count = Number(payload[0]);
                    _generation = (int)Number(payload[1]);
                    _type = payload.Count > 3 ? (int)Number(payload[3]) : 0;
                    _collections.Append(CultureInfo.InvariantCulture, $"{(_collections.Length > 0 ? "," : "")}{_count}:{_generation}:{_type}:{Number(payload[2])}");
                    break;
                case GCHeapStats:
                    _promoted0 = Number(payload[1]);
                    _promoted1 = Number(payload[3]);
                    break;
                case SuspendEEBegin:
                    _suspended = eventData.TimeStamp;
                    _suspendReason = (int)Number(payload[0]);
                    break;
                case SuspendEEEnd:
                    _suspendMs = (eventData.TimeStamp - _suspended).TotalMilliseconds;
                    break;
                case RestartEEEnd:
                    double ms = (eventData.TimeStamp - _suspended).TotalMilliseconds;
                    double unix = (eventData.TimeStamp.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds;
                    string within = _collections.Length > 0 ? _collections.ToString() : "-";
                    _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{unix:F3}\t{_count}\t{_generation}\t{_type}\t{ms:F2}\t{_suspendMs:F2}\t{_suspendReason}\t{within}\t{_promoted0}\t{_promoted1}"));
                    _collections.Clear();
                    break;
            }
        }
    }

    private static long Number(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
