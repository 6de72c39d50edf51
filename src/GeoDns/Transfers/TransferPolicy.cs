using System.Net;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Transfers;

/// <summary>One zone's transfer rule, checked: its keys, source networks and NOTIFY targets.</summary>
public sealed record ZoneTransferRule(DnsName Zone, IReadOnlyList<TsigKey> Keys, IReadOnlyList<IPNetwork> Networks, IReadOnlyList<IPEndPoint> Notify)
{
    public bool Allows(ClientAddress source)
    {
        if (Networks.Count == 0)
        {
            return true;
        }

        var address = source.ToIPAddress();
        return Networks.Any(n => n.Contains(address));
    }
}

/// <summary>
/// Every zone's transfer rule and the keys, read and checked when the server starts: a rule
/// naming an unknown key, a malformed network or target, or a key file that does not parse stops
/// the start with one message (file:line for the key file).
/// </summary>
public sealed class TransferPolicy
{
    private readonly Dictionary<string, ZoneTransferRule> _rules;

    private TransferPolicy(IReadOnlyDictionary<string, TsigKey> keys, Dictionary<string, ZoneTransferRule> rules)
    {
        Keys = keys;
        _rules = rules;
    }

    public static TransferPolicy None { get; } = new(new Dictionary<string, TsigKey>(), []);

    /// <summary>Every key of the key file, by <see cref="DnsName.Key"/>.</summary>
    public IReadOnlyDictionary<string, TsigKey> Keys { get; }

    public IReadOnlyCollection<ZoneTransferRule> Rules => _rules.Values;

    public bool IsEmpty => _rules.Count == 0 && Keys.Count == 0;

    public ZoneTransferRule? RuleFor(DnsName zone) => _rules.GetValueOrDefault(zone.Key);

    /// <exception cref="FormatException">A setting that cannot be used, named with its value.</exception>
    public static TransferPolicy Read(TsigOptions tsig, IReadOnlyDictionary<string, TransferRule> transfer)
    {
        var keys = string.IsNullOrWhiteSpace(tsig.KeyFile) ? new Dictionary<string, TsigKey>() : TsigKeyFile.Load(tsig.KeyFile);
        var rules = new Dictionary<string, ZoneTransferRule>(StringComparer.Ordinal);
        foreach (var (zoneText, rule) in transfer)
        {
            string where = $"Transfer:{zoneText}";
            if (!DnsName.TryParse(zoneText.EndsWith('.') ? zoneText : zoneText + ".", null, out var zone, out string? error))
            {
                throw new FormatException($"{where}: '{zoneText}' is not a zone name: {error}");
            }

            if (rule.Keys.Count == 0)
            {
                throw new FormatException($"{where}:Keys: name at least one TSIG key (a transfer must be signed)");
            }

            var ruleKeys = new List<TsigKey>();
            foreach (string name in rule.Keys)
            {
                if (!DnsName.TryParse(name.EndsWith('.') ? name : name + ".", null, out var keyName, out _) ||
                    !keys.TryGetValue(keyName.Key, out var key))
                {
                    throw new FormatException($"{where}:Keys: key '{name}' is not in the key file ({tsig.KeyFile ?? "Tsig:KeyFile is not set"})");
                }

                ruleKeys.Add(key);
            }

            var networks = new List<IPNetwork>();
            foreach (string text in rule.Addresses)
            {
                string cidr = text.Contains('/', StringComparison.Ordinal) ? text
                    : IPAddress.TryParse(text, out var single) ? $"{text}/{(single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}" : text;
                if (!IPNetwork.TryParse(cidr, out var network))
                {
                    throw new FormatException($"{where}:Addresses: '{text}' is not an address or network (CIDR)");
                }

                networks.Add(network);
            }

            var targets = new List<IPEndPoint>();
            foreach (string text in rule.Notify)
            {
                if (!IPEndPoint.TryParse(text, out var target) || target.Port == 0)
                {
                    throw new FormatException($"{where}:Notify: '{text}' is not ADDR:PORT or [V6]:PORT");
                }

                targets.Add(target);
            }

            if (!rules.TryAdd(zone.Key, new ZoneTransferRule(zone, ruleKeys, networks, targets)))
            {
                throw new FormatException($"{where}: the zone has two rules");
            }
        }

        return new TransferPolicy(keys, rules);
    }
}
