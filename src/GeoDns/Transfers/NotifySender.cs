using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;
using Microsoft.Extensions.Logging;

namespace GeoDns.Transfers;

/// <summary>
/// Sends NOTIFY (RFC 1996) for a zone's new serial to each target of its rule, TSIG-signed with
/// the rule's first key, over UDP, retried with back-off (1, 2, 4, 8, 16 s) until answered. Only
/// the newest serial matters: a new one cancels the old one's retries, so there is at most one
/// NOTIFY in flight per zone and target (the queue is bounded by the configuration).
/// </summary>
public sealed class NotifySender : IDisposable
{
    /// <summary>Attempts before giving up (the secondary's refresh timer still catches up later).</summary>
    public const int Attempts = 5;

    private readonly ConcurrentDictionary<(string Zone, IPEndPoint Target), CancellationTokenSource> _inFlight = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();

    public NotifySender(TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <summary>Starts notifying every target of <paramref name="rule"/> of <paramref name="soa"/> (the SOA as served).</summary>
    public void Notify(ZoneTransferRule rule, ResourceRecord soa, uint serial)
    {
        foreach (var target in rule.Notify)
        {
            var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var key = (rule.Zone.Key, target);
            if (_inFlight.TryGetValue(key, out var previous))
            {
                previous.Cancel();
            }

            _inFlight[key] = cancel;
            _ = Task.Run(() => Send(rule, soa, serial, target, cancel));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task Send(ZoneTransferRule rule, ResourceRecord soa, uint serial, IPEndPoint target, CancellationTokenSource cancel)
    {
        string zone = rule.Zone.ToString();
        try
        {
            using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            await socket.ConnectAsync(target, cancel.Token).ConfigureAwait(false);
            var reply = new byte[4096];
            string? last = null;
            for (int attempt = 1; attempt <= Attempts; attempt++)
            {
                ushort id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
                var message = Build(id, rule, soa);
                await socket.SendAsync(message, SocketFlags.None, cancel.Token).ConfigureAwait(false);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
                wait.CancelAfter(TimeSpan.FromSeconds(1 << (attempt - 1)));
                try
                {
                    while (true)
                    {
                        int n = await socket.ReceiveAsync(reply, SocketFlags.None, wait.Token).ConfigureAwait(false);
                        if (n < DnsWire.HeaderLength || DnsWire.ReadUInt16(reply, 0) != id || (reply[2] & 0x80) == 0)
                        {
                            continue; // not the answer to this attempt
                        }

                        int rcode = reply[3] & 0xF;
                        if (rcode == ResponseCode.NoError)
                        {
                            TransferLog.Notified(_logger, zone, serial, target.ToString(), attempt);
                            return;
                        }

                        last = $"answered rcode {rcode}";
                        break;
                    }
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    last = "no answer";
                }
                catch (SocketException e)
                {
                    last = e.SocketErrorCode.ToString(); // e.g. ConnectionRefused: nothing listens there (yet)
                    await Task.Delay(TimeSpan.FromSeconds(1 << (attempt - 1)), cancel.Token).ConfigureAwait(false);
                }
            }

            TransferLog.NotifyFailed(_logger, zone, serial, target.ToString(), $"{last} after {Attempts} attempts");
        }
        catch (OperationCanceledException)
        {
            // A newer serial took over, or the server stops.
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<(string, IPEndPoint), CancellationTokenSource>((rule.Zone.Key, target), cancel));
            cancel.Dispose();
        }
    }

    /// <summary>NOTIFY: opcode 4, AA, the zone's SOA as question and (RFC 1996 3.7) the SOA itself as answer; signed when the rule has a key.</summary>
    private byte[] Build(ushort id, ZoneTransferRule rule, ResourceRecord soa)
    {
        var buffer = new byte[DnsWire.HeaderLength + (2 * rule.Zone.WireLength) + 14 + soa.RData.Length + 512];
        DnsWire.WriteUInt16(buffer, 0, id);
        DnsWire.WriteUInt16(buffer, 2, (ushort)((4 << DnsWire.OpcodeShift) | DnsWire.FlagAa));
        DnsWire.WriteUInt16(buffer, 4, 1);
        DnsWire.WriteUInt16(buffer, 6, 1);
        int at = DnsWire.HeaderLength;
        rule.Zone.Wire.CopyTo(buffer.AsSpan(at));
        at += rule.Zone.WireLength;
        DnsWire.WriteUInt16(buffer, at, RecordType.SOA);
        DnsWire.WriteUInt16(buffer, at + 2, RecordClass.IN);
        at += 4;
        soa.Owner.Wire.CopyTo(buffer.AsSpan(at));
        at += soa.Owner.WireLength;
        DnsWire.WriteUInt16(buffer, at, RecordType.SOA);
        DnsWire.WriteUInt16(buffer, at + 2, RecordClass.IN);
        DnsWire.WriteUInt32(buffer, at + 4, soa.Ttl);
        DnsWire.WriteUInt16(buffer, at + 8, (ushort)soa.RData.Length);
        soa.RData.CopyTo(buffer.AsSpan(at + 10));
        at += 10 + soa.RData.Length;
        if (rule.Keys.Count > 0)
        {
            at = Tsig.Sign(buffer, at, rule.Keys[0], [], timersOnly: false, _time.GetUtcNow().ToUnixTimeSeconds(), out _);
        }

        return buffer[..at];
    }
}
