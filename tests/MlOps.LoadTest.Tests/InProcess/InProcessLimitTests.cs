using MlOps.LoadTest.InProcess;
using MlOps.Onnx.Protos;
using MlOps.Testing;

namespace MlOps.LoadTest.Tests.InProcess;

public sealed class InProcessLimitTests : IDisposable
{
    // Short and on few threads: these check the bookkeeping, not the speed.
    private static readonly InProcessSettings Quick = new() { WarmUp = TimeSpan.FromMilliseconds(100), IntraOpThreads = 1 };
    private static readonly TimeSpan Duration = TimeSpan.FromMilliseconds(300);
    private readonly TempDirectory _temp = new("mlops-inprocess");

    [Fact]
    public void Measure_Mlp_CountsBatchesAndReportsOrderedPercentiles()
    {
        var path = OnnxModelsForTests.WriteMlp(_temp.Path);

        var result = InProcessLimit.Measure(path, batchSize: 8, Duration, Quick);

        Assert.Equal(8, result.BatchSize);
        Assert.True(result.Batches > 0, $"batches {result.Batches}");
        Assert.True(result.SamplesPerSecond > 0, $"samples/s {result.SamplesPerSecond}");
        Assert.True(result.P50Ms > 0, $"p50 {result.P50Ms}");
        Assert.True(result.P50Ms <= result.P99Ms, $"p50 {result.P50Ms} > p99 {result.P99Ms}");
        Assert.Equal(1, result.IntraOpThreads);
    }

    [Fact]
    public void Measure_DefaultThreads_ReportsOnePerCore()
    {
        var path = OnnxModelsForTests.WriteMlp(_temp.Path);

        var result = InProcessLimit.Measure(path, batchSize: 1, TimeSpan.FromMilliseconds(100), Quick with { IntraOpThreads = 0 });

        Assert.Equal(Environment.ProcessorCount, result.IntraOpThreads);
        Assert.True(result.Batches > 0);
    }

    [Fact]
    public void Measure_FixedBatchModelAtItsBatch_Runs()
    {
        var path = OnnxModelsForTests.WriteElementwise(_temp.Path, inputs: 1, fixedBatch: 4);

        var result = InProcessLimit.Measure(path, batchSize: 4, TimeSpan.FromMilliseconds(50), Quick);

        Assert.True(result.Batches > 0);
    }

    [Fact]
    public void Measure_CorruptFile_ThrowsNamingThePath()
    {
        var path = _temp.Combine("corrupt.onnx");
        File.WriteAllBytes(path, [0x08, 0x07, 0xff, 0xff, 0x42, 0x13, 0x37, 0x00, 0x01]);

        var error = Assert.Throws<LoadTestException>(() => InProcessLimit.Measure(path, 1, Duration, Quick));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Measure_MissingFile_ThrowsNamingThePath()
    {
        var path = _temp.Combine("absent.onnx");

        var error = Assert.Throws<LoadTestException>(() => InProcessLimit.Measure(path, 1, Duration, Quick));

        Assert.Contains(path, error.Message);
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void Measure_TwoInputs_ThrowsNamingThePathAndInputs()
    {
        var path = OnnxModelsForTests.WriteElementwise(_temp.Path, inputs: 2);

        var error = Assert.Throws<LoadTestException>(() => InProcessLimit.Measure(path, 1, Duration, Quick));

        Assert.Contains(path, error.Message);
        Assert.Contains("2 inputs (a, b)", error.Message);
    }

    [Fact]
    public void Measure_Int64Input_ThrowsSayingFp32()
    {
        var path = OnnxModelsForTests.WriteElementwise(_temp.Path, inputs: 1, TensorProto.Types.DataType.Int64);

        var error = Assert.Throws<LoadTestException>(() => InProcessLimit.Measure(path, 1, Duration, Quick));

        Assert.Contains(path, error.Message);
        Assert.Contains("FP32", error.Message);
    }

    [Fact]
    public void Measure_FixedBatchOtherThanAsked_Throws()
    {
        var path = OnnxModelsForTests.WriteElementwise(_temp.Path, inputs: 1, fixedBatch: 2);

        var error = Assert.Throws<LoadTestException>(() => InProcessLimit.Measure(path, 8, Duration, Quick));

        Assert.Contains("fixed batch of 2", error.Message);
    }

    [Fact]
    public void Measure_InvalidSettings_ListsEveryProblem()
    {
        var settings = new InProcessSettings { IntraOpThreads = -1, InterOpThreads = 0, WarmUp = TimeSpan.FromSeconds(-1) };

        var error = Assert.Throws<ArgumentException>(() => InProcessLimit.Measure(_temp.Combine("x.onnx"), 1, Duration, settings));

        Assert.Contains(nameof(InProcessSettings.IntraOpThreads), error.Message);
        Assert.Contains(nameof(InProcessSettings.InterOpThreads), error.Message);
        Assert.Contains(nameof(InProcessSettings.WarmUp), error.Message);
    }

    public void Dispose() => _temp.Dispose();
}
