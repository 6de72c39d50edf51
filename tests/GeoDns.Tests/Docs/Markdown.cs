using System.Text;
using System.Text.RegularExpressions;
using GeoDns.Cli;

namespace GeoDns.Tests.Docs;

/// <summary>A fenced code block of a Markdown file: its info string (<c>sh</c>, <c>text</c>, ...) and text.</summary>
internal sealed record CodeBlock(string File, int Line, string Info, string Text)
{
    public override string ToString() => $"{File}:{Line} ```{Info}";
}

/// <summary>Reads the docs: fenced blocks, the commands in them, the inline code of the prose.</summary>
internal static partial class Markdown
{
    /// <summary>The documents the docs tests read: README.md and docs/*.md, relative to the repository root.</summary>
    public static IEnumerable<string> Documents(string root) =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal)
            .Select(f => Path.GetRelativePath(root, f)));

    public static List<CodeBlock> Blocks(string root, string file)
    {
        var blocks = new List<CodeBlock>();
        var lines = File.ReadAllLines(Path.Combine(root, file));
        for (int i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            int start = i;
            var text = new StringBuilder();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                text.AppendLine(lines[i]);
            }

            blocks.Add(new CodeBlock(file, start + 1, fence.Groups[1].Value, text.ToString()));
        }

        return blocks;
    }

    /// <summary>The prose of a document: every line outside fenced blocks.</summary>
    public static string Prose(string root, string file)
    {
        var prose = new StringBuilder();
        bool inBlock = false;
        foreach (var line in File.ReadAllLines(Path.Combine(root, file)))
        {
            if (Fence().IsMatch(line) || (inBlock && line.Trim() == "```"))
            {
                inBlock = !inBlock;
                continue;
            }

            if (!inBlock)
            {
                prose.AppendLine(line);
            }
        }

        return prose.ToString();
    }

    /// <summary>The inline code spans of the prose.</summary>
    public static IEnumerable<string> InlineCode(string prose) => InlineSpan().Matches(prose).Select(m => m.Groups[1].Value);

    /// <summary>The commands of a block: continuation lines joined, blank and comment lines left out.</summary>
    public static List<string> Commands(string text)
    {
        var commands = new List<string>();
        var pending = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (pending.Length == 0 && (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending.Append(line[..^1]).Append(' ');
                continue;
            }

            pending.Append(line);
            commands.Add(pending.ToString().Trim());
            pending.Clear();
        }

        return commands;
    }

    /// <summary>
    /// Splits a command line into simple commands (at <c>|</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>;</c>)
    /// of shell words; quotes are removed, a comment ends the line. Good enough for the docs' commands.
    /// </summary>
    public static List<List<string>> SimpleCommands(string line)
    {
        var result = new List<List<string>> { new() };
        var word = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        int depth = 0; // inside $( ... )
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }

                continue;
            }

            if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
                continue;
            }

            if (c == '$' && i + 1 < line.Length && line[i + 1] == '(')
            {
                depth++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }

            if (depth == 0 && char.IsWhiteSpace(c))
            {
                Flush();
                continue;
            }

            if (depth == 0 && !inWord && c == '#')
            {
                break;
            }

            if (depth == 0 && c is '|' or ';' or '&')
            {
                Flush();
                if (i + 1 < line.Length && line[i + 1] == c)
                {
                    i++;
                }

                if (result[^1].Count > 0)
                {
                    result.Add([]);
                }

                continue;
            }

            word.Append(c);
            inWord = true;
        }

        Flush();
        return [.. result.Where(r => r.Count > 0)];

        void Flush()
        {
            if (inWord)
            {
                result[^1].Add(word.ToString());
                word.Clear();
                inWord = false;
            }
        }
    }

    /// <summary>
    /// The <c>geodns</c> arguments of a simple command (after <c>sudo</c> and VAR=value words):
    /// <c>geodns ...</c>, <c>/opt/geodns/geodns ...</c> or <c>dotnet run --project src/GeoDns ... -- ...</c>; null for other programs.
    /// </summary>
    public static List<string>? GeoDnsArguments(List<string> words)
    {
        int i = 0;
        while (i < words.Count && (words[i] == "sudo" || Assignment().IsMatch(words[i])))
        {
            i++;
        }

        if (i >= words.Count)
        {
            return null;
        }

        if (words[i] == "geodns" || words[i].EndsWith("/geodns", StringComparison.Ordinal))
        {
            return words[(i + 1)..];
        }

        if (words[i] == "dotnet" && i + 1 < words.Count && words[i + 1] == "run" && words.Contains("src/GeoDns"))
        {
            int dashes = words.IndexOf("--");
            return dashes < 0 ? [] : words[(dashes + 1)..];
        }

        return null;
    }

    /// <summary>Why <c>geodns</c> would refuse these arguments, or null when it accepts them.</summary>
    public static string? GeoDnsProblem(IReadOnlyList<string> arguments)
    {
        if (arguments.Count == 0)
        {
            return "no verb";
        }

        var rest = arguments.Skip(1).ToList();
        switch (arguments[0])
        {
            case "serve":
                return ServeCommand.TryParse(rest, out _, out string? error) ? null : error;

            case "explain":
                return ExplainCommand.Check(rest);

            case "check":
                return rest.Count % 2 == 1 && rest.Skip(1).Where((_, i) => i % 2 == 0).All(o => o is "--geoip" or "--geoip-asn" or "--keys")
                    ? null : "check takes DIR [--geoip FILE] [--geoip-asn FILE] [--keys DIR]";
            case "status" or "drain" or "undrain" or "force" or "pin" or "unpin" or "reload" or "drill":
                return null; // verbs against a running server: their arguments are checked by OperatorVerbsTests
            case "keygen" or "ds":
                return rest.Count >= 3 && rest.Contains("--keys") ? null : $"{arguments[0]} takes ZONE --keys DIR";
            case "help" or "version":
                return rest.Count == 0 ? null : $"{arguments[0]} takes no arguments";
            default:
                return $"unknown verb '{arguments[0]}'";
        }
    }

    /// <summary>Admin API paths a text names: in URLs, or as <c>/api/v1/...</c>, <c>/healthz</c>, <c>/readyz</c>.</summary>
    public static IEnumerable<string> AdminPaths(string text) =>
        AdminPath().Matches(text).Select(m => m.Groups[1].Value.TrimEnd('.', ',', ')', ':'));

    public static bool IsAssignment(string word) => Assignment().IsMatch(word);

    [GeneratedRegex(@"^ {0,3}```(\w[\w-]*)?\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex InlineSpan();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"(?:^|[\s`""'(:0-9])(/(?:api/v1/[^\s`""'?#]*|healthz|readyz))")]
    private static partial Regex AdminPath();
}
