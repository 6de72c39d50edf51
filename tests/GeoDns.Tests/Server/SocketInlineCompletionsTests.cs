using System.Net.Sockets;
using System.Reflection;
using GeoDns.Server;

namespace GeoDns.Tests.Server;

/// <summary>
/// The TCP listener's CPU per query depends on the runtime's internal switch for inline socket
/// completions: a runtime that renames or drops it must fail here, not quietly cost more.
/// </summary>
public sealed class SocketInlineCompletionsTests
{
    [Test]
    public void TheRuntimeSwitchIsFoundAndSetOnLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("inline completions are only switched on on Linux");
        }

        Assert.That(SocketInlineCompletions.Available, Is.True);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Socket has only the setter; the value lives on its handle, which the event thread reads.
        var property = typeof(SafeSocketHandle).GetProperty("PreferInlineCompletions", BindingFlags.Instance | BindingFlags.NonPublic)!;
        SocketInlineCompletions.Set(socket, true);
        Assert.That(property.GetValue(socket.SafeHandle), Is.True);
        SocketInlineCompletions.Set(socket, false);
        Assert.That(property.GetValue(socket.SafeHandle), Is.False);
    }
}
