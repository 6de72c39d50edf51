using System.Buffers.Binary;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Core.Answers;

public enum Section
{
    Answer,
    Authority,
    Additional,
}

/// <summary>
/// Encodes the sections of one prepared reply at snapshot build time, compressing names
/// against the question and earlier names. Build-time only: it allocates freely.
/// </summary>
public sealed class BodyBuilder
{
    // Pointers must stay valid after being shifted by up to 255 octets at query time.
    private const int MaxPointerTarget = 0x3FFF - DnsName.MaxWireLength;

    private readonly List<int> _fixups = [];

    // Message offsets of the names (and their suffixes) written so far, which later names may
    // point to. Matching compares the message bytes themselves, so nothing is allocated.
    private readonly List<int> _known = [];
    private byte[] _message = new byte[512];
    private byte[] _single = new byte[512];
    private int _length;
    private TemplateMode _mode;
    private int _bodyStart;
    private Section _section;
    private int _answerCount;
    private int _authorityCount;
    private int _additionalCount;
    private int _lengthWithoutAdditional;

    private readonly BodyArena? _arena;

    public BodyBuilder(DnsName templateName, TemplateMode mode, BodyArena? arena = null)
    {
        _arena = arena;
        TemplateName = templateName;
        Reset(templateName, mode);
    }

    /// <summary>Starts a new reply, keeping the buffers: one builder can encode a whole zone.</summary>
    public void Reset(DnsName templateName, TemplateMode mode)
    {
        _mode = mode;
        TemplateName = templateName;
        _fixups.Clear();
        _known.Clear();
        _section = Section.Answer;
        _answerCount = _authorityCount = _additionalCount = 0;
        _lengthWithoutAdditional = -1;
        LastRDataNameOffset = -1;
        _length = 0;
        Append(stackalloc byte[DnsWire.HeaderLength]);
        int offset = DnsWire.HeaderLength;
        var wire = templateName.Wire;

        // A wildcard template's own name is never a compression target: only its parents are.
        int pos = mode == TemplateMode.Wildcard ? wire[0] + 1 : 0;
        while (wire[pos] != 0)
        {
            _known.Add(offset + pos);
            pos += wire[pos] + 1;
        }

        Append(wire);
        Append(stackalloc byte[4]);
        _bodyStart = _length;
    }

    public DnsName TemplateName { get; private set; }

    public void StartSection(Section section)
    {
        if (section < _section)
        {
            throw new InvalidOperationException("sections must be written in order");
        }

        if (section == Section.Additional && _lengthWithoutAdditional < 0)
        {
            _lengthWithoutAdditional = _length - _bodyStart;
        }

        _section = section;
    }

    /// <summary>Adds a record owned by the query name itself (exact or wildcard-synthesised).</summary>
    public void AddOwnedByQuestion(ResourceRecord record)
    {
        WritePointer(DnsWire.HeaderLength, shifts: _mode != TemplateMode.Wildcard);
        WriteFixed(record);
        WriteRData(record);
        Count();
    }

    public void Add(ResourceRecord record) => Add(record.Owner, record);

    /// <summary>Adds <paramref name="record"/>'s data under another owner name (CNAME chase through a wildcard).</summary>
    public void Add(DnsName owner, ResourceRecord record)
    {
        WriteName(owner.Wire, compress: true);
        WriteFixed(record);
        WriteRData(record);
        Count();
    }

    /// <summary>
    /// The message offset where the name in the last record's RDATA starts (or the offset its
    /// compression pointer points to), for types with one name in <see cref="RecordTypes.NamesIn"/>; else -1.
    /// </summary>
    public int LastRDataNameOffset { get; private set; } = -1;

    public PreparedAnswer Build(bool authoritative, int responseCode, bool additionalRequired = false,
        IDynamicAnswer? dynamic = null, int dynamicOwnerOffset = 0, PreparedAnswer? dynamicEmpty = null)
    {
        var encoded = _message.AsSpan(_bodyStart, _length - _bodyStart);
        var body = _arena is null ? new ArraySegment<byte>(encoded.ToArray()) : _arena.Store(encoded);
        return new PreparedAnswer
        {
            Body = body,
            TemplateNameLength = TemplateName.WireLength,
            Authoritative = authoritative,
            ResponseCode = responseCode,
            AnswerCount = (ushort)_answerCount,
            AuthorityCount = (ushort)_authorityCount,
            AdditionalCount = (ushort)_additionalCount,
            LengthWithoutAdditional = _lengthWithoutAdditional < 0 ? body.Count : _lengthWithoutAdditional,
            AdditionalRequired = additionalRequired,
            Fixups = SharedFixups(),
            Dynamic = dynamic,
            DynamicOwnerOffset = dynamicOwnerOffset,
            DynamicEmpty = dynamicEmpty,
        };
    }

    /// <summary>
    /// True when <see cref="BuildSingle"/> encodes a record of this type as the general path does:
    /// its RDATA holds no names the encoder handles (<see cref="RecordTypes.NamesIn"/>).
    /// </summary>
    public static bool IsPlainData(ushort type) => !RecordTypes.NamesIn(type).Any;

    /// <summary>
    /// The reply holding one record of a plain-data type (<see cref="IsPlainData"/>) owned by the
    /// question: the same bytes as Reset + AddOwnedByQuestion + Build, without the general
    /// machinery. Most names of a large zone are compiled through here.
    /// </summary>
    public PreparedAnswer BuildSingle(DnsName owner, ResourceRecord record, TemplateMode mode)
    {
        if (!IsPlainData(record.Type))
        {
            throw new ArgumentException($"type {record.Type} has names in its data: use the general path", nameof(record));
        }

        int length = 12 + record.RData.Length;
        if (_single.Length < length)
        {
            Array.Resize(ref _single, length);
        }

        var body = _single.AsSpan(0, length);
        BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)(0xC000 | DnsWire.HeaderLength));
        BinaryPrimitives.WriteUInt16BigEndian(body[2..], record.Type);
        BinaryPrimitives.WriteUInt16BigEndian(body[4..], record.Class);
        BinaryPrimitives.WriteUInt32BigEndian(body[6..], record.Ttl);
        BinaryPrimitives.WriteUInt16BigEndian(body[10..], (ushort)record.RData.Length);
        record.RData.CopyTo(body[12..]);
        var stored = _arena is null ? new ArraySegment<byte>(body.ToArray()) : _arena.Store(body);
        return new PreparedAnswer
        {
            Body = stored,
            TemplateNameLength = owner.WireLength,
            Authoritative = true,
            ResponseCode = Wire.ResponseCode.NoError,
            AnswerCount = 1,
            AuthorityCount = 0,
            AdditionalCount = 0,
            LengthWithoutAdditional = stored.Count,
            AdditionalRequired = false,
            // The owner pointer moves with the question name, except for a wildcard's template.
            Fixups = mode == TemplateMode.Wildcard ? [] : FixupAtStart,
        };
    }

    // Most prepared answers have no fixup or a single one at body offset 0 (the owner pointer
    // of a record owned by the question): share those arrays instead of one per answer. A
    // large zone has one prepared answer per RRset, so this saves an object each.
    private static readonly int[] FixupAtStart = [0];

    private int[] SharedFixups()
    {
        if (_fixups.Count == 0)
        {
            return [];
        }

        if (_fixups.Count == 1 && _fixups[0] == _bodyStart)
        {
            return FixupAtStart;
        }

        var fixups = new int[_fixups.Count];
        for (int i = 0; i < fixups.Length; i++)
        {
            fixups[i] = _fixups[i] - _bodyStart;
        }

        return fixups;
    }

    private void Count()
    {
        switch (_section)
        {
            case Section.Answer: _answerCount++; break;
            case Section.Authority: _authorityCount++; break;
            default: _additionalCount++; break;
        }
    }

    private void WriteFixed(ResourceRecord record)
    {
        WriteUInt16(record.Type);
        WriteUInt16(record.Class);
        WriteUInt16((ushort)(record.Ttl >> 16));
        WriteUInt16((ushort)record.Ttl);
    }

    private void WriteRData(ResourceRecord record)
    {
        int lengthAt = _length;
        WriteUInt16(0);
        int start = _length;
        var rdata = record.RData.AsSpan();
        LastRDataNameOffset = -1;
        var names = RecordTypes.NamesIn(record.Type);
        if (!names.Compressed)
        {
            if (names.Count == 1)
            {
                LastRDataNameOffset = _length + names.Offset;
            }

            Append(rdata);
        }
        else
        {
            // RFC 3597 4: only the RFC 1035 types may have names in RDATA compressed.
            int pos = names.Offset;
            Append(rdata[..pos]);
            for (int i = 0; i < names.Count; i++)
            {
                int nameLength = NameLength(rdata, pos);
                if (names.Count == 1)
                {
                    LastRDataNameOffset = _length;
                }

                WriteName(rdata.Slice(pos, nameLength), compress: true);
                pos += nameLength;
            }

            Append(rdata[pos..]);
        }

        int length = _length - start;
        _message[lengthAt] = (byte)(length >> 8);
        _message[lengthAt + 1] = (byte)length;
    }

    private void WriteName(ReadOnlySpan<byte> wire, bool compress)
    {
        int pos = 0;
        while (wire[pos] != 0)
        {
            if (compress && FindKnown(wire[pos..]) is int target and >= 0)
            {
                if (pos == 0 && LastRDataNameOffset == _length)
                {
                    LastRDataNameOffset = target;
                }

                WritePointer(target, shifts: true);
                return;
            }

            if (_length <= MaxPointerTarget)
            {
                _known.Add(_length);
            }

            int len = wire[pos];
            Append(wire.Slice(pos, len + 1));
            pos += len + 1;
        }

        Append([0]);
    }

    private int FindKnown(ReadOnlySpan<byte> suffix)
    {
        foreach (int offset in _known)
        {
            if (SameName(suffix, offset))
            {
                return offset;
            }
        }

        return -1;
    }

    /// <summary>Compares a wire name with the (possibly compressed) name at a message offset, ignoring ASCII case.</summary>
    private bool SameName(ReadOnlySpan<byte> wire, int offset)
    {
        int i = 0;
        while (true)
        {
            int len = _message[offset];
            if ((len & 0xC0) == 0xC0)
            {
                offset = ((len & 0x3F) << 8) | _message[offset + 1];
                continue;
            }

            if (len != wire[i])
            {
                return false;
            }

            if (len == 0)
            {
                return true;
            }

            for (int k = 1; k <= len; k++)
            {
                if (DnsName.LowerAscii(_message[offset + k]) != DnsName.LowerAscii(wire[i + k]))
                {
                    return false;
                }
            }

            offset += len + 1;
            i += len + 1;
        }
    }


    private void WritePointer(int target, bool shifts)
    {
        if (shifts)
        {
            _fixups.Add(_length);
        }

        WriteUInt16((ushort)(0xC000 | target));
    }

    private void WriteUInt16(ushort value)
    {
        Span<byte> bytes = [(byte)(value >> 8), (byte)value];
        Append(bytes);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _message.Length)
        {
            Array.Resize(ref _message, Math.Max(_message.Length * 2, _length + bytes.Length));
        }

        bytes.CopyTo(_message.AsSpan(_length));
        _length += bytes.Length;
    }

    private static int NameLength(ReadOnlySpan<byte> wire, int start)
    {
        int pos = start;
        while (wire[pos] != 0)
        {
            pos += wire[pos] + 1;
        }

        return pos + 1 - start;
    }
}
