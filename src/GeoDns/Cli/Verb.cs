using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace GeoDns.Cli;

/// <summary>Exit codes of every verb.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The verb ran and the answer is "no": zone errors, not a pool, an instance that never moved.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line (one line on standard error).</summary>
    public const int Usage = 2;

    /// <summary>The admin API cannot be reached (connection refused, timeout, bad address).</summary>
    public const int Unreachable = 3;

    /// <summary>The admin API refused the token (401: missing or wrong; 403: the server has no token file).</summary>
    public const int Unauthorized = 4;

    /// <summary>The admin API does not know the pool, member, region or name (404).</summary>
    public const int NotFound = 5;
}

/// <summary>
/// Runs one verb's <see cref="Command"/> (System.CommandLine) on the words after the verb:
/// <c>--help</c> prints the generated help; a usage error is one line,
/// <c>geodns VERB: PROBLEM (see 'geodns VERB --help')</c>, and exit code 2.
/// </summary>
public static class Verb
{
    public static int Run(Command command, IReadOnlyList<string> args, TextWriter errors, Func<ParseResult, int> action)
    {
        var root = new RootCommand("geodns - authoritative DNS server and global traffic manager") { command };
        var parsed = root.Parse([command.Name, .. args], new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Action is HelpAction)
        {
            return parsed.Invoke();
        }

        if (Problem(parsed, command, args) is { } problem)
        {
            errors.WriteLine($"geodns {command.Name}: {problem} (see 'geodns {command.Name} --help')");
            return ExitCodes.Usage;
        }

        return action(parsed);
    }

    /// <summary>Writes a usage error found after parsing (bad values, options that exclude each other).</summary>
    public static int UsageError(Command command, TextWriter errors, string problem)
    {
        errors.WriteLine($"geodns {command.Name}: {problem} (see 'geodns {command.Name} --help')");
        return ExitCodes.Usage;
    }

    /// <summary>An option whose value is a string (repeatable when <paramref name="repeat"/>: <c>--dns A --dns B</c>).</summary>
    public static Option<string> Text(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description };

    public static Option<string[]> Repeated(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description, Arity = ArgumentArity.Zero };

    public static Argument<string> Positional(string name, string description) => new(name) { Description = description, Arity = ArgumentArity.ExactlyOne };

    /// <summary>True when the option was written on the command line (not a default).</summary>
    public static bool Given(this ParseResult parsed, Option option) => parsed.GetResult(option) is { Implicit: false };

    private static string? Problem(ParseResult parsed, Command command, IReadOnlyList<string> args)
    {
        // An option nobody declared is named as such, whatever the parser made of it.
        var known = command.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        known.UnionWith(["--help", "-h", "-?"]);
        foreach (string arg in args)
        {
            if (arg == "--")
            {
                break;
            }

            string name = arg.Split('=', 2)[0];
            if (arg.StartsWith("--", StringComparison.Ordinal) && !known.Contains(name))
            {
                return $"unknown option '{name}'";
            }
        }

        foreach (var argument in command.Arguments)
        {
            if (argument.Arity.MinimumNumberOfValues > 0 && (parsed.GetResult(argument)?.Tokens.Count ?? 0) < argument.Arity.MinimumNumberOfValues)
            {
                return $"give {argument.HelpName ?? argument.Name}";
            }
        }

        foreach (string token in parsed.UnmatchedTokens)
        {
            return token.StartsWith('-') ? $"unknown option '{token}'" : $"unexpected argument '{token}'";
        }

        foreach (var error in parsed.Errors)
        {
            return error.SymbolResult is OptionResult { Tokens.Count: 0 } option && option.Option.Arity.MinimumNumberOfValues > 0
                ? $"option '{option.Option.Name}' needs a value"
                : error.Message.TrimEnd('.');
        }

        return null;
    }
}
