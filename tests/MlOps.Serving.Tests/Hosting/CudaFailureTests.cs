using MlOps.Serving.Hosting;

namespace MlOps.Serving.Tests.Hosting;

public sealed class CudaFailureTests
{
    [Theory]
    [InlineData("[ErrorCode:RuntimeException] Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory",
        "libcublasLt.so.13", "CUDA 13 runtime")]
    [InlineData("Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file: No such file or directory",
        "libcudnn.so.9", "cuDNN 9")]
    [InlineData("Failed to load library libonnxruntime_providers_cuda.so with error: libcuda.so.1: cannot open shared object file: No such file or directory",
        "libcuda.so.1", "NVIDIA driver")]
    [InlineData("Failed to load library libonnxruntime_providers_shared.so with error: libonnxruntime_providers_shared.so: cannot open shared object file: No such file or directory",
        "libonnxruntime_providers_shared.so", "-p:MlOpsOnnxRuntime=gpu")]
    public void From_LoaderError_NamesTheInnermostMissingLibraryAndHowToInstallIt(string message, string library, string fix)
    {
        var failure = CudaFailure.From(message);

        Assert.Equal($"{library} is missing", failure.Cause);
        Assert.Contains(fix, failure.Fix, StringComparison.Ordinal);
        Assert.Contains("LD_LIBRARY_PATH", failure.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void From_CpuBuild_SaysSoAndNamesTheGpuBuild()
    {
        var failure = CudaFailure.From(new EntryPointNotFoundException("OrtSessionOptionsAppendExecutionProvider_CUDA"));

        Assert.Contains("CPU build", failure.Cause, StringComparison.Ordinal);
        Assert.Contains("-p:MlOpsOnnxRuntime=gpu", failure.Fix, StringComparison.Ordinal);
        Assert.Equal(failure, CudaFailure.From("CUDA execution provider is not enabled in this build."));
    }

    [Fact]
    public void From_NoDevice_PointsAtTheDriver()
    {
        var failure = CudaFailure.From("CUDA failure 100: no CUDA-capable device is detected ; GPU=0");

        Assert.Equal("no usable CUDA device or driver", failure.Cause);
        Assert.Contains("nvidia-smi", failure.Fix, StringComparison.Ordinal);
    }
}
