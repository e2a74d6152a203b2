using System.Buffers.Binary;

namespace MlOps.Training.Native;

/// <summary>
/// Makes an ELF shared library loadable where one needed symbol version is missing, by (1) binding the one
/// symbol that asks for that version to the global version (index 1) in <c>.gnu.version</c> and (2) marking
/// the version's <c>.gnu.version_r</c> entry <c>VER_FLG_WEAK</c>, so the dynamic loader no longer refuses the
/// library when the providing library lacks the version. Works on an in-memory copy; the input is not changed.
/// </summary>
internal static class WeakVersionPatch
{
    /// <summary><c>VER_NDX_GLOBAL</c>: the symbol is bound without a version.</summary>
    public const ushort GlobalVersionIndex = 1;

    /// <summary><c>VER_FLG_WEAK</c> in <c>vna_flags</c>.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>How a symbol and the version it needed look in an image.</summary>
    /// <param name="Versym">The symbol's <c>.gnu.version</c> entry.</param>
    /// <param name="VersionFlags">The <c>vna_flags</c> of the version's <c>.gnu.version_r</c> entry.</param>
    /// <param name="VersionIndex">The version's index (<c>vna_other</c>).</param>
    public sealed record State(ushort Versym, ushort VersionFlags, ushort VersionIndex)
    {
        public bool IsPatched => Versym == GlobalVersionIndex && (VersionFlags & WeakFlag) != 0;
    }

    /// <summary>Reads the current state of <paramref name="symbol"/> and <paramref name="version"/>.</summary>
    public static State Inspect(byte[] image, string fileName, string symbol, string version)
    {
        var elf = ElfImage.Parse(image, fileName);
        var need = FindNeed(elf, version);
        return new State(elf.ReadVersym(elf.FindDynamicSymbol(symbol)), need.Flags, need.Index);
    }

    /// <summary>Returns a patched copy of <paramref name="image"/>. Already patched input comes back unchanged.</summary>
    /// <exception cref="ElfFormatException">The file is not ELF64, is truncated, lacks the symbol or version, or
    /// other symbols need the same version (weakening it would then hide real missing symbols).</exception>
    public static byte[] Apply(byte[] image, string fileName, string symbol, string version)
    {
        var elf = ElfImage.Parse(image, fileName);
        var need = FindNeed(elf, version);
        var symbolIndex = elf.FindDynamicSymbol(symbol);
        var current = (ushort)(elf.ReadVersym(symbolIndex) & 0x7fff);
        if (current != need.Index && current != GlobalVersionIndex)
        {
            throw elf.Fail($"symbol {symbol} has version index {current}, not {need.Index} ({version}); refusing to patch an unexpected layout");
        }

        var others = elf.AllVersyms().Where(v => v.Version == need.Index && v.Symbol != symbolIndex).Select(v => v.Symbol).ToList();
        if (others.Count > 0)
        {
            throw elf.Fail($"{others.Count} other dynamic symbol(s) besides {symbol} need {version} (first: index {others[0]}); weakening it would hide them");
        }

        var patched = (byte[])image.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(patched.AsSpan(elf.VersymOffset(symbolIndex), 2), GlobalVersionIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(patched.AsSpan(need.Offset + 4, 2), (ushort)(need.Flags | WeakFlag));
        return patched;
    }

    private static ElfImage.VersionNeed FindNeed(ElfImage elf, string version) =>
        elf.VersionNeeds().FirstOrDefault(n => n.Name == version)
        ?? throw elf.Fail($"has no .gnu.version_r entry for version {version}");
}
