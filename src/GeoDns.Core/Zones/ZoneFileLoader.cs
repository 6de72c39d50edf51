using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones;

/// <summary>
/// Loads RFC 1035 master files with GeoDns's traffic-management additions. Never throws on
/// bad input: every problem, I/O errors included, becomes a <see cref="ZoneDiagnostic"/> with
/// file:line:column, and parsing goes on so that all errors of a file are reported.
/// </summary>
public static class ZoneFileLoader
{
    /// <summary>File name suffix that names a zone: <c>example.com.zone</c> holds <c>example.com.</c></summary>
    public const string ZoneFileSuffix = ".zone";

    /// <summary>
    /// Loads a zone file, its traffic lines checked against <paramref name="vocabulary"/>. The origin is <paramref name="origin"/>, else taken from a file name
    /// <c>&lt;zone&gt;.zone</c>, else the first $ORIGIN, else the SOA owner.
    /// </summary>
    public static ZoneFile Load(string path, ITrafficVocabulary vocabulary, DnsName? origin = null)
    {
        string text;
        try
        {
            text = ReadText(path);
        }
        catch (Exception e) when (IsIoError(e))
        {
            var location = new SourceLocation(path, 1, 1);
            return new ZoneFile
            {
                Origin = origin ?? OriginFromFileName(path) ?? DnsName.Root,
                Path = path,
                Records = [],
                Diagnostics = [new ZoneDiagnostic(DiagnosticSeverity.Error, location, $"cannot read zone file: {e.Message}")],
            };
        }

        return ParseCore(text, path, origin, ReadFromDisk, vocabulary, ChunkedParse.OnEveryCore);
    }

    /// <summary>
    /// Parses zone text as if read from <paramref name="fileName"/> (which also names included files'
    /// directory and, when it is <c>&lt;zone&gt;.zone</c>, the origin). <paramref name="readInclude"/>
    /// returns an included file's text by path, or null when it does not exist.
    /// </summary>
    public static ZoneFile Parse(string text, string fileName, DnsName? origin, ITrafficVocabulary vocabulary, Func<string, string?>? readInclude = null)
    {
        Func<string, IncludeText> reader = readInclude is null
            ? _ => new IncludeText(null, "no include reader given")
            : path => readInclude(path) is { } t ? new IncludeText(t, null) : new IncludeText(null, "file not found");
        return ParseCore(text, fileName, origin, reader, vocabulary, ChunkedParse.OnEveryCore);
    }

    /// <summary>As <see cref="Parse"/>, split across cores as <paramref name="chunking"/> says (tests use small chunks).</summary>
    internal static ZoneFile Parse(string text, string fileName, ITrafficVocabulary vocabulary, ChunkedParse chunking) =>
        ParseCore(text, fileName, null, _ => new IncludeText(null, "no include reader given"), vocabulary, chunking);

    /// <summary>
    /// Whether a folder entry is a zone file: <c>*.zone</c>, not hidden. Names starting with '.'
    /// or '#' are editors' and tools' (Emacs's <c>.#name.zone</c> lock link, hidden copies), never zones.
    /// </summary>
    public static bool IsZoneFileName(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        return name.Length > ZoneFileSuffix.Length
            && name.EndsWith(ZoneFileSuffix, StringComparison.OrdinalIgnoreCase)
            && name[0] is not ('.' or '#');
    }

    /// <summary>The zone a file name <c>&lt;zone&gt;.zone</c> declares, or null.</summary>
    public static DnsName? OriginFromFileName(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        if (!name.EndsWith(ZoneFileSuffix, StringComparison.OrdinalIgnoreCase) || name.Length == ZoneFileSuffix.Length)
        {
            return null;
        }

        string zone = name[..^ZoneFileSuffix.Length];
        if (!zone.EndsWith('.'))
        {
            zone += ".";
        }

        return DnsName.TryParse(zone, null, out var origin, out _) ? origin : null;
    }

    private static ZoneFile ParseCore(string text, string fileName, DnsName? origin, Func<string, IncludeText> readInclude, ITrafficVocabulary vocabulary, ChunkedParse chunking)
    {
        origin ??= OriginFromFileName(fileName);
        var parser = new ZoneParser(origin, readInclude, vocabulary);
        parser.ParseFile(text, fileName, chunking);
        var diagnostics = parser.Diagnostics;
        var zoneOrigin = parser.ZoneOrigin;
        if (zoneOrigin is null)
        {
            diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, new SourceLocation(fileName, 1, 1),
                "cannot tell the zone's origin: no origin given, the file is not named <zone>.zone, and there is no $ORIGIN or SOA"));
            zoneOrigin = DnsName.Root;
        }

        var pools = parser.Traffic.FinishPools(zoneOrigin);
        var records = ZoneValidator.Validate(zoneOrigin, fileName, parser.Records, parser.Traffic.PoolOwners, diagnostics, out var owners, out var ownerOf);
        var zone = new ZoneFile
        {
            Origin = zoneOrigin.Detached(),
            Path = fileName,
            Records = records,
            Regions = parser.Traffic.Regions,
            Checks = parser.Traffic.Checks,
            Pools = pools,
            Diagnostics = diagnostics,
        };
        zone.SetOwnerIndex(owners, ownerOf);
        return zone;
    }

    private static IncludeText ReadFromDisk(string path)
    {
        try
        {
            return new IncludeText(ReadText(path), null);
        }
        catch (Exception e) when (IsIoError(e))
        {
            return new IncludeText(null, e.Message);
        }
    }

    /// <summary>
    /// Reads a UTF-8 file (BOM optional) into one string with a single byte buffer: for a big
    /// zone this avoids the transient copies File.ReadAllText makes on the large-object heap.
    /// </summary>
    internal static string ReadText(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        long length = RandomAccess.GetLength(handle);
        if (length > int.MaxValue / 2)
        {
            throw new IOException($"file too large ({length} bytes)");
        }

        byte[] buffer = GC.AllocateUninitializedArray<byte>((int)length);
        {
            int total = 0;
            int read;
            while (total < length && (read = RandomAccess.Read(handle, buffer.AsSpan(total, (int)length - total), total)) > 0)
            {
                total += read;
            }

            var bytes = buffer.AsSpan(0, total);
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                bytes = bytes[3..];
            }

            return System.Text.Encoding.UTF8.GetString(bytes);
        }
    }

    private static bool IsIoError(Exception e) =>
        e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException;
}
