using System.Diagnostics;
using System.Text;
using GeoDns.Tests.Cli;

namespace GeoDns.Tests.Deploy;

/// <summary>A child process with its output collected; killed (with its children) on dispose.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Start(start, environment);
    }

    /// <summary>Starts <paramref name="start"/> with its output collected and no standard input.</summary>
    public static ChildProcess Start(ProcessStartInfo start, IDictionary<string, string>? environment = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        process.StandardInput.Close();
        return new ChildProcess(process);
    }

    /// <summary>Starts the built <c>geodns</c> program (the test folder's geodns.dll).</summary>
    public static ChildProcess StartGeoDns(IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string>? environment = null) =>
        Start("dotnet", [GeoDnsProcess.Dll, .. arguments], workingDirectory, environment);

    /// <summary>Runs to completion (killed after <paramref name="timeout"/>); the exit code and the output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IDictionary<string, string>? environment, TimeSpan timeout)
    {
        using var child = Start(fileName, arguments, workingDirectory, environment);
        var exit = await child.WaitForExitAsync(timeout);
        Assert.That(exit, Is.Not.Null, $"{fileName} {string.Join(' ', arguments)} still running after {timeout.TotalSeconds} s:\n{child.Output}");
        return (exit!.Value, child.Output);
    }

    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (_process.HasExited)
            {
                await Task.Delay(100);
                return Output.Contains(text, StringComparison.Ordinal);
            }

            await Task.Delay(50);
        }

        return false;
    }

    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit(); // drains the output
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>
/// A real <c>geodns serve</c> on the sample zones with the admin API on a free loopback port,
/// to ask whether a documented or configured path is one of the admin API's routes.
/// </summary>
internal sealed class AdminRoutes : IDisposable
{
    private readonly ChildProcess _server;
    private readonly HttpClient _http;

    private AdminRoutes(ChildProcess server, int adminPort)
    {
        _server = server;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public static async Task<AdminRoutes> StartAsync()
    {
        int adminPort = DeployFiles.FreeTcpPort();
        var server = ChildProcess.StartGeoDns(
            ["serve", "--zones", DeployFiles.PathOf("zones"), "--dns", $"127.0.0.1:{DeployFiles.FreeDnsPort()}", "--admin", $"127.0.0.1:{adminPort}"],
            DeployFiles.Root);
        if (!await server.WaitForOutputAsync("Answering DNS on", TimeSpan.FromSeconds(60)))
        {
            var output = server.Output;
            server.Dispose();
            throw new AssertionException("geodns serve did not start:\n" + output);
        }

        return new AdminRoutes(server, adminPort);
    }

    /// <summary>
    /// True when <paramref name="path"/> (placeholders such as <c>{region}</c> filled with a
    /// word) matches a route: the API answers anything but its bare 404 (a POST-only route
    /// answers a GET with 405; unknown names get a 404 with a JSON message).
    /// </summary>
    public async Task<bool> ExistsAsync(string path)
    {
        var concrete = System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}/]+\}", "x");
        // Headers only: a stream (server-sent events) never ends; only a 404's body is read.
        using var response = await _http.GetAsync(new Uri(concrete, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            return true;
        }

        var body = await response.Content.ReadAsStringAsync();
        return body.Length > 0;
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }
}
