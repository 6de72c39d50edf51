using System.Diagnostics.Tracing;
using System.Globalization;

/// <summary>
/// Loaded by the runtime before <c>Main</c> when named in <c>DOTNET_STARTUP_HOOKS</c>: appends one
/// line per stop of the process by the collector to the file named by <c>GC_PAUSE_LOG</c>:
/// Unix time (s) of the restart, collection number, generation, type (0 blocking, 1 background,
/// 2 foreground during a background one) and the pause in ms (suspension start to restart end).
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

/// <summary>The runtime's GC events (keyword 0x1, informational): GCStart, SuspendEEBegin, RestartEEEnd.</summary>
internal sealed class PauseListener(string path) : EventListener
{
    private const int GCStart = 1;
    private const int RestartEEEnd = 3;
    private const int SuspendEEBegin = 9;
    private readonly StreamWriter _out = new(path, append: true) { AutoFlush = true };
    private DateTime _suspended;
    private long _count;
    private int _generation;
    private int _type;

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
        if (_out is null || eventData.Payload is not { } payload)
        {
            return;
        }

        switch (eventData.EventId)
        {
            case GCStart:
                _count = Convert.ToInt64(payload[0], CultureInfo.InvariantCulture);
                _generation = Convert.ToInt32(payload[1], CultureInfo.InvariantCulture);
                _type = payload.Count > 3 ? Convert.ToInt32(payload[3], CultureInfo.InvariantCulture) : 0;
                break;
            case SuspendEEBegin:
                _suspended = eventData.TimeStamp;
                break;
            case RestartEEEnd:
                double ms = (eventData.TimeStamp - _suspended).TotalMilliseconds;
                double unix = (eventData.TimeStamp.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds;
                lock (_out)
                {
                    _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{unix:F3}\t{_count}\t{_generation}\t{_type}\t{ms:F2}"));
                }

                break;
        }
    }
}
