namespace GeoDns.Core.Dns;

/// <summary>
/// Blocks that hold the wire forms of many names, so that a parsed name is one object (the
/// <see cref="DnsName"/>) instead of two (it and its byte array). A block lives as long as any
/// name in it. One store per thread: it is not synchronized.
/// </summary>
public sealed class NameStore
{
    private const int BlockSize = 16 * 1024;
    private byte[] _block = [];
    private int _used;

    /// <summary>Copies <paramref name="wire"/> into the current block and says where it is.</summary>
    public (byte[] Block, int Offset) Add(ReadOnlySpan<byte> wire)
    {
        if (_used + wire.Length > _block.Length)
        {
            _block = new byte[BlockSize];
            _used = 0;
        }

        int offset = _used;
        wire.CopyTo(_block.AsSpan(offset));
        _used += wire.Length;
        return (_block, offset);
    }
}
