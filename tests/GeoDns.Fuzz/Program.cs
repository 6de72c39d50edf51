using GeoDns.Fuzz;
using SharpFuzz;

// GeoDns.Fuzz TARGET              run TARGET under afl-fuzz (SharpFuzz fork server; bench/fuzz/run.sh)
// GeoDns.Fuzz TARGET PATH...      run each file (or each file of each folder) once: triage, replay
// GeoDns.Fuzz --list              the target names
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: GeoDns.Fuzz TARGET [FILE|DIR ...] | --list");
    Console.Error.WriteLine("targets: " + string.Join(' ', FuzzTargets.All.Keys));
    return 2;
}

if (args[0] == "--list")
{
    foreach (string name in FuzzTargets.All.Keys)
    {
        Console.WriteLine(name);
    }

    return 0;
}

if (!FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"unknown target '{args[0]}' (targets: {string.Join(' ', FuzzTargets.All.Keys)})");
    return 2;
}

if (args.Length == 1)
{
    // Instrumented code may run only inside Run: the coverage map is attached there (outside
    // afl-fuzz, or before Run, the instrumented assemblies fault on their first branch).
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        target(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    });
    return 0;
}

int failures = 0;
foreach (string file in args.Skip(1).SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]))
{
    try
    {
        target(File.ReadAllBytes(file));
        Console.WriteLine($"ok    {file}");
    }
    catch (Exception e)
    {
        failures++;
        Console.WriteLine($"CRASH {file}\n{e}");
    }
}

return failures == 0 ? 0 : 1;
