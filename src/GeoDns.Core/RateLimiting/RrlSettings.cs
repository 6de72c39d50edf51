using System.Net;
using GeoDns.Core.Wire;

namespace GeoDns.Core.RateLimiting;

/// <summary>Response rate limiting settings (configuration section <c>Rrl</c>); off while <see cref="ResponsesPerSecond"/> is 0.</summary>
public sealed class RrlSettings
{
    /// <summary>Responses per second per client prefix and answer; 0 turns rate limiting off.</summary>
    public int ResponsesPerSecond { get; set; }

    /// <summary>Seconds of debt a flooding prefix accumulates (it stays limited this long after the flood).</summary>
    public int Window { get; set; } = 15;

    /// <summary>Every Nth limited response goes out truncated (TC=1); 0 drops them all, 1 truncates them all.</summary>
    public int Slip { get; set; } = 2;

    public int Ipv4Prefix { get; set; } = 24;

    public int Ipv6Prefix { get; set; } = 56;

    /// <summary>Client prefixes never limited (CIDR, or an address).</summary>
    public List<string> Whitelist { get; set; } = [];

    /// <summary>Buckets in the table (rounded up to a power of two); 8 bytes + 4 bytes each.</summary>
    public int TableSize { get; set; } = 65536;

    public bool Enabled => ResponsesPerSecond > 0;

    /// <summary>Throws <see cref="FormatException"/> naming the setting and its value.</summary>
    public void Validate()
    {
        if (ResponsesPerSecond is < 0 or > 100_000)
        {
            throw new FormatException($"Rrl:ResponsesPerSecond {ResponsesPerSecond}: give 0 (off) to 100000");
        }

        if (Window is < 1 or > 3600 || (long)ResponsesPerSecond * Window >= 1 << 21)
        {
            throw new FormatException($"Rrl:Window {Window}: give 1 to 3600 seconds, with ResponsesPerSecond x Window below 2097152");
        }

        if (Slip is < 0 or > 10)
        {
            throw new FormatException($"Rrl:Slip {Slip}: give 0 (drop all) to 10");
        }

        if (Ipv4Prefix is < 0 or > 32)
        {
            throw new FormatException($"Rrl:Ipv4Prefix {Ipv4Prefix}: give 0 to 32");
        }

        if (Ipv6Prefix is < 0 or > 128)
        {
            throw new FormatException($"Rrl:Ipv6Prefix {Ipv6Prefix}: give 0 to 128");
        }

        if (TableSize is < 1 or > 1 << 24)
        {
            throw new FormatException($"Rrl:TableSize {TableSize}: give 1 to 16777216");
        }

        _ = WhitelistNetworks().Count();
    }

    /// <summary>The whitelist parsed, each network with its host bits cleared.</summary>
    public IEnumerable<(ClientAddress Network, int Prefix)> WhitelistNetworks()
    {
        foreach (var entry in Whitelist)
        {
            string text = entry.Trim();
            if (!IPNetwork.TryParse(text, out var network))
            {
                if (!IPAddress.TryParse(text, out var single))
                {
                    throw new FormatException($"Rrl:Whitelist '{entry}': give a CIDR prefix such as 192.0.2.0/24 or an address");
                }

                network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            }

            var address = ClientAddress.FromIPAddress(network.BaseAddress);
            int prefix = network.PrefixLength;
            if (network.BaseAddress.IsIPv4MappedToIPv6)
            {
                prefix = Math.Max(0, prefix - 96);
            }

            yield return (address.Masked(prefix), prefix);
        }
    }
}
