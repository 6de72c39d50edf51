using GeoDns.Core.Health;
using GeoDns.Health;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GeoDns.Redis;

/// <summary>
/// Health votes shared through Redis. Each instance keeps its verdict per member in the hash
/// <c>{geodns}:votes:POOL MEMBER</c> (field = instance, value = <c>status|unix-ms</c>),
/// re-asserts it every sync tick and announces changes on <c>{geodns}:events</c>
/// (<c>vote INSTANCE POOL MEMBER</c>); every instance combines the fresh votes
/// (<see cref="VoteTable"/>) into <see cref="MemberSlot.Shared"/>. Another instance's vote counts
/// for three check intervals on this instance's clock after this instance last read it refreshed,
/// whether its writer stopped re-asserting it or Redis stopped answering: a cut-off instance falls
/// back to its own verdicts, never to a frozen view. The hash itself expires when nobody refreshes
/// it. Nothing here runs on the query path, nothing here throws into callers.
/// </summary>
public sealed class RedisHealthStore : IHealthStore, ISharedStateView
{
    private readonly HealthBoard _board;
    private readonly RedisLink _link;
    private readonly VoteTable _table;
    private readonly IOverrideStore? _overrides;
    private readonly ILogger _logger;

    public RedisHealthStore(HealthBoard board, RedisLink link, ILogger<RedisHealthStore> logger, IOverrideStore? overrides = null)
    {
        _board = board;
        _link = link;
        _overrides = overrides;
        _logger = logger;
        _table = new VoteTable(link.Instance, link.Time);
    }

    /// <summary>The votes as this instance judges them (tests read their freshness).</summary>
    internal VoteTable Table => _table;

    /// <summary>The sync period: the shortest check interval, between 250 ms and 2 s (or as configured).</summary>
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
        _link.Wake();
    }

    public void PublishLocal(MemberSlot member)
    {
        Recompute(member);
        if (!_link.IsConnected)
        {
            return;
        }

        _ = WriteVoteAsync(member);
    }

    public SharedStateReport Report() => _link.Report();

    public IReadOnlyList<Vote> VotesFor(MemberSlot member) => _table.VotesFor(member.Key, member.Local, _link.Now);

    /// <summary>Recomputes every monitored member's shared verdict from what is known now (also ages votes out, reads or not).</summary>
    public void RecomputeAll()
    {
        foreach (var member in _table.Monitored)
        {
            Recompute(_board.Member(member.Key, member.Region));
        }
    }

    /// <summary>
    /// One full round trip: re-assert this instance's votes, read every monitored member's votes,
    /// drop long-dead fields. With <paramref name="announce"/> (after an outage) each vote is
    /// also announced so the other instances pick it up at once. Throws when Redis fails.
    /// </summary>
    public async Task SyncAsync(bool announce)
    {
        var db = _link.Database;
        var now = _link.Now;
        var monitored = _table.Monitored;
        var batch = db.CreateBatch();
        var writes = new List<Task>();
        var reads = new List<(MonitoredMember Member, Task<HashEntry[]> Read)>(monitored.Count);
        foreach (var member in monitored)
        {
            var slot = _board.Member(member.Key, member.Region);
            var key = (RedisKey)_link.Options.VotesKey(member.Key);
            if (slot.Local != HealthStatus.Unknown)
            {
                writes.Add(batch.HashSetAsync(key, _link.Instance, new Vote(_link.Instance, slot.Local, now).Encode()));
                writes.Add(batch.KeyExpireAsync(key, KeyLifetime(member.Key)));
                if (announce)
                {
                    writes.Add(batch.PublishAsync(_link.EventsChannel, VoteMessage(member.Key)));
                }
            }

            reads.Add((member, batch.HashGetAllAsync(key)));
        }

        batch.Execute();
        await Task.WhenAll(writes).ConfigureAwait(false);
        foreach (var (member, read) in reads)
        {
            var entries = await read.ConfigureAwait(false);
            Absorb(member.Key, entries);
        }

        RecomputeAll();
    }

    /// <summary>Re-reads one member's votes (after another instance announced a change).</summary>
    public async Task RefreshAsync(MemberKey key)
    {
        if (_table.Find(key) is not { } member)
        {
            return;
        }

        var entries = await _link.Database.HashGetAllAsync(_link.Options.VotesKey(key)).ConfigureAwait(false);
        Absorb(key, entries);
        Recompute(_board.Member(key, member.Region));
    }

    internal string VoteMessage(MemberKey key) => $"vote {_link.Instance} {key.Pool} {key.Member}";

    private TimeSpan KeyLifetime(MemberKey key) => _table.FreshnessOf(key) * 3;

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

        // Fields this instance has not seen refreshed for 10 freshness windows (its own clock).
        var silent = _table.ReplaceRemote(key, votes);
        if (silent.Count > 0)
        {
            _logger.LogInformation("Forgetting votes of silent instances {Instances} on {Member}", string.Join(",", silent), key);
            _ = _link.Database.HashDeleteAsync(_link.Options.VotesKey(key), [.. silent.Select(i => (RedisValue)i)], CommandFlags.FireAndForget);
        }
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
            var db = _link.Database;
            var key = (RedisKey)_link.Options.VotesKey(member.Key);
            var now = _link.Now;
            var batch = db.CreateBatch();
            var set = member.Local == HealthStatus.Unknown
                ? batch.HashDeleteAsync(key, _link.Instance)
                : batch.HashSetAsync(key, _link.Instance, new Vote(_link.Instance, member.Local, now).Encode());
            var expire = batch.KeyExpireAsync(key, KeyLifetime(member.Key));
            var publish = batch.PublishAsync(_link.EventsChannel, VoteMessage(member.Key));
            batch.Execute();
            await Task.WhenAll(set, expire, publish).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _link.MarkFailure(e, $"publishing the vote on {member.Key}");
        }
    }
}
