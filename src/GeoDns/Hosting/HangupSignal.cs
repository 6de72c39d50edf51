using System.Globalization;
using System.Runtime.InteropServices;

namespace GeoDns.Hosting;

/// <summary>
/// SIGHUP as the reload signal, also when the process was started with it ignored
/// (<c>nohup geodns serve &amp;</c>): the runtime keeps an inherited "ignore", so
/// <c>kill -HUP</c> would do nothing. Such a start gets SIGHUP back to its default just before
/// the handler is taken; the gap is one call, at start-up only.
/// </summary>
internal static partial class HangupSignal
{
    private const int SignalNumber = 1;

    /// <summary>Registers <paramref name="handler"/> for SIGHUP; says whether SIGHUP had been ignored.</summary>
    public static PosixSignalRegistration Take(Action<PosixSignalContext> handler, out bool wasIgnored)
    {
        wasIgnored = OperatingSystem.IsLinux() && IsIgnored();
        if (wasIgnored)
        {
            signal(SignalNumber, 0); // SIG_DFL
        }

        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, handler);
    }

    /// <summary>Whether SIGHUP is in this process's ignored set (the SigIgn mask of /proc/self/status).</summary>
    private static bool IsIgnored()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal) &&
                    ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask))
                {
                    return (mask & (1UL << (SignalNumber - 1))) != 0;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint signal(int signum, nint handler);
}
