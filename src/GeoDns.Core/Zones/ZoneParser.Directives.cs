using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones;

/// <summary>Master-file directives: $ORIGIN, $TTL, $INCLUDE, and the traffic directives.</summary>
internal sealed partial class ZoneParser
{
    private const int MaxIncludeDepth = 16;

    private void Directive(string file)
    {
        var r = _reader;
        var directive = r[0];
        var name = r.Span(directive);
        r.Index = 1;
        if (name.Equals("$ORIGIN", StringComparison.OrdinalIgnoreCase))
        {
            if (r.ReadName("$ORIGIN name", out var origin) && r.ExpectEnd())
            {
                _origin = origin;
                ZoneOrigin ??= origin;
            }
        }
        else if (name.Equals("$TTL", StringComparison.OrdinalIgnoreCase))
        {
            if (r.ReadTtl("$TTL", TimeValues.MaxTtl, out uint ttl) && r.ExpectEnd())
            {
                _defaultTtl = ttl;
            }
        }
        else if (name.Equals("$INCLUDE", StringComparison.OrdinalIgnoreCase))
        {
            Include(file, directive);
        }
        else if (name.Equals("$REGION", StringComparison.OrdinalIgnoreCase))
        {
            Traffic.ParseRegion(r);
        }
        else if (name.Equals("$CHECK", StringComparison.OrdinalIgnoreCase))
        {
            Traffic.ParseCheck(r);
        }
        else
        {
            r.Error(directive, $"unknown directive '{EntryReader.Shorten(name)}'");
        }
    }

    private void Include(string file, Token directive)
    {
        var r = _reader;
        if (!r.Next("$INCLUDE file name", out var fileToken))
        {
            return;
        }

        DnsName? includeOrigin = null;
        if (!r.AtEnd && !r.ReadName("$INCLUDE origin", out includeOrigin))
        {
            return;
        }

        if (!r.ExpectEnd())
        {
            return;
        }

        var written = r.String(fileToken);
        if (written.Length == 0)
        {
            r.Error(fileToken, "empty $INCLUDE file name");
            return;
        }

        string path = Path.IsPathRooted(written) ? written : Path.Combine(Path.GetDirectoryName(file) ?? string.Empty, written);
        string normalized = NormalizePath(path);
        if (_includeStack.Contains(normalized))
        {
            r.Error(directive, $"$INCLUDE loop: '{written}' is already being read ({string.Join(" -> ", _includeStack.Select(Path.GetFileName))} -> {Path.GetFileName(path)})");
            return;
        }

        if (_includeStack.Count >= MaxIncludeDepth)
        {
            r.Error(directive, $"$INCLUDE nested more than {MaxIncludeDepth} deep");
            return;
        }

        var included = _readInclude(path);
        if (included.Text is null)
        {
            r.Error(directive, $"cannot read included file '{written}': {included.Error ?? "not found"}");
            return;
        }

        // RFC 1035 5.1: the origin and the current owner revert after the included file.
        var savedOrigin = _origin;
        var savedOwner = _lastOwner;
        if (includeOrigin is not null)
        {
            _origin = includeOrigin;
        }

        ParseText(included.Text, path);
        _origin = savedOrigin;
        _lastOwner = savedOwner;
        _lastOwnerText = null;
    }
}
