namespace GeoDns.Core.Zones.Parsing;

/// <summary>A token of a master file: a slice of the file text and where it starts.</summary>
internal readonly record struct Token(int Start, int Length, int Line, int Column, bool Quoted)
{
    public int End => Start + Length;
}

/// <summary>
/// Splits master-file text (RFC 1035 section 5.1) into entries: one line, or several lines
/// joined by parentheses. Handles comments, quoted strings (token = the text between the
/// quotes, escapes left for the consumer) and backslash escapes in unquoted tokens. Works on
/// the file text in place: no strings are allocated per token.
/// </summary>
internal sealed class ZoneTokenizer
{
    private readonly string _text;
    private readonly string _file;
    private readonly List<ZoneDiagnostic> _diagnostics;
    private readonly int _end;
    private int _pos;
    private int _line;
    private int _lineStart;

    /// <summary>Reads <paramref name="text"/> from <paramref name="start"/> (a line start, line number <paramref name="line"/>) to <paramref name="end"/>.</summary>
    public ZoneTokenizer(string text, string file, List<ZoneDiagnostic> diagnostics, int start = 0, int end = -1, int line = 1)
    {
        _text = text;
        _file = file;
        _diagnostics = diagnostics;
        _end = end < 0 ? text.Length : end;
        _pos = start;
        _lineStart = start;
        _line = line;
        if (start == 0 && _end > 0 && text[0] == '\uFEFF')
        {
            _pos = 1;
            _lineStart = 1;
        }
    }

    /// <summary>Where the next entry starts reading: after an entry, the start of the line that follows it.</summary>
    public int Position => _pos;

    /// <summary>The line number at <see cref="Position"/>.</summary>
    public int Line => _line;

    /// <summary>True when the entry last returned had a lexical error (already reported).</summary>
    public bool EntryHadError { get; private set; }

    /// <summary>True when the entry last returned started with a blank (owner inherited).</summary>
    public bool StartsWithBlank { get; private set; }

    /// <summary>Reads the next non-empty entry into <paramref name="tokens"/>; false at end of text.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool ReadEntry(List<Token> tokens)
    {
        tokens.Clear();
        EntryHadError = false;
        string text = _text;
        bool atLineStart = true;
        bool inParens = false;
        int parenLine = 0;
        int parenColumn = 0;
        int end = _end;
        while (_pos < end)
        {
            if (atLineStart)
            {
                atLineStart = false;
                if (tokens.Count == 0 && !inParens)
                {
                    StartsWithBlank = text[_pos] is ' ' or '\t';
                }
            }

            char c = text[_pos];
            switch (c)
            {
                case ' ' or '\t' or '\r':
                    _pos++;
                    continue;
                case ';':
                    int nl = text.IndexOf('\n', _pos, end - _pos);
                    _pos = nl < 0 ? end : nl;
                    continue;
                case '\n':
                    _pos++;
                    _line++;
                    _lineStart = _pos;
                    atLineStart = true;
                    if (!inParens && tokens.Count > 0)
                    {
                        return true;
                    }

                    if (!inParens)
                    {
                        EntryHadError = false;
                    }

                    continue;
                case '(':
                    if (inParens)
                    {
                        Report(_line, Column(_pos), "nested '(': parentheses do not nest in master files");
                    }
                    else
                    {
                        inParens = true;
                        parenLine = _line;
                        parenColumn = Column(_pos);
                    }

                    _pos++;
                    continue;
                case ')':
                    if (!inParens)
                    {
                        Report(_line, Column(_pos), "')' without a matching '('");
                    }

                    inParens = false;
                    _pos++;
                    continue;
                case '"':
                    ReadQuoted(tokens);
                    continue;
                default:
                    ReadPlain(tokens);
                    continue;
            }
        }

        if (inParens)
        {
            Report(parenLine, parenColumn, "'(' is never closed (the entry runs to the end of the file)");
            tokens.Clear();
            return false;
        }

        return tokens.Count > 0;
    }

    private int Column(int pos) => pos - _lineStart + 1;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ReadPlain(List<Token> tokens)
    {
        string text = _text;
        int end = _end;
        int start = _pos;
        int i = start;
        while (i < end)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n' or ';' or '(' or ')' or '"')
            {
                break;
            }

            if (c == '\\' && i + 1 < end && text[i + 1] != '\n')
            {
                i += 2;
                continue;
            }

            i++;
        }

        tokens.Add(new Token(start, i - start, _line, Column(start), false));
        _pos = i;
    }

    private void ReadQuoted(List<Token> tokens)
    {
        string text = _text;
        int end = _end;
        int quote = _pos;
        int i = quote + 1;
        while (i < end)
        {
            char c = text[i];
            if (c == '"')
            {
                tokens.Add(new Token(quote + 1, i - quote - 1, _line, Column(quote), true));
                _pos = i + 1;
                return;
            }

            if (c == '\n')
            {
                break;
            }

            if (c == '\\' && i + 1 < end && text[i + 1] != '\n')
            {
                i += 2;
                continue;
            }

            i++;
        }

        Report(_line, Column(quote), "unterminated quoted string");
        int last = i > quote + 1 && text[i - 1] == '\r' ? i - 1 : i;
        tokens.Add(new Token(quote + 1, last - quote - 1, _line, Column(quote), true));
        _pos = i;
    }

    private void Report(int line, int column, string message)
    {
        EntryHadError = true;
        _diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, new SourceLocation(_file, line, column), message));
    }
}
