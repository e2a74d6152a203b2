using MlOps.Testing;
using MlOps.Training.Native;
using MlOps.Training.Tests.Support;
using MlOps.Training.Tests.Training;

namespace MlOps.Training.Tests.Native;

[Collection(TorchCollection.Name)]
public sealed class InstalledLibTorchTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>
{
    [Fact]
    public void Check_NoSuchDirectory_NamesIt()
    {
        var ex = Assert.Throws<TorchSharpLoadException>(() => InstalledLibTorch.Check("/nonexistent/torch/lib", null));

        Assert.Contains("/nonexistent/torch/lib is not a directory", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MLOPS_LIBTORCH_DIR", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DirectoryWithoutLibTorch_ListsEveryMissingFile()
    {
        using var fake = new TempDirectory("mlops-fake-torch-");
        File.WriteAllBytes(fake.Combine("libc10.so"), []);

        var ex = Assert.Throws<TorchSharpLoadException>(() => InstalledLibTorch.Check(fake.Path, null));

        Assert.Contains(fake.Path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch_cpu.so, libtorch.so missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OtherLibTorchWhileTheBuildShipsOne_RefusesNamingTheClash()
    {
        using var other = FakeLibTorch();

        var ex = Assert.Throws<TorchSharpLoadException>(() => InstalledLibTorch.Check(other.Path, NativeFiles.Directory));

        Assert.Contains(Path.Combine(NativeFiles.Directory, "libc10.so"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("MlOpsTorchBackend=external", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Preload_FilesThatAreNotLibraries_NamesTheFile()
    {
        using var fake = FakeLibTorch();

        var ex = Assert.Throws<TorchSharpLoadException>(() => InstalledLibTorch.Preload(fake.Path));

        Assert.Contains(fake.Combine("libc10.so"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("did not load", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadWithInstalledLibTorch_LinkedDirectory_LoadsBindsNowAndTrains()
    {
        // A directory elsewhere whose libraries are the packaged ones (links, as a site might lay out its own).
        using var root = new TempDirectory("mlops-installed-torch-");
        var linked = root.Combine("torch-lib");
        Directory.CreateSymbolicLink(linked, NativeFiles.Directory);
        var prepared = TorchSharpLoader.Prepare(new TorchSharpLoaderOptions { NativeDirectory = NativeFiles.Directory });

        var outcome = TorchSharpLoader.LoadWithInstalledLibTorch(prepared, linked, NativeFiles.Directory);

        Assert.Equal(Path.GetFullPath(linked), outcome.LibTorchDirectory);
        using var output = new TempDirectory("mlops-installed-out-");
        var request = new TrainingRequest(Specs.Mlp(16), Specs.Adam(epochs: 1), 1, dataset.Path, output.Path) { Threads = 1, MaxTrainSamples = 64 };
        var result = new Trainer().Train(request, new RecordingObserver(), CancellationToken.None);
        Assert.True(File.Exists(result.WeightsPath));
    }

    private static TempDirectory FakeLibTorch()
    {
        var fake = new TempDirectory("mlops-fake-torch-");
        foreach (var file in InstalledLibTorch.RequiredFiles)
        {
            File.WriteAllBytes(fake.Combine(file), [0x7f, (byte)'E', (byte)'L', (byte)'F']);
        }

        return fake;
    }
}
