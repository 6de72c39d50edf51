using GeoDns.Core.Dns;

namespace GeoDns.Transfers;

/// <summary>
/// Reads TSIG keys in the format BIND's <c>tsig-keygen</c> writes (also Knot's
/// <c>keymgr -t</c> BIND output): <c>key "name" { algorithm hmac-sha256; secret "base64"; };</c>,
/// any number of them, with <c>#</c>, <c>//</c> and <c>/* */</c> comments. Every problem is a
/// <see cref="FormatException"/> whose message starts with file:line.
/// </summary>
public static class TsigKeyFile
{
    public static IReadOnlyDictionary<string, TsigKey> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: cannot read the TSIG key file: {e.Message}", e);
        }

        return Parse(text, path);
    }

    public static IReadOnlyDictionary<string, TsigKey> Parse(string text, string path)
    {
        var tokens = Tokenize(text, path);
        var keys = new Dictionary<string, TsigKey>(StringComparer.Ordinal);
        int at = 0;
        (string Text, int Line, bool Quoted) Next(string expected)
        {
            if (at >= tokens.Count)
            {
                int last = tokens.Count > 0 ? tokens[^1].Line : 1;
                throw new FormatException($"{path}:{last}: unexpected end of file, expected {expected}");
            }

            return tokens[at++];
        }

        void Expect(string what)
        {
            var token = Next($"'{what}'");
            if (token.Quoted || token.Text != what)
            {
                throw new FormatException($"{path}:{token.Line}: expected '{what}', found '{token.Text}'");
            }
        }

        while (at < tokens.Count)
        {
            var keyword = Next("'key'");
            if (keyword.Quoted || keyword.Text != "key")
            {
                throw new FormatException($"{path}:{keyword.Line}: expected 'key', found '{keyword.Text}'");
            }

            var nameToken = Next("the key's name");
            if (!DnsName.TryParse(nameToken.Text.EndsWith('.') ? nameToken.Text : nameToken.Text + ".", null, out var name, out string? nameError))
            {
                throw new FormatException($"{path}:{nameToken.Line}: key name '{nameToken.Text}' is not a domain name: {nameError}");
            }

            Expect("{");
            string? algorithm = null;
            byte[]? secret = null;
            while (true)
            {
                var field = Next("'algorithm', 'secret' or '}'");
                if (field.Text == "}" && !field.Quoted)
                {
                    break;
                }

                var value = Next($"a value for '{field.Text}'");
                switch (field.Text)
                {
                    case "algorithm":
                        algorithm = value.Text.ToLowerInvariant().TrimEnd('.');
                        if (!TsigKey.Algorithms.Contains(algorithm))
                        {
                            throw new FormatException($"{path}:{value.Line}: algorithm '{value.Text}' is not supported (use {string.Join(" or ", TsigKey.Algorithms)})");
                        }

                        break;
                    case "secret":
                        try
                        {
                            secret = Convert.FromBase64String(value.Text);
                        }
                        catch (FormatException)
                        {
                            throw new FormatException($"{path}:{value.Line}: the secret of key '{nameToken.Text}' is not base64");
                        }

                        if (secret.Length == 0)
                        {
                            throw new FormatException($"{path}:{value.Line}: the secret of key '{nameToken.Text}' is empty");
                        }

                        break;
                    default:
                        throw new FormatException($"{path}:{field.Line}: unknown key setting '{field.Text}' (expected algorithm or secret)");
                }

                Expect(";");
            }

            Expect(";");
            if (algorithm is null || secret is null)
            {
                throw new FormatException($"{path}:{keyword.Line}: key '{nameToken.Text}' needs both an algorithm and a secret");
            }

            if (!keys.TryAdd(name.Key, new TsigKey(name, algorithm, secret)))
            {
                throw new FormatException($"{path}:{keyword.Line}: key '{nameToken.Text}' is defined twice");
            }
        }

        return keys;
    }

    private static List<(string Text, int Line, bool Quoted)> Tokenize(string text, string path)
    {
        var tokens = new List<(string, int, bool)>();
        int line = 1;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int start = line;
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw new FormatException($"{path}:{start}: comment not closed");
                }

                line += text.AsSpan(i, end - i).Count('\n');
                i = end + 2;
            }
            else if (c == '"')
            {
                int end = text.IndexOf('"', i + 1);
                if (end < 0 || text.AsSpan(i, end - i).Contains('\n'))
                {
                    throw new FormatException($"{path}:{line}: string not closed");
                }

                tokens.Add((text[(i + 1)..end], line, true));
                i = end + 1;
            }
            else if (c is '{' or '}' or ';')
            {
                tokens.Add((c.ToString(), line, false));
                i++;
            }
            else
            {
                int start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ';' or '"'))
                {
                    i++;
                }

                tokens.Add((text[start..i], line, false));
            }
        }

        return tokens;
    }
}
