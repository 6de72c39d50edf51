using System.Buffers.Text;
using System.Text;

namespace GeoDns.Health;

/// <summary>
/// The parts of an HTTP/1.x response head a probe needs: the status, and how the body is framed
/// (<c>Content-Length</c>, chunked, or until the connection closes), and whether the server
/// closes the connection after it (<c>Connection: close</c>, or HTTP/1.0). Parsing never throws:
/// a malformed head gives a one-line error for the status page.
/// </summary>
internal readonly record struct HttpResponseHead(int Status, long ContentLength, bool Chunked, bool Closes)
{
    /// <summary>No <c>Content-Length</c>: the body runs to the end of the connection (unless chunked).</summary>
    public const long UntilClose = -1;

    /// <summary>Statuses that never carry a body, whatever the headers say.</summary>
    public bool HasNoBody => NoBody(Status);

    /// <summary>1xx interim responses (other than 101) come before the real one.</summary>
    public bool IsInterim => Status is >= 100 and < 200 and not 101;

    /// <summary>
    /// Where the head in <paramref name="data"/> ends: the index just past its empty line (CRLF
    /// or bare LF line ends, as lenient clients accept), or -1 when the empty line has not arrived.
    /// </summary>
    public static int FindEnd(ReadOnlySpan<byte> data)
    {
        int from = 0;
        while (data[from..].IndexOf((byte)'\n') is var lf and >= 0)
        {
            int at = from + lf + 1;
            if (at < data.Length && data[at] == '\n')
            {
                return at + 1;
            }

            if (at + 1 < data.Length && data[at] == '\r' && data[at + 1] == '\n')
            {
                return at + 2;
            }

            from = at;
        }

        return -1;
    }

    /// <summary>Parses the head (status line and header lines, without the final empty line).</summary>
    public static bool TryParse(ReadOnlySpan<byte> head, out HttpResponseHead result, out string error)
    {
        result = default;
        error = string.Empty;
        int lineEnd = head.IndexOf((byte)'\n');
        var statusLine = TrimCr(lineEnd < 0 ? head : head[..lineEnd]);
        if (!TryParseStatus(statusLine, out int status))
        {
            error = $"malformed HTTP status line \"{Printable(statusLine)}\"";
            return false;
        }

        long length = UntilClose;
        bool chunked = false;
        bool closes = statusLine[7] == '0'; // HTTP/1.0 closes unless it says otherwise; 1.1 keeps unless it says so
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 1)..];
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf((byte)'\n');
            var line = TrimCr(end < 0 ? rest : rest[..end]);
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t')
            {
                continue; // an obsolete folded continuation: nothing a probe reads
            }

            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                error = $"malformed HTTP header line \"{Printable(line)}\"";
                return false;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (name.SequenceEqual("Content-Length"u8) || Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long parsed, out int used) || used != value.Length || parsed < 0
                    || (length != UntilClose && length != parsed))
                {
                    error = $"bad HTTP Content-Length \"{Printable(value)}\"";
                    return false;
                }

                length = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                // The last coding is the framing one; only "chunked" frames (we ask for no compression).
                int comma = value.LastIndexOf((byte)',');
                chunked = Ascii.EqualsIgnoreCase(value[(comma + 1)..].Trim(" \t"u8), "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                closes = HasToken(value, "close"u8) || (closes && !HasToken(value, "keep-alive"u8));
            }
        }

        bool untilClose = !chunked && length == UntilClose && !NoBody(status);
        result = new HttpResponseHead(status, chunked ? UntilClose : length, chunked, closes || untilClose);
        return true;
    }

    /// <summary><c>HTTP/1.x NNN[ reason]</c>.</summary>
    private static bool TryParseStatus(ReadOnlySpan<byte> line, out int status)
    {
        status = 0;
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)line[7]) || line[8] != ' ')
        {
            return false;
        }

        var code = line.Slice(9, 3);
        if (!char.IsAsciiDigit((char)code[0]) || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2])
            || (line.Length > 12 && line[12] != ' '))
        {
            return false;
        }

        status = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        return status >= 100;
    }

    private static bool NoBody(int status) => status is (>= 100 and < 200) or 204 or 304;

    /// <summary>Whether the comma-separated <paramref name="list"/> holds <paramref name="token"/> (any case).</summary>
    private static bool HasToken(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        foreach (var range in list.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(list[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.EndsWith("\r"u8) ? line[..^1] : line;

    /// <summary>At most 40 characters of <paramref name="bytes"/>, anything unprintable as '?', for an error line.</summary>
    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(Math.Min(bytes.Length, 40) + 3);
        foreach (byte b in bytes[..Math.Min(bytes.Length, 40)])
        {
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }

        return bytes.Length > 40 ? text.Append("...").ToString() : text.ToString();
    }
}
