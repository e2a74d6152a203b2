using System.Buffers.Binary;
using System.Text;

namespace MlOps.Training.Native;

/// <summary>
/// A read-only view of a little-endian ELF64 file's section headers and the dynamic symbol-versioning
/// tables (<c>.dynsym</c>, <c>.dynstr</c>, <c>.gnu.version</c>, <c>.gnu.version_r</c>). Only what the
/// GLIBCXX patch needs; every bound is checked, and every failure names the file.
/// </summary>
internal sealed class ElfImage
{
    internal const uint ShtStrtab = 3;
    internal const uint ShtDynsym = 11;
    internal const uint ShtGnuVerneed = 0x6ffffffe;
    internal const uint ShtGnuVersym = 0x6fffffff;

    private const int SectionHeaderSize = 64;
    private const int SymbolSize = 24;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;

    private readonly byte[] _image;
    private readonly List<Section> _sections;

    private ElfImage(byte[] image, string fileName)
    {
        _image = image;
        FileName = fileName;
        _sections = ReadSectionHeaders();
    }

    /// <summary>The file the bytes came from; used in error messages only.</summary>
    public string FileName { get; }

    /// <summary>One section header, with its name resolved through <c>.shstrtab</c>.</summary>
    internal sealed record Section(string Name, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize);

    /// <summary>One <c>Elf64_Vernaux</c> entry: a version a needed library must provide. <c>Offset</c> is the
    /// entry's file offset, so a patch can write its <c>vna_flags</c>.</summary>
    internal sealed record VersionNeed(string File, string Name, ushort Flags, ushort Index, int Offset);

    public static ElfImage Parse(byte[] image, string fileName) => new(image, fileName);

    public Section RequireSection(string name, uint type)
    {
        var section = _sections.FirstOrDefault(s => s.Name == name)
            ?? throw Fail($"has no {name} section");
        if (section.Type != type)
        {
            throw Fail($"section {name} has type 0x{section.Type:x}; expected 0x{type:x}");
        }

        CheckRange(section.Offset, section.Size, $"section {name}");
        return section;
    }

    /// <summary>Index of the dynamic symbol called <paramref name="symbol"/>.</summary>
    public int FindDynamicSymbol(string symbol)
    {
        var dynsym = RequireSection(".dynsym", ShtDynsym);
        var dynstr = RequireSection(".dynstr", ShtStrtab);
        var count = checked((int)(dynsym.Size / SymbolSize));
        for (var i = 1; i < count; i++)
        {
            var entry = checked((int)dynsym.Offset + (i * SymbolSize));
            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(_image.AsSpan(entry, 4));
            if (ReadString(dynstr, nameOffset) == symbol)
            {
                return i;
            }
        }

        throw Fail($"does not define or reference the dynamic symbol {symbol}");
    }

    /// <summary>Offset of the <c>.gnu.version</c> entry for dynamic symbol <paramref name="symbolIndex"/>.</summary>
    public int VersymOffset(int symbolIndex)
    {
        var versym = RequireSection(".gnu.version", ShtGnuVersym);
        var offset = (ulong)symbolIndex * 2;
        if (offset + 2 > versym.Size)
        {
            throw Fail($".gnu.version has no entry for dynamic symbol {symbolIndex}");
        }

        return checked((int)(versym.Offset + offset));
    }

    public ushort ReadVersym(int symbolIndex) =>
        BinaryPrimitives.ReadUInt16LittleEndian(_image.AsSpan(VersymOffset(symbolIndex), 2));

    /// <summary>Every version index the symbol table uses, one per dynamic symbol (hidden bit masked off).</summary>
    public IEnumerable<(int Symbol, ushort Version)> AllVersyms()
    {
        var versym = RequireSection(".gnu.version", ShtGnuVersym);
        var count = (int)(versym.Size / 2);
        for (var i = 0; i < count; i++)
        {
            var value = BinaryPrimitives.ReadUInt16LittleEndian(_image.AsSpan(checked((int)versym.Offset + (i * 2)), 2));
            yield return (i, (ushort)(value & 0x7fff));
        }
    }

    /// <summary>All <c>Elf64_Vernaux</c> entries of <c>.gnu.version_r</c>, in file order.</summary>
    public IReadOnlyList<VersionNeed> VersionNeeds()
    {
        var verneed = RequireSection(".gnu.version_r", ShtGnuVerneed);
        var dynstr = RequireSection(".dynstr", ShtStrtab);
        var needs = new List<VersionNeed>();
        var end = verneed.Offset + verneed.Size;
        var entry = verneed.Offset;
        // sh_info holds the number of Verneed entries; vn_next chains them. Both bound the walk.
        for (var n = 0u; n < verneed.Info; n++)
        {
            if (entry + VerneedSize > end)
            {
                throw Fail($".gnu.version_r entry {n} lies outside the section");
            }

            var span = _image.AsSpan(checked((int)entry), VerneedSize);
            var auxCount = BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);
            var file = ReadString(dynstr, BinaryPrimitives.ReadUInt32LittleEndian(span[4..]));
            var auxOffset = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
            var next = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);

            var aux = entry + auxOffset;
            for (var a = 0; a < auxCount; a++)
            {
                if (aux + VernauxSize > end)
                {
                    throw Fail($".gnu.version_r auxiliary entry {a} of {file} lies outside the section");
                }

                var auxSpan = _image.AsSpan(checked((int)aux), VernauxSize);
                var flags = BinaryPrimitives.ReadUInt16LittleEndian(auxSpan[4..]);
                var index = BinaryPrimitives.ReadUInt16LittleEndian(auxSpan[6..]);
                var name = ReadString(dynstr, BinaryPrimitives.ReadUInt32LittleEndian(auxSpan[8..]));
                needs.Add(new VersionNeed(file, name, flags, index, (int)aux));
                var auxNext = BinaryPrimitives.ReadUInt32LittleEndian(auxSpan[12..]);
                if (auxNext == 0)
                {
                    break;
                }

                aux += auxNext;
            }

            if (next == 0)
            {
                break;
            }

            entry += next;
        }

        return needs;
    }

    public ElfFormatException Fail(string message) => new(FileName, message);

    private List<Section> ReadSectionHeaders()
    {
        var span = _image.AsSpan();
        if (span.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
        {
            throw Fail("is not an ELF file (missing the 0x7f 'ELF' magic or shorter than an ELF header)");
        }

        if (span[4] != 2)
        {
            throw Fail($"is ELF class {span[4]}; only ELF64 (class 2) is supported");
        }

        if (span[5] != 1)
        {
            throw Fail($"has data encoding {span[5]}; only little-endian (1) is supported");
        }

        var sectionHeaders = BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3a..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3c..]);
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3e..]);
        if (entrySize != SectionHeaderSize)
        {
            throw Fail($"declares section headers of {entrySize} bytes; ELF64 uses {SectionHeaderSize}");
        }

        if (count == 0 || namesIndex >= count)
        {
            throw Fail($"has {count} section headers and names index {namesIndex}; cannot find the section names");
        }

        CheckRange(sectionHeaders, (ulong)count * SectionHeaderSize, "the section header table (truncated file?)");

        var raw = new List<(uint NameOffset, Section Section)>(count);
        for (var i = 0; i < count; i++)
        {
            var h = span.Slice(checked((int)sectionHeaders + (i * SectionHeaderSize)), SectionHeaderSize);
            raw.Add((BinaryPrimitives.ReadUInt32LittleEndian(h), new Section(
                "",
                BinaryPrimitives.ReadUInt32LittleEndian(h[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(h[24..]),
                BinaryPrimitives.ReadUInt64LittleEndian(h[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[40..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[44..]),
                BinaryPrimitives.ReadUInt64LittleEndian(h[56..]))));
        }

        var names = raw[namesIndex].Section;
        CheckRange(names.Offset, names.Size, "the section name table (.shstrtab)");
        return raw.Select(r => r.Section with { Name = ReadString(names, r.NameOffset) }).ToList();
    }

    private string ReadString(Section table, uint offset)
    {
        if (offset >= table.Size)
        {
            throw Fail($"string offset {offset} lies outside {(table.Name.Length > 0 ? table.Name : "the string table")}");
        }

        var span = _image.AsSpan(checked((int)(table.Offset + offset)), checked((int)(table.Size - offset)));
        var length = span.IndexOf((byte)0);
        if (length < 0)
        {
            throw Fail($"string at offset {offset} of {table.Name} is not terminated");
        }

        return Encoding.UTF8.GetString(span[..length]);
    }

    private void CheckRange(ulong offset, ulong size, string what)
    {
        if (offset > (ulong)_image.Length || size > (ulong)_image.Length - offset)
        {
            throw Fail($"{what} spans bytes {offset}..{offset + size}, past the end of the file ({_image.Length} bytes); the file is truncated or damaged");
        }
    }
}
