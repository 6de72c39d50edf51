using System.Buffers.Binary;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Core.Zones;

/// <summary>What reading an included file produced: its text, or why it could not be read.</summary>
internal readonly record struct IncludeText(string? Text, string? Error);

/// <summary>
/// Parses one zone file and its includes into records, traffic definitions and diagnostics.
/// Every error is reported with its place and parsing resumes at the next entry.
/// </summary>
internal sealed partial class ZoneParser
{
    private readonly List<ZoneDiagnostic> _diagnostics = [];
    private readonly List<ZoneEntry> _records = [];
    private readonly RDataBuilder _rdata = new();
    private readonly Func<string, IncludeText> _readInclude;
    private readonly List<string> _includeStack = [];
    private readonly EntryReader _reader;
    private readonly ITrafficVocabulary _vocabulary;

    // Owner names share blocks: a million owners are a million objects and a few hundred arrays.
    // Other names ($ORIGIN, traffic definitions) get arrays of their own: the served zone keeps them.
    private readonly NameStore _owners = new();

    private DnsName? _origin;
    private uint? _defaultTtl;
    private uint? _soaMinimum;
    private bool _warnedSoaMinimum;
    private DnsName? _lastOwner;
    private string? _lastOwnerText;
    private int _lastOwnerStart;
    private int _lastOwnerLength;
    private DnsName? _lastOwnerOrigin;

    public ZoneParser(DnsName? origin, Func<string, IncludeText> readInclude, ITrafficVocabulary vocabulary)
    {
        _origin = origin;
        ZoneOrigin = origin;
        _readInclude = readInclude;
        _reader = new EntryReader(_diagnostics);
        _vocabulary = vocabulary;
        Traffic = new TrafficSyntax(_diagnostics, vocabulary);
    }

    /// <summary>The zone's apex: given, else the first $ORIGIN, else the SOA owner.</summary>
    public DnsName? ZoneOrigin { get; private set; }

    public List<ZoneDiagnostic> Diagnostics => _diagnostics;

    public List<ZoneEntry> Records => _records;

    public TrafficSyntax Traffic { get; }

    public void ParseText(string text, string file)
    {
        _includeStack.Add(NormalizePath(file));
        if (_records.Count == 0)
        {
            _records.Capacity = Math.Max(_records.Capacity, text.AsSpan().Count('\n') + 1);
        }

        ParseEntries(text, file, new ZoneTokenizer(text, file, _diagnostics), int.MaxValue);
        EndOfFile(file);
    }

    private void EndOfFile(string file)
    {
        _includeStack.RemoveAt(_includeStack.Count - 1);
        if (_includeStack.Count == 0)
        {
            // Let the file text go before validation: for a big zone it is the largest object.
            _reader.Reset(string.Empty, file, [], _origin);
            _lastOwnerText = null;
        }
    }

    /// <summary>
    /// Reads entries until the tokenizer's end, or until it reaches <paramref name="stopAt"/> at
    /// the start of a line that names its owner (where a chunk may begin).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ParseEntries(string text, string file, ZoneTokenizer tokenizer, int stopAt)
    {
        var tokens = new List<Token>(16);
        while (tokenizer.ReadEntry(tokens))
        {
            if (!tokenizer.EntryHadError)
            {
                _reader.Reset(text, file, tokens, _origin);
                var first = tokens[0];
                try
                {
                    if (!tokenizer.StartsWithBlank && !first.Quoted && text[first.Start] == '$')
                    {
                        if (!StateMayChange())
                        {
                            return;
                        }

                        Directive(file);
                    }
                    else
                    {
                        Record(tokenizer.StartsWithBlank);
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug in a field parser must not take the loader down: report it at the entry.
                    _reader.Error(first, $"internal error while reading this entry: {e.GetType().Name}: {e.Message}");
                }
            }

            if (_speculative && (Abandoned || _diagnostics.Count > 0))
            {
                Abandoned = true;
                return;
            }

            if (tokenizer.Position >= stopAt && tokenizer.Position < text.Length && StartsOwnerLine(text[tokenizer.Position]))
            {
                return;
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Record(bool inheritOwner)
    {
        var r = _reader;
        var first = r[0];
        var location = r.Location(first);
        DnsName owner;
        if (inheritOwner)
        {
            if (_lastOwner is null)
            {
                r.Error(first, "this line starts with a blank, but no earlier record gave an owner to inherit");
                return;
            }

            owner = _lastOwner;
        }
        else
        {
            r.Index = 1;
            if (!ParseOwner(first, out owner))
            {
                return;
            }
        }

        uint? ttl = null;
        bool haveClass = false;
        while (!r.AtEnd)
        {
            var t = r.Current;
            var span = r.Span(t);
            if (t.Quoted)
            {
                break;
            }

            if (span[0] == '-' && span.Length > 1 && char.IsAsciiDigit(span[1]))
            {
                // A number where the TTL goes: no type starts with '-' (otherwise "unknown type '-5'").
                r.Error(t, $"bad TTL '{EntryReader.Shorten(span)}': a TTL cannot be negative (0 to {TimeValues.MaxTtl} seconds, or units s, m, h, d, w)");
                return;
            }

            if (char.IsAsciiDigit(span[0]))
            {
                if (ttl is not null)
                {
                    r.Error(t, "a second TTL in one record");
                    return;
                }

                if (!r.ParseTtl(t, "TTL", TimeValues.MaxTtl, out uint value))
                {
                    return;
                }

                ttl = value;
                r.Index++;
                continue;
            }

            if (RecordTypeNames.TryGetClass(span, out ushort cls))
            {
                if (haveClass)
                {
                    r.Error(t, "a second class in one record");
                    return;
                }

                if (cls != RecordClass.IN)
                {
                    r.Error(t, $"class {span} is not supported: GeoDns serves only class IN");
                    return;
                }

                haveClass = true;
                r.Index++;
                continue;
            }

            break;
        }

        if (!r.Next("record type", out var typeToken))
        {
            return;
        }

        var typeText = r.Span(typeToken);
        if (typeText.Equals("POOL", StringComparison.OrdinalIgnoreCase))
        {
            if (!StateMayChange())
            {
                return;
            }

            Traffic.ParsePool(r, owner, ttl ?? DefaultTtl(r, location, isSoa: false) ?? 0, location);
            return;
        }

        if (typeText.Equals("MEMBER", StringComparison.OrdinalIgnoreCase))
        {
            if (!StateMayChange())
            {
                return;
            }

            Traffic.ParseMember(r, owner, location);
            return;
        }

        if (typeToken.Quoted || !RecordTypes.TryParse(typeText, out ushort type))
        {
            r.Error(typeToken, $"unknown record type '{EntryReader.Shorten(typeText)}'");
            return;
        }

        if (type == RecordType.SOA && !StateMayChange())
        {
            return;
        }

        if (RecordTypes.IsMeta(type))
        {
            r.Error(typeToken, $"{RecordTypes.Mnemonic(type)} is a meta or query type and cannot be zone data");
            return;
        }

        if (!RDataParser.Parse(type, r, _rdata))
        {
            return;
        }

        var rdata = _rdata.ToArray();
        if (type == RecordType.SOA)
        {
            uint minimum = BinaryPrimitives.ReadUInt32BigEndian(rdata.AsSpan(rdata.Length - 4));
            _soaMinimum ??= minimum;
            if (ZoneOrigin is null)
            {
                ZoneOrigin = owner;
                _origin ??= owner;
            }

            ttl ??= _defaultTtl ?? Math.Min(minimum, TimeValues.MaxTtl);
        }

        ttl ??= DefaultTtl(r, location, isSoa: false);
        if (ttl is null)
        {
            return;
        }

        _records.Add(new ZoneEntry(new ResourceRecord(owner, type, RecordClass.IN, ttl.Value, rdata), location));
    }

    /// <summary>$TTL, else (RFC 2308 legacy) the SOA minimum with a warning, else an error.</summary>
    private uint? DefaultTtl(EntryReader r, SourceLocation location, bool isSoa)
    {
        if (_defaultTtl is { } ttl)
        {
            return ttl;
        }

        if (!StateMayChange())
        {
            return null;
        }

        if (_soaMinimum is { } minimum && !isSoa)
        {
            if (!_warnedSoaMinimum)
            {
                _warnedSoaMinimum = true;
                r.Warning(location, $"no $TTL: records without a TTL use the SOA minimum ({minimum}) (RFC 2308 legacy)");
            }

            return Math.Min(minimum, TimeValues.MaxTtl);
        }

        r.Error(location, "no TTL: give one in the record, with $TTL, or put the SOA first");
        return null;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool ParseOwner(Token t, out DnsName owner)
    {
        var r = _reader;
        var span = r.Span(t);
        if (_lastOwner is not null && ReferenceEquals(_lastOwnerOrigin, _origin) && _lastOwnerText is not null &&
            span.SequenceEqual(_lastOwnerText.AsSpan(_lastOwnerStart, _lastOwnerLength)))
        {
            owner = _lastOwner;
            return true;
        }

        if (!r.ParseName(t, "owner name", out owner, _owners))
        {
            return false;
        }

        _lastOwner = owner;
        _lastOwnerText = r.Text;
        _lastOwnerStart = t.Start;
        _lastOwnerLength = t.Length;
        _lastOwnerOrigin = _origin;
        return true;
    }

    private static string NormalizePath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }
}
