using System.Globalization;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones.RData;

/// <summary>SVCB and HTTPS (RFC 9460): priority, target, SvcParams sorted by key on the wire.</summary>
internal static class SvcbRData
{
    private static readonly string[] KeyNames = ["mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint", "dohpath", "ohttp"];

    public static bool TryGetKey(ReadOnlySpan<char> name, out ushort key)
    {
        for (int i = 0; i < KeyNames.Length; i++)
        {
            if (name.Equals(KeyNames[i], StringComparison.OrdinalIgnoreCase))
            {
                key = (ushort)i;
                return true;
            }
        }

        key = 0;
        return name.Length is > 3 and <= 8 && name.StartsWith("key", StringComparison.OrdinalIgnoreCase) &&
            !name[3..].ContainsAnyExceptInRange('0', '9') &&
            ushort.TryParse(name[3..], NumberStyles.None, CultureInfo.InvariantCulture, out key) && key != 65535;
    }

    public static string KeyName(ushort key) =>
        key < KeyNames.Length ? KeyNames[key] : "key" + key.ToString(CultureInfo.InvariantCulture);

    public static bool Parse(EntryReader r, RDataBuilder b, string type)
    {
        if (!r.ReadUInt16($"{type} priority", out ushort priority) || !r.Next($"{type} target", out var target))
        {
            return false;
        }

        b.UInt16(priority);
        if (!b.Name(r, target, $"{type} target"))
        {
            return false;
        }

        var parameters = new SortedDictionary<ushort, byte[]>();
        var places = new Dictionary<ushort, Token>();
        var scratch = new RDataBuilder();
        Token firstParam = r.AtEnd ? default : r.Current;
        while (!r.AtEnd)
        {
            r.NextKeyValue(out var kv);
            var name = r.Span(kv.Key)[..kv.KeyLength];
            if (!TryGetKey(name, out ushort key))
            {
                return r.Error(kv.Key, $"unknown SvcParam key '{EntryReader.Shorten(name)}'");
            }

            if (parameters.ContainsKey(key))
            {
                return r.Error(kv.Key, $"SvcParam '{KeyName(key)}' given twice");
            }

            scratch.Clear();
            if (!Value(r, scratch, key, kv))
            {
                return false;
            }

            parameters[key] = scratch.ToArray();
            places[key] = kv.Key;
        }

        if (priority == 0 && parameters.Count > 0)
        {
            r.Warning(r.Location(firstParam), $"{type} AliasMode (priority 0) ignores SvcParams");
        }

        if (parameters.ContainsKey(2) && !parameters.ContainsKey(1))
        {
            return r.Error(places[2], "no-default-alpn requires alpn");
        }

        if (parameters.TryGetValue(0, out var mandatory))
        {
            for (int i = 0; i < mandatory.Length; i += 2)
            {
                ushort k = (ushort)((mandatory[i] << 8) | mandatory[i + 1]);
                if (!parameters.ContainsKey(k))
                {
                    return r.Error(places[0], $"mandatory lists '{KeyName(k)}', which is not given");
                }
            }
        }

        foreach (var (key, value) in parameters)
        {
            b.UInt16(key);
            b.UInt16((ushort)value.Length);
            b.Bytes(value);
        }

        return true;
    }

    private static bool Value(EntryReader r, RDataBuilder b, ushort key, KeyValue kv)
    {
        string name = KeyName(key);
        if (key == 2)
        {
            return !kv.HasValue || r.Error(kv.Value, "no-default-alpn takes no value");
        }

        if (!kv.HasValue || (kv.Value.Length == 0 && key < 7))
        {
            return key > 6 || r.Error(kv.Key, $"SvcParam '{name}' needs a value");
        }

        var t = kv.Value;
        var text = r.Span(t);
        switch (key)
        {
            case 0:
                var keys = new SortedSet<ushort>();
                foreach (var range in text.Split(','))
                {
                    if (!TryGetKey(text[range], out ushort k) || k == 0 || !keys.Add(k))
                    {
                        return r.Error(t, $"bad mandatory key list '{EntryReader.Shorten(text)}'");
                    }
                }

                foreach (ushort k in keys)
                {
                    b.UInt16(k);
                }

                return true;
            case 1:
                return Alpn(r, b, t);
            case 3:
                if (!EntryReader.TryParseUInt(text, out ulong port) || port > ushort.MaxValue)
                {
                    return r.Error(t, $"bad port '{EntryReader.Shorten(text)}'");
                }

                b.UInt16((ushort)port);
                return true;
            case 4:
                foreach (var range in text.Split(','))
                {
                    if (!BasicRData.TryParseIPv4(text[range], b.Reserve(4)))
                    {
                        return r.Error(t, $"bad ipv4hint address '{EntryReader.Shorten(text[range])}'");
                    }
                }

                return true;
            case 6:
                foreach (var range in text.Split(','))
                {
                    if (!BasicRData.TryParseIPv6(text[range], out var address))
                    {
                        return r.Error(t, $"bad ipv6hint address '{EntryReader.Shorten(text[range])}'");
                    }

                    address.TryWriteBytes(b.Reserve(16), out _);
                }

                return true;
            case 5:
                return KeyRData.Base64(r, t, text.ToString(), b, "ech");
            default:
                return b.Unescaped(r, t, name);
        }
    }

    /// <summary>
    /// alpn (RFC 9460 appendix A.1): the value is unescaped as a character-string first, then
    /// split at commas not escaped by a backslash; each protocol id is 1 to 255 octets.
    /// </summary>
    private static bool Alpn(EntryReader r, RDataBuilder b, Token t)
    {
        var raw = new RDataBuilder();
        if (!raw.Unescaped(r, t, "alpn"))
        {
            return false;
        }

        var bytes = raw.Written;
        int lengthAt = b.Length;
        b.Byte(0);
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)',')
            {
                int length = b.Length - lengthAt - 1;
                if (length is 0 or > 255)
                {
                    return r.Error(t, "each alpn protocol id must be 1 to 255 octets");
                }

                b.PatchByte(lengthAt, (byte)length);
                if (i < bytes.Length)
                {
                    lengthAt = b.Length;
                    b.Byte(0);
                }

                continue;
            }

            if (bytes[i] == (byte)'\\' && i + 1 < bytes.Length)
            {
                i++;
            }

            b.Byte(bytes[i]);
        }

        return true;
    }
}
