using MlOps.Training.Native;
using MlOps.Training.Tests.Support;

namespace MlOps.Training.Tests.Native;

public sealed class WeakVersionPatchTests
{
    private const string Symbol = TorchSharpLoader.MarkerSymbol;
    private const string Version = TorchSharpLoader.MissingVersion;

    private static readonly Lazy<byte[]> Shipped = new(() => File.ReadAllBytes(NativeFiles.ShippedLibrary));

    [Fact]
    public void Apply_ShippedLibrary_BindsSymbolGlobalAndMarksVersionWeak()
    {
        var patched = WeakVersionPatch.Apply(Shipped.Value, "lib.so", Symbol, Version);

        var state = WeakVersionPatch.Inspect(patched, "lib.so", Symbol, Version);
        Assert.Equal(WeakVersionPatch.GlobalVersionIndex, state.Versym);
        Assert.NotEqual(0, state.VersionFlags & WeakVersionPatch.WeakFlag);
        Assert.True(state.IsPatched);
    }

    [Fact]
    public void Apply_ShippedLibrary_LeavesInputUnchanged()
    {
        var input = (byte[])Shipped.Value.Clone();

        WeakVersionPatch.Apply(input, "lib.so", Symbol, Version);

        Assert.Equal(Shipped.Value, input);
        Assert.False(WeakVersionPatch.Inspect(input, "lib.so", Symbol, Version).IsPatched);
    }

    [Fact]
    public void Apply_AlreadyPatched_ReturnsSameBytes()
    {
        var once = WeakVersionPatch.Apply(Shipped.Value, "lib.so", Symbol, Version);

        var twice = WeakVersionPatch.Apply(once, "lib.so", Symbol, Version);

        Assert.Equal(once, twice);
    }

    [Fact]
    public void Apply_NotElf_ThrowsNamingFile()
    {
        var ex = Assert.Throws<ElfFormatException>(() =>
            WeakVersionPatch.Apply("#!/bin/sh\necho this is a script, not a library\n"u8.ToArray().Concat(new byte[64]).ToArray(), "/x/script.so", Symbol, Version));

        Assert.Equal("/x/script.so", ex.FilePath);
        Assert.StartsWith("/x/script.so: ", ex.Message);
        Assert.Contains("not an ELF file", ex.Message);
    }

    [Fact]
    public void Apply_EmptyFile_ThrowsNamingFile()
    {
        var ex = Assert.Throws<ElfFormatException>(() => WeakVersionPatch.Apply([], "/x/empty.so", Symbol, Version));

        Assert.Contains("/x/empty.so", ex.Message);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(1_000_000)]
    public void Apply_TruncatedLibrary_ThrowsNamingFileAndTruncation(int length)
    {
        var truncated = Shipped.Value.AsSpan(0, length).ToArray();

        var ex = Assert.Throws<ElfFormatException>(() => WeakVersionPatch.Apply(truncated, "/x/cut.so", Symbol, Version));

        Assert.Contains("/x/cut.so", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void Apply_Elf32_ThrowsNamingClass()
    {
        var image = (byte[])Shipped.Value.Clone();
        image[4] = 1;

        var ex = Assert.Throws<ElfFormatException>(() => WeakVersionPatch.Apply(image, "/x/lib32.so", Symbol, Version));

        Assert.Contains("only ELF64", ex.Message);
    }

    [Fact]
    public void Apply_SymbolAbsent_ThrowsNamingSymbol()
    {
        var ex = Assert.Throws<ElfFormatException>(() => WeakVersionPatch.Apply(Shipped.Value, "/x/lib.so", "_Z11no_such_symbolv", Version));

        Assert.Contains("_Z11no_such_symbolv", ex.Message);
        Assert.Contains("/x/lib.so", ex.Message);
    }

    [Fact]
    public void Apply_VersionAbsent_ThrowsNamingVersion()
    {
        var ex = Assert.Throws<ElfFormatException>(() => WeakVersionPatch.Apply(Shipped.Value, "/x/lib.so", Symbol, "GLIBCXX_9.9.99"));

        Assert.Contains("GLIBCXX_9.9.99", ex.Message);
    }

    [Fact]
    public void Apply_VersionUsedByOtherSymbols_Refuses()
    {
        // GLIBCXX_3.4 is needed by many symbols; weakening it would hide real missing symbols.
        var ex = Assert.Throws<ElfFormatException>(() => WeakVersionPatch.Apply(Shipped.Value, "/x/lib.so", Symbol, "GLIBCXX_3.4"));

        Assert.Contains("/x/lib.so", ex.Message);
    }
}
