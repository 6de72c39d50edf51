using GeoDns.Core.Answers;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>
/// Names whose only record is of a plain-data type (no names in its data), compiled on every
/// core: most names of a large zone are such, and each reads no other node, so ranges of them
/// are independent (each range with its own body builder and arena).
/// </summary>
public sealed partial class ZoneCompiler
{
    /// <summary>Below this many such names one thread compiles them: starting more would cost more.</summary>
    internal int ParallelSinglesThreshold { get; init; } = 50_000;

    private void CompilePlainSingles(int count, PreparedAnswer noData)
    {
        int names = _nodes.Count;
        int workers = count < ParallelSinglesThreshold ? 1 : Math.Clamp(Environment.ProcessorCount, 1, 8);
        int size = (names + workers - 1) / workers;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var builder = w == 0 ? _builder : new BodyBuilder(_apex, TemplateMode.Exact, new BodyArena());
            ushort[]? types = null;
            int end = Math.Min(names, (w + 1) * size);
            for (int i = w * size; i < end; i++)
            {
                if (_builds[i] is not ResourceRecord single || !BodyBuilder.IsPlainData(single.Type))
                {
                    continue;
                }

                if (types is null || types[0] != single.Type)
                {
                    types = MadeSingleTypes(single.Type);
                }

                var mode = single.Owner.IsWildcard ? TemplateMode.Wildcard : TemplateMode.Exact;
                _nodes.Set(i, new ZoneNode(types, builder.BuildSingle(single.Owner, single, mode), null, noData, null));
            }
        });

        // A name left out of the first pass as a plain single may have been promoted since (an
        // MX or NS target whose addresses a later node looked up): it is compiled as a node.
        for (int i = 0; i < names; i++)
        {
            if (_nodes[i] is null && _builds[i] is BuildNode promoted)
            {
                _nodes.Set(i, CompileNode(promoted, promoted.Name.IsWildcard ? TemplateMode.Wildcard : TemplateMode.Exact, noData));
            }
        }
    }
}
