using MlOps.Core.Datasets;
using MlOps.Testing;

namespace MlOps.Core.Tests.Datasets;

public sealed class MnistFormatTests : IDisposable
{
    private const string TrainImages = "train-images-idx3-ubyte.gz";
    private const string TrainLabels = "train-labels-idx1-ubyte.gz";
    private const string TestImages = "t10k-images-idx3-ubyte.gz";
    private const string TestLabels = "t10k-labels-idx1-ubyte.gz";

    private readonly TempDirectory _dir = new("mlops-mnist");

    public MnistFormatTests()
    {
        TinyMnistDataset.Write(_dir.Path, trainCount: 50, testCount: 20);
    }

    public void Dispose() => _dir.Dispose();

    private DatasetException AssertNamesFile(string name, Action load)
    {
        var path = _dir.Combine(name);
        var ex = Assert.Throws<DatasetException>(load);
        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith(path + ": ", ex.Message);
        return ex;
    }

    [Fact]
    public void FileNames_AreTheFourMnistFilesInOrder()
    {
        Assert.Equal([TrainImages, TrainLabels, TestImages, TestLabels], MnistFormat.FileNames);
    }

    [Fact]
    public void Load_ValidDataset_ReturnsBothSplits()
    {
        var data = MnistFormat.Load(_dir.Path, expectedTrain: 50, expectedTest: 20);

        Assert.Equal(10, data.Classes);
        Assert.Equal((50, 28, 28), (data.Train.Count, data.Train.Height, data.Train.Width));
        Assert.Equal((20, 28, 28), (data.Test.Count, data.Test.Height, data.Test.Width));
        Assert.Equal(50 * 28 * 28, data.Train.Pixels.Length);
        Assert.Equal(20, data.Test.Labels.Length);
        Assert.All(data.Train.Labels, l => Assert.InRange(l, 0, 9));
    }

    [Fact]
    public void Load_MoreLabelsThanImages_ThrowsNamingLabelsFile()
    {
        TinyMnistDataset.WriteIdx(_dir.Combine(TrainLabels), [51], new byte[51]);

        var ex = AssertNamesFile(TrainLabels, () => MnistFormat.Load(_dir.Path));

        Assert.Contains("51 labels", ex.Message);
        Assert.Contains("50 images", ex.Message);
    }

    [Fact]
    public void Load_LabelOutOfRange_ThrowsNamingLabelsFileAndIndex()
    {
        var labels = new byte[20];
        labels[7] = 10;
        TinyMnistDataset.WriteIdx(_dir.Combine(TestLabels), [20], labels);

        var ex = AssertNamesFile(TestLabels, () => MnistFormat.Load(_dir.Path));

        Assert.Contains("label 7 is 10", ex.Message);
    }

    [Theory]
    [InlineData(TrainImages)]
    [InlineData(TrainLabels)]
    [InlineData(TestImages)]
    [InlineData(TestLabels)]
    public void Load_FileMissing_ThrowsNamingThatFile(string name)
    {
        File.Delete(_dir.Combine(name));

        var ex = AssertNamesFile(name, () => MnistFormat.Load(_dir.Path));

        Assert.Contains("not found", ex.Message);
    }

    [Fact]
    public void Load_DirectoryMissing_ThrowsNamingDirectory()
    {
        var missing = _dir.Combine("nowhere");

        var ex = Assert.Throws<DatasetException>(() => MnistFormat.Load(missing));

        Assert.Equal(missing, ex.FilePath);
        Assert.Contains("directory not found", ex.Message);
    }

    [Fact]
    public void Load_TruncatedGzipImages_ThrowsNamingFile()
    {
        TinyMnistDataset.Truncate(_dir.Combine(TrainImages), 0.6);

        AssertNamesFile(TrainImages, () => MnistFormat.Load(_dir.Path));
    }

    [Fact]
    public void Load_ImagesFileHoldsLabels_ThrowsNamingFileAndRank()
    {
        File.Copy(_dir.Combine(TestLabels), _dir.Combine(TestImages), overwrite: true);

        var ex = AssertNamesFile(TestImages, () => MnistFormat.Load(_dir.Path));

        Assert.Contains("expected 3", ex.Message);
    }

    [Fact]
    public void Load_UnexpectedTrainCount_ThrowsNamingImagesFile()
    {
        var ex = AssertNamesFile(TrainImages, () => MnistFormat.Load(_dir.Path, expectedTrain: 60_000));

        Assert.Contains("holds 50 images; expected 60000", ex.Message);
    }

    [Fact]
    public void Load_TestImagesOtherSizeThanTrain_ThrowsNamingTestImages()
    {
        TinyMnistDataset.WriteIdx(_dir.Combine(TestImages), [20, 14, 14], new byte[20 * 14 * 14]);

        var ex = AssertNamesFile(TestImages, () => MnistFormat.Load(_dir.Path));

        Assert.Contains("14x14", ex.Message);
        Assert.Contains("28x28", ex.Message);
    }
}
