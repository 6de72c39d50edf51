using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GeoDns.Tests.Deploy;

namespace GeoDns.Tests.Cli;

/// <summary>The real <c>geodns</c> program in a child process; killed on dispose whatever happens.</summary>
internal sealed class GeoDnsProcess : IDisposable
{
    private readonly ChildProcess _child;

    private GeoDnsProcess(ChildProcess child)
    {
        _child = child;
    }

    public int Id => _child.Id;

    public string Output => _child.Output;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "geodns.dll");

    public static GeoDnsProcess Start(string arguments, IDictionary<string, string>? environment = null) =>
        new(ChildProcess.Start(new ProcessStartInfo("dotnet", $"\"{Dll}\" {arguments}"), environment));

    /// <summary>Starts it as <c>nohup geodns ...</c> does: with SIGHUP ignored from the start (nohup execs it: same PID).</summary>
    public static GeoDnsProcess StartUnderNohup(string arguments, IDictionary<string, string>? environment = null) =>
        new(ChildProcess.Start(new ProcessStartInfo("nohup", $"dotnet \"{Dll}\" {arguments}"), environment));

    /// <summary>Starts a published <c>geodns</c> executable (a Native AOT build) instead of the test folder's geodns.dll.</summary>
    public static GeoDnsProcess StartExecutable(string executable, string arguments, IDictionary<string, string>? environment = null) =>
        new(ChildProcess.Start(new ProcessStartInfo(executable, arguments), environment));

    /// <summary>Runs a command to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string arguments, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        using var process = Start(arguments, environment);
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var exit = await process.WaitForExitAsync(limit)
            ?? throw new TimeoutException($"geodns {arguments} still running after {limit.TotalSeconds} s:\n{process.Output}");
        return (exit, process.Output);
    }

    /// <summary>A port free for DNS over UDP and TCP, below the ephemeral range (see <see cref="LoopbackPorts"/>).</summary>
    public static int FreePort() => LoopbackPorts.FreeDnsPort();

    public Task<bool> WaitForOutputAsync(string text, TimeSpan timeout) => _child.WaitForOutputAsync(text, timeout);

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {_child.Id}");
        kill.WaitForExit(5000);
    }

    public Task<int?> WaitForExitAsync(TimeSpan timeout) => _child.WaitForExitAsync(timeout);

    public void Dispose() => _child.Dispose();
}
