using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

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

    private readonly List<byte> _message = [];
    private readonly Dictionary<string, int> _known = new(StringComparer.Ordinal);
    private readonly List<int> _fixups = [];
    private readonly TemplateMode _mode;
    private readonly int _bodyStart;
    private Section _section = Section.Answer;
    private int _answerCount;
    private int _authorityCount;
    private int _additionalCount;
    private int _lengthWithoutAdditional = -1;

    public BodyBuilder(DnsName templateName, TemplateMode mode)
    {
        _mode = mode;
        TemplateName = templateName;
        _message.AddRange(new byte[DnsWire.HeaderLength]);
        int offset = DnsWire.HeaderLength;
        var wire = templateName.Wire;
        var key = templateName.Key;

        // A wildcard template's own name is never a compression target: only its parents are.
        bool skipFirst = mode == TemplateMode.Wildcard;
        int pos = 0;
        while (wire[pos] != 0)
        {
            if (!skipFirst)
            {
                _known.TryAdd(key[pos..], offset + pos);
            }

            skipFirst = false;
            pos += wire[pos] + 1;
        }

        _message.AddRange(wire.ToArray());
        _message.AddRange(new byte[4]);
        _bodyStart = _message.Count;
    }

    public DnsName TemplateName { get; }

    public int RecordCount => _answerCount + _authorityCount + _additionalCount;

    /// <summary>Message offset of the next byte to be written.</summary>
    public int Position => _message.Count;

    public void StartSection(Section section)
    {
        if (section < _section)
        {
            throw new InvalidOperationException("sections must be written in order");
        }

        if (section == Section.Additional && _lengthWithoutAdditional < 0)
        {
            _lengthWithoutAdditional = _message.Count - _bodyStart;
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
        WriteName(owner, compress: true);
        WriteFixed(record);
        WriteRData(record);
        Count();
    }

    /// <summary>Returns the message offset where a name in the last record's RDATA starts, or -1.</summary>
    public int LastRDataNameOffset { get; private set; } = -1;

    public PreparedAnswer Build(bool authoritative, int responseCode, bool additionalRequired = false,
        IDynamicAnswer? dynamic = null, int dynamicOwnerOffset = 0, PreparedAnswer? dynamicEmpty = null)
    {
        var body = _message.GetRange(_bodyStart, _message.Count - _bodyStart).ToArray();
        return new PreparedAnswer
        {
            Body = body,
            TemplateNameLength = TemplateName.WireLength,
            Mode = _mode,
            Authoritative = authoritative,
            ResponseCode = responseCode,
            AnswerCount = (ushort)_answerCount,
            AuthorityCount = (ushort)_authorityCount,
            AdditionalCount = (ushort)_additionalCount,
            LengthWithoutAdditional = _lengthWithoutAdditional < 0 ? body.Length : _lengthWithoutAdditional,
            AdditionalRequired = additionalRequired,
            Fixups = SharedFixups(),
            Dynamic = dynamic,
            DynamicOwnerOffset = dynamicOwnerOffset,
            DynamicEmpty = dynamicEmpty,
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
        int lengthAt = _message.Count;
        WriteUInt16(0);
        int start = _message.Count;
        var rdata = record.RData;
        LastRDataNameOffset = -1;
        switch (record.Type)
        {
            // RFC 3597 4: only the RFC 1035 types may have names in RDATA compressed.
            case RecordType.NS or RecordType.CNAME or RecordType.PTR:
                LastRDataNameOffset = _message.Count;
                WriteName(DnsName.FromWire(rdata), compress: true);
                break;
            case RecordType.MX:
                _message.AddRange(rdata.AsSpan(0, 2).ToArray());
                LastRDataNameOffset = _message.Count;
                WriteName(DnsName.FromWire(rdata.AsSpan(2)), compress: true);
                break;
            case RecordType.SOA:
                int mnameLength = NameLength(rdata, 0);
                int rnameLength = NameLength(rdata, mnameLength);
                WriteName(DnsName.FromWire(rdata.AsSpan(0, mnameLength)), compress: true);
                WriteName(DnsName.FromWire(rdata.AsSpan(mnameLength, rnameLength)), compress: true);
                _message.AddRange(rdata.AsSpan(mnameLength + rnameLength).ToArray());
                break;
            default:
                if (record.Type is RecordType.DNAME or RecordType.SRV)
                {
                    LastRDataNameOffset = _message.Count + (record.Type == RecordType.SRV ? 6 : 0);
                }

                _message.AddRange(rdata);
                break;
        }

        int length = _message.Count - start;
        _message[lengthAt] = (byte)(length >> 8);
        _message[lengthAt + 1] = (byte)length;
    }

    private void WriteName(DnsName name, bool compress)
    {
        var wire = name.Wire;
        var key = name.Key;
        int pos = 0;
        while (wire[pos] != 0)
        {
            if (compress && _known.TryGetValue(key[pos..], out int target))
            {
                if (pos == 0 && LastRDataNameOffset == _message.Count)
                {
                    LastRDataNameOffset = target;
                }

                WritePointer(target, shifts: true);
                return;
            }

            if (_message.Count <= MaxPointerTarget)
            {
                _known.TryAdd(key[pos..], _message.Count);
            }

            int len = wire[pos];
            for (int i = pos; i <= pos + len; i++)
            {
                _message.Add(wire[i]);
            }

            pos += len + 1;
        }

        _message.Add(0);
    }

    private void WritePointer(int target, bool shifts)
    {
        if (shifts)
        {
            _fixups.Add(_message.Count);
        }

        WriteUInt16((ushort)(0xC000 | target));
    }

    private void WriteUInt16(ushort value)
    {
        _message.Add((byte)(value >> 8));
        _message.Add((byte)value);
    }

    private static int NameLength(byte[] wire, int start)
    {
        int pos = start;
        while (wire[pos] != 0)
        {
            pos += wire[pos] + 1;
        }

        return pos + 1 - start;
    }
}
