using System.Runtime.InteropServices;
using MlOps.Testing;
using MlOps.Training.Native;
using MlOps.Training.Tests.Support;
using TorchSharp;

namespace MlOps.Training.Tests.Native;

[Collection(TorchCollection.Name)]
public sealed class TorchSharpLoaderTests
{
    private static bool SystemHasGlibcxx332 => LibStdCxxProbe.ExportsIosBaseLibraryInit();

    [Fact]
    public void Prepare_ProbeSaysPresent_UsesShippedLibraryAndWritesNothing()
    {
        using var native = NativeFiles.CopyShippedLibrary();
        var before = File.ReadAllBytes(native.Combine(TorchSharpLoader.LibraryFileName));
        var probed = 0;

        var outcome = TorchSharpLoader.Prepare(new TorchSharpLoaderOptions
        {
            NativeDirectory = native.Path,
            LibStdCxxProbe = () => { probed++; return true; },
        });

        Assert.Equal(1, probed);
        Assert.Equal(LoaderPath.AsShipped, outcome.Path);
        Assert.Equal(native.Combine(TorchSharpLoader.LibraryFileName), outcome.LibraryPath);
        Assert.False(outcome.CompatCopyWritten);
        Assert.Equal([TorchSharpLoader.LibraryFileName], Directory.GetFiles(native.Path).Select(Path.GetFileName));
        Assert.Equal(before, File.ReadAllBytes(native.Combine(TorchSharpLoader.LibraryFileName)));
    }

    [Fact]
    public void Prepare_ProbeSaysMissing_WritesPatchedCopyBesideOriginal()
    {
        using var native = NativeFiles.CopyShippedLibrary();
        var originalPath = native.Combine(TorchSharpLoader.LibraryFileName);
        var before = File.ReadAllBytes(originalPath);

        var outcome = TorchSharpLoader.Prepare(new TorchSharpLoaderOptions { NativeDirectory = native.Path, LibStdCxxProbe = () => false });

        Assert.Equal(LoaderPath.CompatCopy, outcome.Path);
        Assert.Equal(native.Combine(TorchSharpLoader.CompatFileName), outcome.LibraryPath);
        Assert.True(outcome.CompatCopyWritten);
        Assert.Equal(before, File.ReadAllBytes(originalPath));

        var compat = File.ReadAllBytes(outcome.LibraryPath!);
        var patched = WeakVersionPatch.Inspect(compat, outcome.LibraryPath!, TorchSharpLoader.MarkerSymbol, TorchSharpLoader.MissingVersion);
        var shipped = WeakVersionPatch.Inspect(before, originalPath, TorchSharpLoader.MarkerSymbol, TorchSharpLoader.MissingVersion);
        Assert.Equal(WeakVersionPatch.GlobalVersionIndex, patched.Versym);
        Assert.Equal(WeakVersionPatch.WeakFlag, patched.VersionFlags & WeakVersionPatch.WeakFlag);
        Assert.Equal(shipped.VersionIndex, shipped.Versym);
        Assert.Equal(0, shipped.VersionFlags & WeakVersionPatch.WeakFlag);

        // Exactly the two 2-byte fields differ.
        var differing = Enumerable.Range(0, before.Length).Count(i => before[i] != compat[i]);
        Assert.InRange(differing, 2, 4);
    }

    [Fact]
    public void Prepare_CompatCopyPresentAndMatching_ReusesIt()
    {
        using var native = NativeFiles.CopyShippedLibrary();
        var options = new TorchSharpLoaderOptions { NativeDirectory = native.Path, LibStdCxxProbe = () => false };
        var first = TorchSharpLoader.Prepare(options);
        var stamp = File.GetLastWriteTimeUtc(first.LibraryPath!);

        var second = TorchSharpLoader.Prepare(options);

        Assert.True(first.CompatCopyWritten);
        Assert.False(second.CompatCopyWritten);
        Assert.Equal(first.LibraryPath, second.LibraryPath);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(second.LibraryPath!));
        Assert.Equal(2, Directory.GetFiles(native.Path).Length);
    }

    [Fact]
    public void Prepare_CompatCopyDamaged_RewritesIt()
    {
        using var native = NativeFiles.CopyShippedLibrary();
        var options = new TorchSharpLoaderOptions { NativeDirectory = native.Path, LibStdCxxProbe = () => false };
        var first = TorchSharpLoader.Prepare(options);
        var good = File.ReadAllBytes(first.LibraryPath!);
        File.WriteAllBytes(first.LibraryPath!, good.AsSpan(0, 1000).ToArray());

        var second = TorchSharpLoader.Prepare(options);

        Assert.True(second.CompatCopyWritten);
        Assert.Equal(good, File.ReadAllBytes(second.LibraryPath!));
        Assert.DoesNotContain(Directory.GetFiles(native.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Prepare_ShippedLibraryNotElf_ThrowsNamingFileAndSymbol()
    {
        using var native = new TempDirectory("mlops-native");
        File.WriteAllText(native.Combine(TorchSharpLoader.LibraryFileName), "not a shared library");

        var ex = Assert.Throws<TorchSharpLoadException>(() =>
            TorchSharpLoader.Prepare(new TorchSharpLoaderOptions { NativeDirectory = native.Path, LibStdCxxProbe = () => false }));

        Assert.Contains(native.Combine(TorchSharpLoader.LibraryFileName), ex.Message);
        Assert.Contains(TorchSharpLoader.MarkerSymbol, ex.Message);
        Assert.Contains("not an ELF file", ex.Message);
        Assert.False(File.Exists(native.Combine(TorchSharpLoader.CompatFileName)));
    }

    [Fact]
    public void Prepare_ShippedLibraryMissing_ThrowsNamingFile()
    {
        using var native = new TempDirectory("mlops-native");

        var ex = Assert.Throws<TorchSharpLoadException>(() =>
            TorchSharpLoader.Prepare(new TorchSharpLoaderOptions { NativeDirectory = native.Path, LibStdCxxProbe = () => false }));

        Assert.Contains(native.Combine(TorchSharpLoader.LibraryFileName), ex.Message);
    }

    [Fact]
    public void EnsureLoaded_Default_TorchSharpWorks()
    {
        var outcome = TorchSharpLoader.EnsureLoaded();

        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = torch.ones(3);
        using var sum = a + b;
        Assert.Equal([2f, 3f, 4f], sum.data<float>().ToArray());

        // On a system whose libstdc++ lacks GLIBCXX_3.4.32 (Debian 12) this is the patched-copy path end to end.
        var expected = SystemHasGlibcxx332 ? LoaderPath.AsShipped : LoaderPath.CompatCopy;
        Assert.Equal(expected, outcome.Path);
        if (outcome.Path == LoaderPath.CompatCopy)
        {
            Assert.Equal(TorchSharpLoader.CompatFileName, Path.GetFileName(outcome.LibraryPath));
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(outcome.LibraryPath)!, "libtorch_cpu.so")));
            var state = WeakVersionPatch.Inspect(
                File.ReadAllBytes(outcome.LibraryPath!), outcome.LibraryPath!, TorchSharpLoader.MarkerSymbol, TorchSharpLoader.MissingVersion);
            Assert.True(state.IsPatched);
        }
    }

    [Fact]
    public void EnsureLoaded_SystemLacksGlibcxx332_ShippedLibraryWouldNotLoad()
    {
        if (SystemHasGlibcxx332)
        {
            return; // Nothing to show on a system with GCC 13's libstdc++: the shipped library loads there.
        }

        TorchSharpLoader.EnsureLoaded();

        Assert.False(NativeLibrary.TryLoad(NativeFiles.ShippedLibrary, out _));
    }

    [Fact]
    public void EnsureLoaded_CalledConcurrently_ReturnsOneOutcome()
    {
        var outcomes = new LoaderOutcome[8];

        Parallel.For(0, outcomes.Length, i => outcomes[i] = TorchSharpLoader.EnsureLoaded());

        Assert.All(outcomes, o => Assert.Same(outcomes[0], o));
    }
}
