using MlOps.Testing;
using MlOps.Training.Devices;
using MlOps.Training.Native;
using MlOps.Training.Tests.Support;
using MlOps.Training.Tests.Training;
using TorchSharp;

namespace MlOps.Training.Tests.Devices;

[Collection(TorchCollection.Name)]
public sealed class TrainingDevicesTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>
{
    [Fact]
    public void Select_NoGpus_ReturnsCpuAndLogsIt()
    {
        var observer = new RecordingObserver();

        var device = TrainingDevices.Select(0, observer, cudaAvailable: () => throw new InvalidOperationException("must not be asked"));

        Assert.Equal(DeviceType.CPU, device.type);
        Assert.Contains(observer.Logs, l => l.StartsWith("device: cpu", StringComparison.Ordinal));
    }

    [Fact]
    public void Select_GpuWithCpuOnlyLibTorch_FailsNamingWhyAndWhatToInstall()
    {
        TorchSharpLoader.EnsureLoaded();

        var ex = Assert.Throws<CudaUnavailableException>(() => TrainingDevices.Select(1, new RecordingObserver()));

        // This machine's libtorch is the CPU package.
        Assert.Contains("CPU-only", ex.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch_cuda.so", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MlOpsTorchBackend=cuda", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Agent:Training:LibTorchDirectory", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not trained on the CPU instead", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_CudaProbeThrows_FailsWithTheProbesError()
    {
        var ex = Assert.Throws<CudaUnavailableException>(() =>
            TrainingDevices.Select(2, new RecordingObserver(), cudaAvailable: () => throw new NotSupportedException("no torch_cuda")));

        Assert.Contains("2 GPU(s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no torch_cuda", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_GpuRequestedWithoutCuda_FailsBeforeWritingAnything()
    {
        using var output = new TempDirectory("mlops-gpu-out-");
        var request = new TrainingRequest(Specs.Mlp(16), Specs.Adam(epochs: 1), 1, dataset.Path, output.Path) { Threads = 1, Gpus = 1 };

        Assert.Throws<CudaUnavailableException>(() => new Trainer().Train(request, new RecordingObserver(), CancellationToken.None));

        Assert.Empty(Directory.EnumerateFileSystemEntries(output.Path));
    }

    [Fact]
    public void Train_SameSpecWithNoGpus_TrainsOnCpu()
    {
        using var output = new TempDirectory("mlops-cpu-out-");
        var observer = new RecordingObserver();
        var request = new TrainingRequest(Specs.Mlp(16), Specs.Adam(epochs: 1), 1, dataset.Path, output.Path) { Threads = 1, Gpus = 0 };

        var result = new Trainer().Train(request, observer, CancellationToken.None);

        Assert.True(File.Exists(result.OnnxPath));
        Assert.Contains(observer.Logs, l => l.StartsWith("device: cpu", StringComparison.Ordinal));
    }
}
