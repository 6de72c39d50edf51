using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones;

/// <summary>
/// A large file read on every core: the head (directives, SOA) in order, then the rest in
/// chunks parsed at once, each by a parser that starts from the head's state. A chunk that
/// meets anything that would change that state (a directive, an SOA, a pool, a record needing
/// a default TTL) or any error gives up, and it and everything after it are read again in
/// order, so diagnostics and results are those of a sequential read.
/// </summary>
internal sealed partial class ZoneParser
{
    /// <summary>Files below this many characters are read on one core: starting threads would cost more.</summary>
    internal const int ChunkedParseThreshold = 4 * 1024 * 1024;

    /// <summary>Characters read in order before the chunks: the directives and SOA come first in a large zone.</summary>
    internal const int HeadLength = 64 * 1024;

    private readonly bool _speculative;

    /// <summary>A parser for a chunk read ahead of its turn, from <paramref name="head"/>'s state at the end of the head.</summary>
    private ZoneParser(ZoneParser head, int expectedRecords)
        : this(head._origin, head._readInclude, head._vocabulary)
    {
        _speculative = true;
        ZoneOrigin = head.ZoneOrigin;
        _defaultTtl = head._defaultTtl;
        _soaMinimum = head._soaMinimum;
        _warnedSoaMinimum = head._warnedSoaMinimum;
        _records.Capacity = expectedRecords;
    }

    /// <summary>Set when a chunk read ahead met something it cannot read out of order.</summary>
    private bool Abandoned { get; set; }

    /// <summary>How many chunks read ahead on other cores were kept (the rest were read again in order).</summary>
    internal int ChunksKept { get; private set; }

    /// <summary>Parses a whole zone file, in chunks on every core when it is large (see the type's summary).</summary>
    public void ParseFile(string text, string file, ChunkedParse chunking)
    {
        int chunks = chunking.Chunks;
        if (text.Length < chunking.Threshold || chunks < 2)
        {
            ParseText(text, file);
            return;
        }

        _includeStack.Add(NormalizePath(file));
        _records.Capacity = Math.Max(_records.Capacity, text.AsSpan().Count('\n') + 1);
        var tokenizer = new ZoneTokenizer(text, file, _diagnostics);
        ParseEntries(text, file, tokenizer, chunking.HeadLength);
        int start = tokenizer.Position;
        int line = tokenizer.Line;
        if (start < text.Length && ZoneOrigin is not null && _origin is not null && _diagnostics.Count == 0)
        {
            ParseChunks(text, file, start, line, chunks);
        }
        else if (start < text.Length)
        {
            ParseEntries(text, file, new ZoneTokenizer(text, file, _diagnostics, start, text.Length, line), int.MaxValue);
        }

        EndOfFile(file);
    }

    private void ParseChunks(string text, string file, int start, int line, int count)
    {
        // Chunk boundaries fall on lines that name an owner; one inside a parenthesized entry makes
        // the chunk before it end with an unclosed '(' (an error: it is read again in order).
        var starts = new List<int> { start };
        var lines = new List<int> { line };
        int size = (text.Length - start) / count;
        for (int k = 1; k < count; k++)
        {
            int next = NextOwnerLine(text, Math.Max(starts[^1] + 1, start + (k * size)));
            if (next < 0)
            {
                break;
            }

            lines.Add(lines[^1] + text.AsSpan(starts[^1], next - starts[^1]).Count('\n'));
            starts.Add(next);
        }

        starts.Add(text.Length);
        var parsers = new ZoneParser[lines.Count];
        Parallel.For(0, parsers.Length, new ParallelOptions { MaxDegreeOfParallelism = count }, k =>
        {
            int end = starts[k + 1];
            var parser = new ZoneParser(this, text.AsSpan(starts[k], end - starts[k]).Count('\n') + 1);
            parser._includeStack.AddRange(_includeStack);
            parser.ParseEntries(text, file, new ZoneTokenizer(text, file, parser._diagnostics, starts[k], end, lines[k]), int.MaxValue);
            parsers[k] = parser;
        });

        for (int k = 0; k < parsers.Length; k++)
        {
            if (parsers[k].Abandoned || parsers[k]._diagnostics.Count > 0)
            {
                // Read it and the rest in order: what stopped it is handled (or reported) as usual.
                ParseEntries(text, file, new ZoneTokenizer(text, file, _diagnostics, starts[k], text.Length, lines[k]), int.MaxValue);
                return;
            }

            _records.AddRange(parsers[k]._records);
            ChunksKept++;
        }
    }

    /// <summary>
    /// True unless this parser reads a chunk ahead of its turn: then the entry would change state
    /// the chunks after it depend on, so the chunk gives up (it is read again in order).
    /// </summary>
    private bool StateMayChange()
    {
        if (_speculative)
        {
            Abandoned = true;
        }

        return !_speculative;
    }

    /// <summary>The start of the first line at or after <paramref name="from"/> that begins with an owner name, or -1.</summary>
    private static int NextOwnerLine(string text, int from)
    {
        int pos = from;
        while (true)
        {
            int newline = text.IndexOf('\n', pos);
            if (newline < 0 || newline + 1 >= text.Length)
            {
                return -1;
            }

            if (StartsOwnerLine(text[newline + 1]))
            {
                return newline + 1;
            }

            pos = newline + 1;
        }
    }

    /// <summary>A line starting with this character names its owner: not a blank, comment, directive, parenthesis or quote.</summary>
    private static bool StartsOwnerLine(char c) => c is not (' ' or '\t' or '\r' or '\n' or ';' or '$' or '(' or ')' or '"');
}

/// <summary>How a zone file is split across cores: into <see cref="Chunks"/> when it has <see cref="Threshold"/> characters or more.</summary>
internal readonly record struct ChunkedParse(int Chunks, int Threshold, int HeadLength)
{
    public static ChunkedParse OnEveryCore => new(Math.Min(Environment.ProcessorCount, 8), ZoneParser.ChunkedParseThreshold, ZoneParser.HeadLength);

    public static ChunkedParse Never => new(1, int.MaxValue, 0);
}
