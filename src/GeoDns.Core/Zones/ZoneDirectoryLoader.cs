using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones;

/// <summary>Loads every <c>*.zone</c> file of a directory (not recursive).</summary>
public static class ZoneDirectoryLoader
{
    /// <summary>
    /// Loads each <c>*.zone</c> file in <paramref name="dir"/> in name order. Two files declaring the
    /// same zone: the later one gets an error. A missing directory yields one zone file holding the error.
    /// </summary>
    public static IReadOnlyList<ZoneFile> LoadAll(string dir, ITrafficVocabulary vocabulary)
    {
        if (TryLoadAll(dir, vocabulary, out var zones, out string? error))
        {
            return zones;
        }

        var location = new SourceLocation(dir, 1, 1);
        return
        [
            new ZoneFile
            {
                Origin = Dns.DnsName.Root,
                Path = dir,
                Records = [],
                Diagnostics = [new ZoneDiagnostic(DiagnosticSeverity.Error, location, error)],
            },
        ];
    }

    /// <summary>
    /// Like <see cref="LoadAll"/>, but a directory that cannot be listed (missing, not a
    /// directory, unreadable) is told apart from its files: false, with the reason in
    /// <paramref name="error"/>, and no zone files. A server keeps what it serves then.
    /// </summary>
    public static bool TryLoadAll(string dir, ITrafficVocabulary vocabulary, out IReadOnlyList<ZoneFile> zones, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        string[] paths;
        try
        {
            paths = Directory.GetFiles(dir, "*" + ZoneFileLoader.ZoneFileSuffix, SearchOption.TopDirectoryOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            zones = [];
            error = $"cannot read zone directory: {e.Message}";
            return false;
        }

        zones = LoadFiles(paths, vocabulary);
        error = null;
        return true;
    }

    private static List<ZoneFile> LoadFiles(string[] paths, ITrafficVocabulary vocabulary)
    {
        Array.Sort(paths, StringComparer.Ordinal);
        var zones = new List<ZoneFile>(paths.Length);
        var byOrigin = new Dictionary<Dns.DnsName, ZoneFile>();
        foreach (string path in paths)
        {
            if (!ZoneFileLoader.IsZoneFileName(path))
            {
                continue;
            }

            var zone = ZoneFileLoader.Load(path, vocabulary);
            if (byOrigin.TryGetValue(zone.Origin, out var earlier))
            {
                var location = FindSoaLocation(zone);
                zone = zone.WithDiagnostics(new ZoneDiagnostic(DiagnosticSeverity.Error, location,
                    $"zone {zone.Origin} is also declared by {earlier.Path}"));
            }
            else
            {
                byOrigin[zone.Origin] = zone;
            }

            zones.Add(zone);
        }

        return zones;
    }

    private static SourceLocation FindSoaLocation(ZoneFile zone)
    {
        foreach (var entry in zone.Records)
        {
            if (entry.Record.Type == Dns.RecordType.SOA)
            {
                return entry.Location;
            }
        }

        return new SourceLocation(zone.Path, 1, 1);
    }
}
