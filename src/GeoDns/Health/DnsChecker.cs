using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;

namespace GeoDns.Health;

/// <summary>
/// <c>dns</c>: asks the member (over UDP, port 53 unless <c>port=</c>) for <c>name</c>/<c>type</c>;
/// up when the response's rcode is <c>rcode</c> (NOERROR by default) and, with <c>answer=</c>,
/// the answer section holds that address or name.
/// </summary>
public sealed class DnsChecker : IHealthChecker
{
    public IReadOnlyCollection<CheckKind> Kinds { get; } = [DnsCheck.Kind];

    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        var settings = target.Settings;
        long start = Stopwatch.GetTimestamp();
        try
        {
            var address = await ProbeAddress.ResolveAsync(target.Address, cancellationToken).ConfigureAwait(false);
            var name = DnsName.Parse(settings.Get(DnsCheck.Name), DnsName.Root);
            ushort id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
            using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            await socket.ConnectAsync(new IPEndPoint(address, settings.Port), cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(DnsProbeMessage.BuildQuery(id, name, settings.Get(DnsCheck.Type)), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[65535];
            while (true)
            {
                int received = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (DnsProbeMessage.TryReadResponse(buffer.AsSpan(0, received), id, out int rcode, out var answers))
                {
                    return Judge(settings, rcode, answers, Stopwatch.GetElapsedTime(start));
                }
            }
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail(Stopwatch.GetElapsedTime(start), $"dns: {ProbeAddress.Describe(e)}");
        }
    }

    private static ProbeResult Judge(CheckSettings settings, int rcode, List<string> answers, TimeSpan latency)
    {
        int expectedRcode = settings.Get(DnsCheck.Rcode);
        if (rcode != expectedRcode)
        {
            return ProbeResult.Fail(latency, $"rcode {RcodeName(rcode)}, expected {RcodeName(expectedRcode)}");
        }

        if (settings.Get(DnsCheck.Answer) is { } expected && !answers.Any(a => Matches(a, expected)))
        {
            return ProbeResult.Fail(latency, $"answer lacks {expected} (got {(answers.Count == 0 ? "none" : string.Join(' ', answers))})");
        }

        return ProbeResult.Ok(latency, $"rcode {RcodeName(rcode)}, {answers.Count} answers in {ProbeAddress.Milliseconds(latency)}");
    }

    private static bool Matches(string answer, string expected) =>
        IPAddress.TryParse(expected, out var address)
            ? IPAddress.TryParse(answer, out var got) && got.Equals(address)
            : string.Equals(answer.TrimEnd('.'), expected.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    private static string RcodeName(int rcode) => DnsCheck.RcodeName(rcode);
}
