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
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    public ZoneTokenizer(string text, string file, List<ZoneDiagnostic> diagnostics)
    {
        _text = text;
        _file = file;
        _diagnostics = diagnostics;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            _pos = 1;
            _lineStart = 1;
        }
    }

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
        while (_pos < text.Length)
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
                    int nl = text.IndexOf('\n', _pos);
                    _pos = nl < 0 ? text.Length : nl;
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
        int start = _pos;
        int i = start;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n' or ';' or '(' or ')' or '"')
            {
                break;
            }

            if (c == '\\' && i + 1 < text.Length && text[i + 1] != '\n')
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
        int quote = _pos;
        int i = quote + 1;
        while (i < text.Length)
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

            if (c == '\\' && i + 1 < text.Length && text[i + 1] != '\n')
            {
                i += 2;
                continue;
            }

            i++;
        }

        Report(_line, Column(quote), "unterminated quoted string");
        int end = i > quote + 1 && text[i - 1] == '\r' ? i - 1 : i;
        tokens.Add(new Token(quote + 1, end - quote - 1, _line, Column(quote), true));
        _pos = i;
    }

    private void Report(int line, int column, string message)
    {
        EntryHadError = true;
        _diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, new SourceLocation(_file, line, column), message));
    }
}
