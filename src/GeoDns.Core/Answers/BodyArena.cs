namespace GeoDns.Core.Answers;

/// <summary>
/// Packs the bodies of a zone's prepared answers into large shared buffers, so a zone of a
/// million names holds a few hundred arrays instead of a million small ones.
/// </summary>
public sealed class BodyArena
{
    private const int ChunkSize = 64 * 1024;
    private byte[] _chunk = new byte[ChunkSize];
    private int _used;

    public ArraySegment<byte> Store(ReadOnlySpan<byte> body)
    {
        if (body.Length > ChunkSize / 4)
        {
            return new ArraySegment<byte>(body.ToArray());
        }

        if (_used + body.Length > _chunk.Length)
        {
            _chunk = new byte[ChunkSize];
            _used = 0;
        }

        body.CopyTo(_chunk.AsSpan(_used));
        var segment = new ArraySegment<byte>(_chunk, _used, body.Length);
        _used += body.Length;
        return segment;
    }
}
