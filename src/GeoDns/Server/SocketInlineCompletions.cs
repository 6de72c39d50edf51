using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Reflection;

namespace GeoDns.Server;

/// <summary>
/// Runs a socket's async completions on the runtime's socket event thread instead of handing
/// each to a pool thread: one context switch less per readiness event, which is most of the
/// CPU a TCP query costs when clients send one query at a time. The runtime keeps this switch
/// internal (<c>Socket.PreferInlineCompletions</c>, kept for reflection by the runtime itself and
/// read on every event); on a runtime without it, nothing changes. Only for code that never
/// blocks and does little per event: it delays every other socket's events while it runs.
/// </summary>
internal static class SocketInlineCompletions
{
    private static readonly Action<Socket, bool>? Setter = FindSetter();

    /// <summary>Whether the running runtime has the switch.</summary>
    public static bool Available => Setter is not null;

    public static void Set(Socket socket, bool inline) => Setter?.Invoke(socket, inline);

    // Keeps the property in a trimmed build (Native AOT) whatever the trimmer makes of the lookup
    // below; NativeAotTests checks the executable finds it.
    [DynamicDependency(DynamicallyAccessedMemberTypes.NonPublicProperties, typeof(Socket))]
    private static Action<Socket, bool>? FindSetter()
    {
        var setter = typeof(Socket).GetProperty("PreferInlineCompletions", BindingFlags.Instance | BindingFlags.NonPublic)?.SetMethod;
        return OperatingSystem.IsLinux() && setter is not null ? setter.CreateDelegate<Action<Socket, bool>>() : null;
    }
}
