using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GeoDns.Core.Dns;
using GeoDns.Core.Settings;
using GeoDns.Core.Zones.RData;
using GeoDns.Health;

namespace GeoDns.Cli;

/// <summary>
/// <c>geodns drill REGION --name NAME [--server URL]... [--dns ADDR:PORT]... [--timeout 30s]</c>: a
/// disaster-recovery drill. Drains REGION through the first server's admin API, asks every listed
/// DNS port for NAME until none answers with a member of REGION (the pool's member list in
/// <c>/api/v1/pools</c> says which are), prints how long each instance took (the DNS layer's
/// recovery time), then undrains and measures the way back. Exit 1 when an instance did not move
/// (or come back) within the timeout; the region is undrained whatever happens once drained.
/// </summary>
public static class DrillCommand
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static int Run(string[] args)
    {
        var region = Verb.Positional("REGION", "the region to drain and restore");
        var name = Verb.Text("--name", "NAME", "the traffic-managed name to ask (required)");
        var type = Verb.Text("--type", "TYPE", "the record type to ask (default A)");
        var servers = Verb.Repeated("--server", "URL", $"admin API of an instance; the first drains and undrains, every one must list the drain (default {AdminClient.DefaultServer})");
        var dns = Verb.Repeated("--dns", "ADDR:PORT", "DNS port of an instance to watch; repeat for each (default 127.0.0.1:5300)");
        var timeout = Verb.Text("--timeout", "DURATION", "how long each instance may take to move, and to come back (default 30s)");
        var tokenFile = Verb.Text("--token-file", "FILE", $"file holding the bearer token (default ${AdminClient.TokenFileVariable})");
        var command = new Command("drill",
            "Disaster-recovery drill: drain REGION, time how long every DNS instance takes to stop answering NAME from it, undrain, time the way back.")
        {
            region, name, type, servers, dns, timeout, tokenFile,
        };
        return Verb.Run(command, args, Console.Error, parsed =>
        {
            if (parsed.GetValue(name) is not { } qname || !DnsName.TryParse(qname.EndsWith('.') ? qname : qname + ".", DnsName.Root, out var owner, out _))
            {
                return Verb.UsageError(command, Console.Error, parsed.GetValue(name) is null ? "give --name NAME" : $"bad --name '{parsed.GetValue(name)}'");
            }

            if (!RecordTypes.TryParse(parsed.GetValue(type) ?? "A", out ushort qtype))
            {
                return Verb.UsageError(command, Console.Error, $"bad --type '{parsed.GetValue(type)}'");
            }

            var limit = TimeSpan.FromSeconds(30);
            if (parsed.GetValue(timeout) is { } text && (Durations.TryParse(text, out limit) is not null || limit <= TimeSpan.Zero))
            {
                return Verb.UsageError(command, Console.Error, $"bad --timeout '{text}': a duration such as 30s or 500ms");
            }

            var endpoints = new List<IPEndPoint>();
            foreach (string address in parsed.GetValue(dns) ?? ["127.0.0.1:5300"])
            {
                if (!IPEndPoint.TryParse(address, out var endpoint) || endpoint.Port == 0)
                {
                    return Verb.UsageError(command, Console.Error, $"bad --dns '{address}': ADDR:PORT");
                }

                endpoints.Add(endpoint);
            }

            string token = parsed.GetValue(tokenFile) ?? Environment.GetEnvironmentVariable(AdminClient.TokenFileVariable) ?? string.Empty;
            var urls = parsed.GetValue(servers) ?? [AdminClient.DefaultServer];
            var drill = new Drill(parsed.GetValue(region)!, owner, qtype, endpoints, limit, Console.Out);
            return ServerVerbs.Call("drill", Console.Error, async cancellation =>
            {
                var admins = new List<AdminClient>();
                try
                {
                    foreach (string url in urls)
                    {
                        admins.Add(AdminClient.Create(url, admins.Count == 0 ? token : null));
                    }

                    return await drill.RunAsync(admins, cancellation).ConfigureAwait(false);
                }
                finally
                {
                    admins.ForEach(a => a.Dispose());
                }
            });
        });
    }

    private sealed class Drill(string region, DnsName name, ushort type, IReadOnlyList<IPEndPoint> dns, TimeSpan limit, TextWriter output)
    {
        public async Task<int> RunAsync(IReadOnlyList<AdminClient> admins, CancellationToken cancellation)
        {
            var first = admins[0];
            string typeName = RecordTypes.Mnemonic(type);

            // Which answers are "from the region": the members of the pool that answers NAME.
            var explained = await first.SendAsync(HttpMethod.Get, $"/api/v1/explain?name={Uri.EscapeDataString(name.ToString())}&type={typeName}",
                null, cancellation, allowNotFound: true).ConfigureAwait(false);
            if (explained.Json.GetProperty("pool") is not { ValueKind: JsonValueKind.Object } pool)
            {
                output.WriteLine($"drill: {name} {typeName} is not answered by a pool on {first.Server}: {explained.Json.GetProperty("result").GetString()}");
                return ExitCodes.Failed;
            }

            string poolName = pool.GetProperty("name").GetString()!;
            var status = (await first.GetAsync("/api/v1/pools", cancellation).ConfigureAwait(false)).Json;
            var members = status.GetProperty("pools").EnumerateArray().Where(p => p.GetProperty("name").GetString() == poolName)
                .SelectMany(p => p.GetProperty("members").EnumerateArray()).ToList();
            var inRegion = members.Where(m => m.GetProperty("region").GetString() == region).Select(m => m.GetProperty("member").GetString()!).ToList();
            if (inRegion.Count == 0)
            {
                throw new AdminCallException(ExitCodes.NotFound, $"pool {poolName} has no member in region {region} (regions: " +
                    string.Join(", ", members.Select(m => m.GetProperty("region").GetString()).Distinct().Order(StringComparer.Ordinal)) + ")");
            }

            if (status.GetProperty("overrides").GetProperty("drainedRegions").EnumerateArray().Any(r => r.GetString() == region))
            {
                output.WriteLine($"drill: region {region} is drained already on {first.Server}: undrain it first (the drill restores what it changes, nothing else)");
                return ExitCodes.Failed;
            }

            output.WriteLine($"drill:    region {region}, {name} {typeName} (pool {poolName}; {region} members {string.Join(", ", inRegion)}), " +
                $"{dns.Count} DNS instance(s), {admins.Count} admin API(s), timeout {limit.TotalSeconds:0.###} s");
            foreach (var endpoint in dns)
            {
                var answer = await AskAsync(endpoint, cancellation).ConfigureAwait(false);
                output.WriteLine($"before:   {endpoint} answers {Describe(answer)}");
                if (answer is null || !answer.Any(a => IsFrom(a, inRegion)))
                {
                    output.WriteLine($"drill: {endpoint} does not answer from {region} before the drain: nothing to measure");
                    return ExitCodes.Failed;
                }
            }

            var watch = Stopwatch.StartNew();
            await first.PostAsync($"/api/v1/regions/{Uri.EscapeDataString(region)}/drain", null, cancellation).ConfigureAwait(false);
            bool moved;
            bool back;
            try
            {
                output.WriteLine($"drain:    {region} drained through {first.Server} ({watch.ElapsedMilliseconds} ms)");
                moved = await MeasureAsync("moved:", admins.Skip(1), drained: true, a => a is not null && !a.Any(x => IsFrom(x, inRegion)), watch, cancellation).ConfigureAwait(false);
            }
            finally
            {
                // Undrained whatever happened (an instance that never moved, Ctrl+C): the drill leaves nothing behind.
                watch.Restart();
                await first.PostAsync($"/api/v1/regions/{Uri.EscapeDataString(region)}/undrain", null, CancellationToken.None).ConfigureAwait(false);
                output.WriteLine($"undrain:  {region} undrained through {first.Server} ({watch.ElapsedMilliseconds} ms)");
            }

            back = await MeasureAsync("back:", admins.Skip(1), drained: false, a => a is not null && a.Any(x => IsFrom(x, inRegion)), watch, cancellation).ConfigureAwait(false);
            output.WriteLine(moved && back
                ? $"result:   every instance stopped answering from {region} within {Slowest("moved")} ms (the DNS layer's RTO) and came back within {Slowest("back")} ms"
                : $"result:   FAILED: {(moved ? string.Empty : $"an instance still answered from {region} after {limit.TotalSeconds:0.###} s; ")}" +
                    (back ? string.Empty : $"an instance did not answer from {region} again within {limit.TotalSeconds:0.###} s"));
            return moved && back ? ExitCodes.Ok : ExitCodes.Failed;
        }

        private readonly Dictionary<string, long> _slowest = [];

        private long Slowest(string phase) => _slowest.GetValueOrDefault(phase);

        /// <summary>Polls every DNS instance until <paramref name="done"/> holds for its answer (and every other admin API lists the change); false if one ran out of time.</summary>
        private async Task<bool> MeasureAsync(string label, IEnumerable<AdminClient> others, bool drained, Func<List<string>?, bool> done, Stopwatch watch, CancellationToken cancellation)
        {
            var lines = new List<(long At, string Line, bool Ok, bool Dns)>();
            var tasks = dns.Select(async endpoint =>
            {
                List<string>? last = null;
                while (watch.Elapsed < limit)
                {
                    last = await AskAsync(endpoint, cancellation).ConfigureAwait(false);
                    if (done(last))
                    {
                        long at = watch.ElapsedMilliseconds;
                        return (at, $"{label,-9} {endpoint} after {at} ms: answers {Describe(last)}", true, true);
                    }

                    await Task.Delay(PollInterval, cancellation).ConfigureAwait(false);
                }

                return (watch.ElapsedMilliseconds, $"{label,-9} {endpoint} NOT within {limit.TotalSeconds:0.###} s: still answers {Describe(last)}", false, true);
            }).Concat(others.Select(async admin =>
            {
                while (watch.Elapsed < limit)
                {
                    var overrides = (await admin.GetAsync("/api/v1/overrides", cancellation).ConfigureAwait(false)).Json;
                    if (overrides.GetProperty("drainedRegions").EnumerateArray().Any(r => r.GetString() == region) == drained)
                    {
                        long at = watch.ElapsedMilliseconds;
                        return (at, $"{"api:",-9} {admin.Server} lists {region} {(drained ? "drained" : "undrained")} after {at} ms", true, false);
                    }

                    await Task.Delay(PollInterval * 5, cancellation).ConfigureAwait(false);
                }

                return (watch.ElapsedMilliseconds, $"{"api:",-9} {admin.Server} does NOT list {region} {(drained ? "drained" : "undrained")} within {limit.TotalSeconds:0.###} s", false, false);
            })).ToList();
            foreach (var result in await Task.WhenAll(tasks).ConfigureAwait(false))
            {
                lines.Add(result);
            }

            foreach (var (_, line, _, _) in lines.OrderBy(l => l.At))
            {
                output.WriteLine(line);
            }

            _slowest[label.TrimEnd(':')] = lines.Where(l => l.Dns).Max(l => l.At);
            return lines.All(l => l.Ok);
        }

        /// <summary>The answer section of one UDP query as text, or null when no reply came (or an error code).</summary>
        private async Task<List<string>?> AskAsync(IPEndPoint endpoint, CancellationToken cancellation)
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            ushort id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            deadline.CancelAfter(QueryTimeout);
            var buffer = new byte[4096];
            try
            {
                await socket.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
                await socket.SendAsync(DnsProbeMessage.BuildQuery(id, name, type), deadline.Token).ConfigureAwait(false);
                while (true)
                {
                    int n = await socket.ReceiveAsync(buffer, deadline.Token).ConfigureAwait(false);
                    if (DnsProbeMessage.TryReadResponse(buffer.AsSpan(0, n), id, out int rcode, out var answers))
                    {
                        return rcode == 0 ? answers : null;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                return null;
            }
            catch (SocketException)
            {
                return null;
            }
        }

        private static string Describe(List<string>? answer) =>
            answer is null ? "nothing (no reply or an error)" : answer.Count == 0 ? "no records" : string.Join(", ", answer);

        /// <summary>An answer record is from the region when it is one of the region's members (addresses compared as addresses, names without case or final dot).</summary>
        private static bool IsFrom(string answer, IReadOnlyList<string> members) => members.Any(m =>
            IPAddress.TryParse(m, out var a) && IPAddress.TryParse(answer, out var b) ? a.Equals(b)
            : string.Equals(m.TrimEnd('.'), answer.TrimEnd('.'), StringComparison.OrdinalIgnoreCase));
    }
}
