using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace GeoDns.Cli;

/// <summary>
/// The verbs that talk to a running server's admin API: <c>status</c>, <c>drain</c>, <c>undrain</c>,
/// <c>force</c>, <c>pin</c>, <c>unpin</c>, <c>reload</c>. Each takes <c>--server URL</c> (default
/// <see cref="AdminClient.DefaultServer"/>), the changes <c>--token-file FILE</c> (or GEODNS_TOKEN_FILE),
/// and <c>--json</c> to print the API's JSON as it is. Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class ServerVerbs
{
    public static int Status(string[] args)
    {
        var server = new AdminClient.Options();
        var command = new Command("status", "List every pool member of a running server: region, state, since when, the votes, the operator override.");
        server.AddTo(command, token: false);
        return Verb.Run(command, args, Console.Error, parsed => Call("status", Console.Error, async cancellation =>
        {
            using var admin = server.Connect(parsed, withToken: false);
            var reply = await admin.GetAsync("/api/v1/pools", cancellation).ConfigureAwait(false);
            Console.Out.WriteLine(parsed.GetValue(server.Json) ? reply.Body : StatusTable(reply.Json));
            return ExitCodes.Ok;
        }));
    }

    public static int Drain(string[] args, bool drained)
    {
        string verb = drained ? "drain" : "undrain";
        var region = Verb.Positional("REGION", "the region");
        var server = new AdminClient.Options();
        var command = new Command(verb, drained
            ? "Drain REGION: no pool answers with its members until undrained (every instance sharing the server's Redis)."
            : "Undrain REGION: its members answer again as their health says.")
        {
            region,
        };
        server.AddTo(command);
        return Verb.Run(command, args, Console.Error, parsed => Change(verb, parsed, server,
            $"/api/v1/regions/{Segment(parsed.GetValue(region)!)}/{verb}", null,
            $"region {parsed.GetValue(region)} {(drained ? "drained" : "undrained")}"));
    }

    public static int Force(string[] args)
    {
        var pool = Verb.Positional("POOL", "the pool (its owner name)");
        var member = Verb.Positional("MEMBER", "the member, as written in the zone file");
        var state = Verb.Positional("STATE", "up, down or auto (back to health checks)");
        var server = new AdminClient.Options();
        var command = new Command("force", "Force a pool member up or down whatever its health says, or back to auto.") { pool, member, state };
        server.AddTo(command);
        return Verb.Run(command, args, Console.Error, parsed =>
        {
            string wanted = parsed.GetValue(state)!.ToLowerInvariant();
            if (wanted is not ("up" or "down" or "auto"))
            {
                return Verb.UsageError(command, Console.Error, $"STATE must be up, down or auto, not '{parsed.GetValue(state)}'");
            }

            return Change("force", parsed, server,
                $"/api/v1/pools/{Segment(parsed.GetValue(pool)!)}/members/{Segment(parsed.GetValue(member)!)}/state", wanted,
                $"{parsed.GetValue(pool)} {parsed.GetValue(member)}: {(wanted == "auto" ? "back to auto (health decides)" : "forced " + wanted)}");
        });
    }

    public static int Pin(string[] args)
    {
        var pool = Verb.Positional("POOL", "the pool (its owner name)");
        var region = Verb.Positional("REGION", "the region every answer of the pool comes from");
        var server = new AdminClient.Options();
        var command = new Command("pin", "Pin a pool to one region: its answers come from that region's members only.") { pool, region };
        server.AddTo(command);
        return Verb.Run(command, args, Console.Error, parsed => Change("pin", parsed, server,
            $"/api/v1/pools/{Segment(parsed.GetValue(pool)!)}/pin/{Segment(parsed.GetValue(region)!)}", null,
            $"{parsed.GetValue(pool)} pinned to region {parsed.GetValue(region)}"));
    }

    public static int Unpin(string[] args)
    {
        var pool = Verb.Positional("POOL", "the pool (its owner name)");
        var server = new AdminClient.Options();
        var command = new Command("unpin", "Unpin a pool: its policy chooses among every region again.") { pool };
        server.AddTo(command);
        return Verb.Run(command, args, Console.Error, parsed => Change("unpin", parsed, server,
            $"/api/v1/pools/{Segment(parsed.GetValue(pool)!)}/unpin", null, $"{parsed.GetValue(pool)} unpinned"));
    }

    public static int Reload(string[] args)
    {
        var server = new AdminClient.Options();
        var command = new Command("reload",
            "Reload the server's zones folder (as SIGHUP does) and answer once the new snapshot serves; a zone file with errors " +
            "keeps its previous version serving and its errors are printed as file:line:column (exit 1).");
        server.AddTo(command);
        return Verb.Run(command, args, Console.Error, parsed => Call("reload", Console.Error, async cancellation =>
        {
            using var admin = server.Connect(parsed, withToken: true);
            var reply = await admin.SendAsync(HttpMethod.Post, "/api/v1/reload", null, cancellation, allowUnprocessable: true).ConfigureAwait(false);
            if (parsed.GetValue(server.Json))
            {
                Console.Out.WriteLine(reply.Body);
            }
            else
            {
                foreach (string line in ReloadLines(reply.Json))
                {
                    Console.Out.WriteLine(line);
                }
            }

            return reply.Status == HttpStatusCode.OK ? ExitCodes.Ok : ExitCodes.Failed;
        }));
    }

    /// <summary>Runs an admin call; a failed one is one line <c>geodns VERB: MESSAGE</c> on <paramref name="errors"/> and its exit code.</summary>
    public static int Call(string verb, TextWriter errors, Func<CancellationToken, Task<int>> call)
    {
        using var cancel = new CancellationTokenSource();
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            cancel.Cancel();
        }

        Console.CancelKeyPress += OnCancel;
        try
        {
            return call(cancel.Token).GetAwaiter().GetResult();
        }
        catch (AdminCallException e)
        {
            errors.WriteLine($"geodns {verb}: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            errors.WriteLine($"geodns {verb}: interrupted");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
        }
    }

    private static int Change(string verb, ParseResult parsed, AdminClient.Options server, string path, string? body, string done) =>
        Call(verb, Console.Error, async cancellation =>
        {
            using var admin = server.Connect(parsed, withToken: true);
            var reply = await admin.PostAsync(path, body, cancellation).ConfigureAwait(false);
            if (parsed.GetValue(server.Json))
            {
                Console.Out.WriteLine(reply.Body);
            }
            else
            {
                // The server's detail says how far the change went: kept in memory (one instance),
                // stored in Redis and announced, or applied here only while Redis is unreachable (202).
                string detail = reply.Json.ValueKind == JsonValueKind.Object && reply.Json.TryGetProperty("detail", out var d) ? d.GetString() ?? string.Empty : string.Empty;
                int colon = detail.IndexOf(": ", StringComparison.Ordinal);
                Console.Out.WriteLine($"{done}: {(colon >= 0 ? detail[(colon + 2)..] : detail)}" +
                    (reply.Status == HttpStatusCode.Accepted ? " (not shared yet)" : string.Empty));
            }

            return ExitCodes.Ok;
        });

    private static string Segment(string text) => Uri.EscapeDataString(text);

    /// <summary>The last probe's latency ("12.5ms", "fail 200.1ms"), or "-" before the first probe or from an older server.</summary>
    private static string LastProbe(JsonElement member)
    {
        if (!member.TryGetProperty("probes", out var probes) || probes.ValueKind != JsonValueKind.Array || probes.GetArrayLength() == 0)
        {
            return "-";
        }

        var last = probes[probes.GetArrayLength() - 1];
        string ms = last.GetProperty("ms").GetDouble().ToString("0.0", CultureInfo.InvariantCulture) + "ms";
        return last.GetProperty("ok").GetBoolean() ? ms : "fail " + ms;
    }

    /// <summary>The status table: one line per member, then the pins, drained regions and shared state.</summary>
    public static string StatusTable(JsonElement status)
    {
        var rows = new List<string[]> { new[] { "POOL", "MEMBER", "REGION", "STATE", "SINCE", "PROBE", "VOTES", "OVERRIDE" } };
        var notes = new List<string>();
        foreach (var pool in status.GetProperty("pools").EnumerateArray())
        {
            string name = pool.GetProperty("name").GetString()!;
            string? pin = pool.TryGetProperty("pinnedRegion", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (pin is not null)
            {
                notes.Add($"pin:      {name} -> region {pin}");
            }

            foreach (var member in pool.GetProperty("members").EnumerateArray())
            {
                string over = member.GetProperty("override").GetString()!;
                bool drained = member.GetProperty("regionDrained").GetBoolean();
                string shared = member.GetProperty("shared").GetString()!;
                string state = (member.GetProperty("usable").GetBoolean() ? "up" : "down")
                    + (over != "auto" ? " (forced)" : drained ? " (drained)" : shared == "unknown" ? " (no verdict)" : string.Empty);
                var since = member.TryGetProperty("sharedSince", out var s) && s.ValueKind == JsonValueKind.String ? s.GetDateTimeOffset()
                    : member.TryGetProperty("localSince", out var l) && l.ValueKind == JsonValueKind.String ? l.GetDateTimeOffset()
                    : (DateTimeOffset?)null;
                string votes = string.Join(" ", member.GetProperty("votes").EnumerateArray()
                    .Select(v => $"{v.GetProperty("instance").GetString()}={v.GetProperty("status").GetString()}"));
                string probe = LastProbe(member);
                string overrides = string.Join(", ", new[] { over, drained ? "region drained" : null, pin is null ? null : $"pool pinned to {pin}" }.Where(x => x is not null));
                rows.Add([name, member.GetProperty("member").GetString()!, member.GetProperty("region").GetString()!, state,
                    since?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-", probe, votes.Length == 0 ? "-" : votes, overrides]);
            }
        }

        var drainedRegions = status.GetProperty("overrides").GetProperty("drainedRegions").EnumerateArray().Select(r => r.GetString()).ToList();
        if (drainedRegions.Count > 0)
        {
            notes.Add($"drained:  {string.Join(", ", drainedRegions)}");
        }

        if (status.TryGetProperty("sharedState", out var state2) && state2.ValueKind == JsonValueKind.Object)
        {
            notes.Add($"shared:   {state2.GetProperty("mode").GetString()}, instance {state2.GetProperty("instance").GetString()}" +
                (state2.GetProperty("connected").GetBoolean() ? ", connected" : ", NOT connected") +
                (state2.GetProperty("degraded").GetBoolean() ? ", degraded (fail static)" : string.Empty));
        }

        int columns = rows[0].Length;
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var lines = rows.Select(r => string.Join("  ", r.Select((cell, c) => c == columns - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        return string.Join(Environment.NewLine, lines.Concat(notes));
    }

    /// <summary>What a reload did, zone by zone, with every error as file:line:column.</summary>
    public static IEnumerable<string> ReloadLines(JsonElement reload)
    {
        if (reload.TryGetProperty("folderError", out var folder) && folder.ValueKind == JsonValueKind.String)
        {
            yield return $"zones folder not reloaded: {folder.GetString()}; every zone keeps serving as loaded before";
        }

        foreach (var zone in reload.GetProperty("zones").EnumerateArray())
        {
            foreach (var diagnostic in zone.GetProperty("diagnostics").EnumerateArray())
            {
                yield return diagnostic.GetString()!;
            }

            string name = zone.GetProperty("zone").GetString()!;
            string file = zone.GetProperty("file").GetString()!;
            yield return zone.GetProperty("loaded").GetBoolean()
                ? $"{file}: zone {name} serial {zone.GetProperty("serial").GetUInt32()}: loaded, serving"
                : $"{file}: zone {name}: FAILED ({zone.GetProperty("errors").GetInt32()} errors); {zone.GetProperty("serving").GetString()}";
        }

        foreach (var removed in reload.GetProperty("removed").EnumerateArray())
        {
            yield return $"zone {removed.GetString()} removed: its file is gone";
        }

        yield return $"reload {reload.GetProperty("reloads").GetInt32()}: {reload.GetProperty("failed").GetInt32()} zone file(s) with errors, " +
            $"{reload.GetProperty("served").GetInt32()} zone(s) served";
    }
}
