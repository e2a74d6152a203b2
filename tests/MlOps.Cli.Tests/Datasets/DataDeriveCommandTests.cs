using MlOps.Cli;
using MlOps.Core.Datasets;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Datasets;

public sealed class DataDeriveCommandTests
{
    [Fact]
    public async Task Derive_BrightnessOnHalfTheTrainingImages_WritesALoadableDatasetAndSaysWhat()
    {
        using var directory = new TempDirectory("mlops-derive");
        TinyMnistDataset.Write(directory.Path, trainCount: 40, testCount: 20);
        var target = directory.Combine("shifted");

        var result = await CliRun.RunAsync("data", "derive", directory.Path, "--out", target, "--brightness", "0.3", "--train-fraction", "0.5", "--append");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var derived = MnistFormat.Load(target);
        Assert.Equal((60, 40), (derived.Train.Count, derived.Test.Count));
        Assert.Contains("train 60 images (20 shifted), test 40 images (20 shifted)", result.Out);
        Assert.True(derived.Test.Pixels.Average(p => p) > MnistFormat.Load(directory.Path).Test.Pixels.Average(p => p) + 25);
    }

    [Fact]
    public async Task Derive_BadValues_EveryProblemNamedAndNothingWritten()
    {
        using var directory = new TempDirectory("mlops-derive");
        TinyMnistDataset.Write(directory.Path, trainCount: 10, testCount: 10);
        var target = directory.Combine("shifted");

        var result = await CliRun.RunAsync("data", "derive", directory.Path, "--out", target, "--brightness", "2", "--test-fraction", "1.5");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--brightness must be between -1 and 1", result.Error);
        Assert.Contains("--test-fraction must be between 0 and 1", result.Error);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task Derive_MissingSourceFiles_ErrorNamesTheFile()
    {
        using var directory = new TempDirectory("mlops-derive");

        var result = await CliRun.RunAsync("data", "derive", directory.Path, "--out", directory.Combine("x"), "--invert");

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("train-images-idx3-ubyte.gz", result.Error);
    }
}
