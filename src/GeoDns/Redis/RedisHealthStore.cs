using System.Globalization;
using GeoDns.Core.Health;
using GeoDns.Health;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GeoDns.Redis;

/// <summary>
/// Health votes shared through Redis, at a cost in proportion to changes. Each instance keeps its
/// verdict per member in the hash <c>{geodns}:votes:POOL MEMBER</c> (field = instance, value =
/// <c>status|unix-ms</c>), written only when it changes and announced on <c>{geodns}:events</c>
/// with the new value (<c>vote INSTANCE INCARNATION SERIAL VALUE POOL MEMBER</c>), so receivers
/// need no read. Every sync tick each instance publishes one heartbeat
/// (<c>beat INSTANCE INCARNATION SERIAL</c>); another instance's votes count while its heartbeat
/// is fresh on this instance's clock (<see cref="VoteTable"/>), so a dead or cut-off writer, or a
/// Redis this instance cannot reach, lets them age out. SERIAL counts the instance's vote writes:
/// a heartbeat whose serial is not the last one seen means announcements were missed, and this
/// instance re-reads every vote. After (re)connecting an instance re-asserts all its votes and
/// re-reads everyone's. Nothing here runs on the query path, nothing here throws into callers.
/// </summary>
public sealed class RedisHealthStore : IHealthStore, ISharedStateView
{
    private readonly HealthBoard _board;
    private readonly RedisLink _link;
    private readonly VoteTable _table;
    private readonly IOverrideStore? _overrides;
    private readonly ILogger _logger;
    private readonly string _incarnation;
    private readonly Lock _writeLock = new();
    private readonly Dictionary<string, (string Incarnation, long Serial)> _serials = new(StringComparer.Ordinal);
    private readonly HashSet<string> _heardBeforeReadAll = new(StringComparer.Ordinal);
    private long _serial;
    private volatile bool _readAllRequested;

    public RedisHealthStore(HealthBoard board, RedisLink link, ILogger<RedisHealthStore> logger, IOverrideStore? overrides = null)
    {
        _board = board;
        _link = link;
        _overrides = overrides;
        _logger = logger;
        _table = new VoteTable(link.Instance, link.Time);
        _incarnation = link.Now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The votes as this instance judges them (tests read their freshness).</summary>
    internal VoteTable Table => _table;

    /// <summary>True when a heartbeat showed announcements were missed: the next round re-reads every vote.</summary>
    public bool ReadAllRequested => _readAllRequested;

    /// <summary>The sync (heartbeat) period: the shortest check interval, between 250 ms and 2 s (or as configured).</summary>
    public TimeSpan SyncInterval
    {
        get
        {
            if (_link.Options.SyncInterval is { } configured)
            {
                return configured;
            }

            var monitored = _table.Monitored;
            var shortest = monitored.Count == 0 ? TimeSpan.FromSeconds(2) : monitored.Min(m => m.Interval);
            return TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds, 250, 2000));
        }
    }

    public void SetMonitored(IReadOnlyCollection<MonitoredMember> members)
    {
        _table.SetMonitored(members);
        foreach (var member in members)
        {
            _board.Member(member.Key, member.Region);
        }

        _overrides?.Reapply();
        RecomputeAll();

        // Votes on members this instance did not monitor until now were announced to it and
        // dropped (or written before it started): read them on the next tick.
        _readAllRequested = true;
        _link.Wake();
    }

    public void PublishLocal(MemberSlot member)
    {
        Recompute(member);
        if (!_link.IsConnected)
        {
            return; // re-asserted with every other vote when the link is back
        }

        _ = WriteVoteAsync(member);
    }

    public SharedStateReport Report() => _link.Report();

    public IReadOnlyList<Vote> VotesFor(MemberSlot member) => _table.VotesFor(member.Key, member.Local, _link.Now);

    /// <summary>Recomputes every monitored member's shared verdict from what is known now (also ages votes out, heartbeats or not).</summary>
    public void RecomputeAll()
    {
        foreach (var member in _table.Monitored)
        {
            Recompute(_board.Member(member.Key, member.Region));
        }
    }

    /// <summary>
    /// The full resync after (re)connecting: re-asserts every own vote (deleting the field of a
    /// member this instance has no verdict on), bumps the serial so the others re-read, and reads
    /// every monitored member's votes. Throws when Redis fails.
    /// </summary>
    public async Task ResyncAsync()
    {
        var db = _link.Database;
        var now = _link.Now;
        var batch = db.CreateBatch();
        var writes = new List<Task>();
        lock (_writeLock)
        {
            foreach (var member in _table.Monitored)
            {
                var slot = _board.Member(member.Key, member.Region);
                var key = (RedisKey)_link.Options.VotesKey(member.Key);
                writes.Add(slot.Local == HealthStatus.Unknown
                    ? batch.HashDeleteAsync(key, _link.Instance)
                    : batch.HashSetAsync(key, _link.Instance, new Vote(_link.Instance, slot.Local, now).Encode()));
            }

            _serial++;
            batch.Execute();
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        await ReadAllAsync().ConfigureAwait(false);
    }

    /// <summary>Reads every monitored member's votes in one pipeline. Throws when Redis fails.</summary>
    public async Task ReadAllAsync()
    {
        _readAllRequested = false;
        string[] heard;
        lock (_serials)
        {
            heard = [.. _heardBeforeReadAll];
            _heardBeforeReadAll.Clear();
        }

        var batch = _link.Database.CreateBatch();
        var reads = _table.Monitored
            .Select(m => (m.Key, Read: batch.HashGetAllAsync(_link.Options.VotesKey(m.Key))))
            .ToList();
        batch.Execute();
        foreach (var (key, read) in reads)
        {
            Absorb(key, await read.ConfigureAwait(false));
        }

        // The heartbeats that asked for this read were heard before it: with the votes now read,
        // those instances count from here. (Waiting for their next heartbeat instead would never
        // count an instance whose serial moves between every two heartbeats.)
        foreach (string instance in heard)
        {
            _table.Heard(instance);
        }

        RecomputeAll();
    }

    /// <summary>Publishes this instance's heartbeat (one command), ending with <paramref name="tail"/>. Throws when Redis fails.</summary>
    public Task BeatAsync(string tail)
    {
        Task<long> publish;
        lock (_writeLock)
        {
            // Under the lock: queued after every vote announcement it counts.
            publish = _link.Database.PublishAsync(_link.EventsChannel,
                string.Create(CultureInfo.InvariantCulture, $"beat {_link.Instance} {_incarnation} {_serial} {tail}"));
        }

        return publish;
    }

    /// <summary>Deletes the votes of instances not heard for ten freshness windows (they stopped counting long before).</summary>
    public void ForgetSilent()
    {
        foreach (var (instance, members) in _table.SilentInstances())
        {
            _logger.LogInformation("Forgetting the votes of instance {Instance}: not heard for {Windows} freshness windows ({Members} members)",
                instance, VoteTable.ForgetAfterWindows, members.Count);
            foreach (var key in members)
            {
                _ = _link.Database.HashDeleteAsync(_link.Options.VotesKey(key), instance, CommandFlags.FireAndForget);
            }

            _table.Forget(instance);
            lock (_serials)
            {
                _serials.Remove(instance);
            }
        }
    }

    /// <summary>
    /// Handles a <c>beat</c> or <c>vote</c> announcement of another instance; false for anything
    /// else. <paramref name="beatTail"/> is what a heartbeat carried after its serial (else null).
    /// </summary>
    public bool TryHandleAnnouncement(string text, out string? beatTail)
    {
        beatTail = null;
        var parts = text.Split(' ', 7);
        if (parts.Length < 4 || parts[1] == _link.Instance
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out long serial))
        {
            return false;
        }

        string instance = parts[1], incarnation = parts[2];
        switch (parts[0])
        {
            case "beat" when parts.Length is 4 or 5:
                beatTail = parts.Length == 5 ? parts[4] : "";
                OnBeat(instance, incarnation, serial);
                return true;
            case "vote" when parts.Length == 7 && Vote.TryDecode(instance, parts[4], out var vote):
                OnVote(instance, incarnation, serial, new MemberKey(parts[5], parts[6]), vote);
                return true;
            default:
                return false;
        }
    }

    private void OnBeat(string instance, string incarnation, long serial)
    {
        bool missed;
        lock (_serials)
        {
            // An instance heard for the first time may have written its votes after this instance read them.
            missed = !_serials.TryGetValue(instance, out var known) || known != (incarnation, serial);
            _serials[instance] = (incarnation, serial);
            if (missed)
            {
                _heardBeforeReadAll.Add(instance);
            }
        }

        if (missed)
        {
            // A new instance, lost announcements, or a writer that re-asserted everything: its votes
            // count again once they are re-read.
            _logger.LogInformation("Instance {Instance} wrote votes this instance was not told of: re-reading every vote", instance);
            _readAllRequested = true;
            _link.Wake();
            return;
        }

        _table.Heard(instance);
    }

    private void OnVote(string instance, string incarnation, long serial, MemberKey key, Vote vote)
    {
        lock (_serials)
        {
            if (_serials.TryGetValue(instance, out var known) && known == (incarnation, serial - 1))
            {
                _serials[instance] = (incarnation, serial);
            }
        }

        if (_table.Find(key) is not { } member)
        {
            return;
        }

        _table.SetRemote(key, vote);
        Recompute(_board.Member(key, member.Region));
    }

    private void Absorb(MemberKey key, HashEntry[] entries)
    {
        var votes = new List<Vote>(entries.Length);
        foreach (var entry in entries)
        {
            if (Vote.TryDecode(entry.Name.ToString(), entry.Value.ToString(), out var vote))
            {
                votes.Add(vote);
            }
        }

        _table.ReplaceRemote(key, votes);
    }

    private void Recompute(MemberSlot slot)
    {
        var before = slot.Shared;
        var status = _table.Evaluate(slot.Key, slot.Local);
        slot.SetShared(status, _link.Now);
        if (before != status)
        {
            _logger.LogInformation("Shared verdict of {Member}: {Before} -> {After} (votes: {Votes})", slot.Key, before, status,
                string.Join(", ", VotesFor(slot).Select(v => $"{v.Instance}={Vote.StatusText(v.Status)}{(_table.IsFresh(slot.Key, v.Instance) ? "" : " (stale)")}")));
        }
    }

    private async Task WriteVoteAsync(MemberSlot member)
    {
        try
        {
            var key = (RedisKey)_link.Options.VotesKey(member.Key);
            var vote = new Vote(_link.Instance, member.Local, _link.Now);
            var batch = _link.Database.CreateBatch();
            Task set, publish;
            lock (_writeLock)
            {
                // The write, its serial and its announcement go out in order, before any later heartbeat.
                long serial = ++_serial;
                set = member.Local == HealthStatus.Unknown
                    ? batch.HashDeleteAsync(key, _link.Instance)
                    : batch.HashSetAsync(key, _link.Instance, vote.Encode());
                publish = batch.PublishAsync(_link.EventsChannel, string.Create(CultureInfo.InvariantCulture,
                    $"vote {_link.Instance} {_incarnation} {serial} {vote.Encode()} {member.Key.Pool} {member.Key.Member}"));
                batch.Execute();
            }

            await Task.WhenAll(set, publish).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _link.MarkFailure(e, $"publishing the vote on {member.Key}");
        }
    }
}
