using System.Globalization;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Zones.Parsing;

/// <summary>A <c>key=value</c> field: the key token, whether '=' was written, the value token.</summary>
internal readonly record struct KeyValue(Token Key, int KeyLength, bool HasValue, Token Value);

/// <summary>
/// A cursor over the tokens of one entry with the helpers every field parser needs: numbers,
/// TTLs, names, and error reporting at the token's file:line:column. A failed read reports
/// one error and returns false; the caller then abandons the entry.
/// </summary>
internal sealed class EntryReader
{
    private readonly List<ZoneDiagnostic> _diagnostics;
    private List<Token> _tokens = [];

    public EntryReader(List<ZoneDiagnostic> diagnostics)
    {
        _diagnostics = diagnostics;
    }

    public string Text { get; private set; } = string.Empty;

    public string File { get; private set; } = string.Empty;

    public DnsName? Origin { get; set; }

    public int Index { get; set; }

    public int Count => _tokens.Count;

    public bool AtEnd => Index >= _tokens.Count;

    public Token Current => _tokens[Index];

    public void Reset(string text, string file, List<Token> tokens, DnsName? origin)
    {
        Text = text;
        File = file;
        _tokens = tokens;
        Origin = origin;
        Index = 0;
    }

    public Token this[int index] => _tokens[index];

    public ReadOnlySpan<char> Span(Token token) => Text.AsSpan(token.Start, token.Length);

    public string String(Token token) => Text.Substring(token.Start, token.Length);

    public SourceLocation Location(Token token) => new(File, token.Line, token.Column);

    /// <summary>Where a missing field would have been: just after the last token.</summary>
    public SourceLocation EndLocation()
    {
        if (_tokens.Count == 0)
        {
            return new SourceLocation(File, 1, 1);
        }

        var last = _tokens[^1];
        return new SourceLocation(File, last.Line, last.Column + last.Length + (last.Quoted ? 2 : 0));
    }

    public bool Error(Token token, string message)
    {
        _diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, Location(token), message));
        return false;
    }

    public bool Error(SourceLocation location, string message)
    {
        _diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, location, message));
        return false;
    }

    public void Warning(SourceLocation location, string message) =>
        _diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Warning, location, message));

    /// <summary>Takes the next token, or reports "missing &lt;what&gt;".</summary>
    public bool Next(string what, out Token token)
    {
        if (Index < _tokens.Count)
        {
            token = _tokens[Index++];
            return true;
        }

        token = default;
        return Error(EndLocation(), $"missing {what}");
    }

    /// <summary>Reports the first unread token as trailing garbage, if any.</summary>
    public bool ExpectEnd()
    {
        if (Index < _tokens.Count)
        {
            var t = _tokens[Index];
            return Error(t, $"trailing garbage '{Shorten(Span(t))}'");
        }

        return true;
    }

    public bool ReadUInt8(string what, out byte value)
    {
        value = 0;
        if (!ReadUInt32(what, byte.MaxValue, out uint v))
        {
            return false;
        }

        value = (byte)v;
        return true;
    }

    public bool ReadUInt16(string what, out ushort value)
    {
        value = 0;
        if (!ReadUInt32(what, ushort.MaxValue, out uint v))
        {
            return false;
        }

        value = (ushort)v;
        return true;
    }

    public bool ReadUInt32(string what, uint max, out uint value)
    {
        value = 0;
        if (!Next(what, out var t))
        {
            return false;
        }

        return ParseUInt(t, what, max, out value);
    }

    public bool ParseUInt(Token t, string what, uint max, out uint value)
    {
        if (!TryParseUInt(Span(t), out ulong v) || v > max)
        {
            value = 0;
            return Error(t, $"bad {what} '{Shorten(Span(t))}': expected an integer from 0 to {max}");
        }

        value = (uint)v;
        return true;
    }

    /// <summary>A TTL-like value: seconds or units (1h30m, 1w, 2d), limited to <paramref name="max"/>.</summary>
    public bool ReadTtl(string what, uint max, out uint value)
    {
        value = 0;
        return Next(what, out var t) && ParseTtl(t, what, max, out value);
    }

    public bool ParseTtl(Token t, string what, uint max, out uint value)
    {
        var result = TimeValues.TryParseTtl(Span(t), out ulong v);
        if (result != null)
        {
            value = 0;
            return Error(t, $"bad {what} '{Shorten(Span(t))}': {result}");
        }

        if (v > max)
        {
            value = 0;
            return Error(t, $"{what} {v} is over the maximum {max}");
        }

        value = (uint)v;
        return true;
    }

    /// <summary>Parses a domain name token (relative to the origin) to its wire form.</summary>
    public bool ParseNameWire(Token t, string what, Span<byte> destination, out int length)
    {
        if (t.Quoted)
        {
            length = 0;
            return Error(t, $"bad {what}: a name cannot be a quoted string");
        }

        if (!DnsName.TryWriteWire(Span(t), Origin, destination, out length, out var error))
        {
            return Error(t, $"bad {what}: {error}");
        }

        return true;
    }

    public bool ReadName(string what, out DnsName name)
    {
        name = DnsName.Root;
        if (!Next(what, out var t))
        {
            return false;
        }

        return ParseName(t, what, out name);
    }

    /// <param name="store">Where the name's wire form goes, shared with other names (record owners); null: its own array.</param>
    public bool ParseName(Token t, string what, out DnsName name, NameStore? store = null)
    {
        name = DnsName.Root;
        if (t.Quoted)
        {
            return Error(t, $"bad {what}: a name cannot be a quoted string");
        }

        if (!DnsName.TryParse(Span(t), Origin, store, out var parsed, out var error))
        {
            return Error(t, $"bad {what}: {error}");
        }

        name = parsed;
        return true;
    }

    /// <summary>
    /// Reads <c>key=value</c>, <c>key="quoted value"</c> or a bare <c>key</c>. The value token
    /// points into the text after '=' (or at the quoted string written right after it).
    /// </summary>
    public bool NextKeyValue(out KeyValue kv)
    {
        var t = _tokens[Index++];
        var span = Span(t);
        int eq = t.Quoted ? -1 : span.IndexOf('=');
        if (eq < 0)
        {
            kv = new KeyValue(t, t.Length, false, default);
            return true;
        }

        var key = t with { Length = eq };
        if (eq == span.Length - 1 && Index < _tokens.Count && _tokens[Index].Quoted && _tokens[Index].Start == t.End + 1)
        {
            kv = new KeyValue(key, eq, true, _tokens[Index++]);
            return true;
        }

        var value = new Token(t.Start + eq + 1, t.Length - eq - 1, t.Line, t.Column + eq + 1, false);
        kv = new KeyValue(key, eq, true, value);
        return true;
    }

    public static bool TryParseUInt(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        if (s.Length is 0 or > 19)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (uint)(c - '0');
        }

        return true;
    }

    public static string Shorten(ReadOnlySpan<char> s) =>
        s.Length <= 40 ? s.ToString() : string.Concat(s[..37], "...");

    public static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
