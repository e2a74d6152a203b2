using MlOps.Agent.Worker;
using MlOps.Core.Datasets;
using MlOps.Monitoring.Comparison;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Worker;

public sealed class BaselineComparisonTests : IDisposable
{
    private const int TestImages = 300;
    private readonly TempDirectory _temp = new("baseline-comparison");
    private readonly ImageSplit _test;

    public BaselineComparisonTests()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 10, TestImages);
        _test = MnistFormat.Load(_temp.Combine("data")).Test;
    }

    [Fact]
    public void Compare_SameModel_EqualAccuracyNoDiscordantPairsAndPIsOne()
    {
        var model = BandModelsForTests.Write(_temp.Combine("baseline", "model.onnx"), knownClasses: 7);

        var result = BaselineComparison.Compare(model, _temp.Combine("baseline"), _test, [1, 28, 28], 1);

        Assert.Equal(TestImages, result.Samples);
        Assert.Equal(_test.Labels.Count(l => l < 7), result.CandidateCorrect);
        Assert.Equal(result.CandidateCorrect, result.BaselineCorrect);
        Assert.Equal((0L, 0L), (result.CandidateOnlyCorrect, result.BaselineOnlyCorrect));
        Assert.Equal(1, result.McNemar.PValue);
    }

    [Fact]
    public void Compare_BetterCandidate_CountsArePairedAndConsistent()
    {
        var candidate = BandModelsForTests.Write(_temp.Combine("candidate.onnx"));
        BandModelsForTests.Write(_temp.Combine("baseline", "model.onnx"), knownClasses: 5);

        var result = BaselineComparison.Compare(candidate, _temp.Combine("baseline"), _test, [1, 28, 28], 1);

        var lowLabels = _test.Labels.Count(l => l < 5);
        Assert.Equal(TestImages, result.CandidateCorrect);
        Assert.Equal(lowLabels, result.BaselineCorrect);
        Assert.Equal(result.CandidateCorrect - result.BaselineCorrect, result.CandidateOnlyCorrect - result.BaselineOnlyCorrect);
        Assert.Equal(TestImages - lowLabels, result.CandidateOnlyCorrect);
        Assert.Equal(0, result.BaselineOnlyCorrect);
        Assert.Equal(McNemar.ExactTest(TestImages - lowLabels, 0).PValue, result.McNemar.PValue);
        Assert.True(result.McNemar.PValue < 1e-30);
    }

    [Fact]
    public void Compare_EachModelNormalisedWithItsOwnRecordedStd()
    {
        // With raw [0, 1] pixels class 0's bias outweighs any band; divided by std 0.01 the bands win.
        var candidate = BandModelsForTests.Write(_temp.Combine("candidate.onnx"), biasOfClassZero: 100, std: 0.01f);
        var baseline = BandModelsForTests.Write(_temp.Combine("baseline.onnx"), biasOfClassZero: 100);

        var result = BaselineComparison.Compare(candidate, baseline, _test, [1, 28, 28], 1);

        Assert.Equal(TestImages, result.CandidateCorrect);
        Assert.Equal(_test.Labels.Count(l => l == 0), result.BaselineCorrect);
    }

    [Fact]
    public void Compare_BaselineTakesOtherLayoutOfTheSamePixels_Compares()
    {
        var candidate = BandModelsForTests.Write(_temp.Combine("candidate.onnx"));
        var baseline = BandModelsForTests.Write(_temp.Combine("baseline.onnx"), inputShape: [784]);

        var result = BaselineComparison.Compare(candidate, baseline, _test, [1, 28, 28], 1);

        Assert.Equal((TestImages, TestImages), (result.CandidateCorrect, result.BaselineCorrect));
    }

    [Fact]
    public void Compare_BaselineTakesOtherImages_ThrowsNamingTheBaselineInput()
    {
        var candidate = BandModelsForTests.Write(_temp.Combine("candidate.onnx"));
        var baseline = BandModelsForTests.Write(_temp.Combine("baseline.onnx"), inputShape: [1, 14, 14]);

        var ex = Assert.Throws<InvalidOperationException>(() => BaselineComparison.Compare(candidate, baseline, _test, [1, 28, 28], 1));

        Assert.Equal("the baseline input [1, 14, 14] is not one 28x28 image", ex.Message);
    }

    [Fact]
    public void Compare_CandidateShapeNotOneImage_Throws()
    {
        var candidate = BandModelsForTests.Write(_temp.Combine("candidate.onnx"));

        var ex = Assert.Throws<InvalidOperationException>(() => BaselineComparison.Compare(candidate, candidate, _test, [3, 28, 28], 1));

        Assert.Equal("the candidate input [3, 28, 28] is not one 28x28 image", ex.Message);
    }

    [Fact]
    public void Compare_BaselineDirectoryWithoutModel_ThrowsFileNotFound()
    {
        var candidate = BandModelsForTests.Write(_temp.Combine("candidate.onnx"));
        Directory.CreateDirectory(_temp.Combine("empty"));

        var ex = Assert.Throws<FileNotFoundException>(() => BaselineComparison.Compare(candidate, _temp.Combine("empty"), _test, [1, 28, 28], 1));

        Assert.Contains(Path.Combine(_temp.Combine("empty"), "model.onnx"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_SmallP_OneLineWithScientificP()
    {
        var result = new BaselineComparisonResult(1000, 845, 791, McNemar.ExactTest(81, 27));

        Assert.Equal(
            "compared with fashion-mlp v1 on 1000 test images: candidate 0.8450, baseline 0.7910, only-candidate 81, only-baseline 27, McNemar p=1.9e-07",
            result.Describe("fashion-mlp v1"));
        Assert.EndsWith("McNemar p=0.0386", new BaselineComparisonResult(100, 60, 52, McNemar.ExactTest(10, 2)).Describe("m v2"), StringComparison.Ordinal);
        Assert.EndsWith("McNemar p=1", new BaselineComparisonResult(100, 50, 50, McNemar.ExactTest(3, 3)).Describe("m v2"), StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
