using System.Text.RegularExpressions;

namespace MlOps.Serving.Hosting;

/// <summary>
/// Why the CUDA execution provider could not start, read from ONNX Runtime's error, and what a site does about it.
/// ORT reports a missing library as the dynamic loader's text (<c>libcublasLt.so.13: cannot open shared object
/// file</c>), nested inside "Failed to load library libonnxruntime_providers_cuda.so"; the innermost name is the one
/// that is missing.
/// </summary>
internal sealed partial record CudaFailure(string Cause, string Fix)
{
    private const string LoaderPath = "make it findable by the dynamic loader (ldconfig, or LD_LIBRARY_PATH, e.g. the nvidia/*/lib folders of a PyTorch cu130 install), or set Serving:Host:ExecutionProvider=Cpu";

    /// <summary>The cause and fix for an exception thrown while appending the CUDA provider or creating the session.</summary>
    public static CudaFailure From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is EntryPointNotFoundException)
        {
            return CpuBuild;
        }

        return From(exception.Message);
    }

    /// <summary>The cause and fix for ONNX Runtime's error text.</summary>
    public static CudaFailure From(string message)
    {
        var missing = MissingLibrary().Matches(message ?? "").Select(m => m.Groups["lib"].Value).LastOrDefault();
        if (missing is not null)
        {
            return new CudaFailure($"{missing} is missing", $"{FixFor(missing)}; {LoaderPath}");
        }

        if (message is not null && message.Contains("not enabled in this build", StringComparison.OrdinalIgnoreCase))
        {
            return CpuBuild;
        }

        if (message is not null && (message.Contains("no CUDA-capable device", StringComparison.OrdinalIgnoreCase)
            || message.Contains("driver version is insufficient", StringComparison.OrdinalIgnoreCase)))
        {
            return new CudaFailure("no usable CUDA device or driver", "check nvidia-smi: ONNX Runtime 1.31 GPU needs an NVIDIA driver for CUDA 13, and CudaDeviceId must name a visible device (CUDA_VISIBLE_DEVICES)");
        }

        return new CudaFailure("the CUDA provider did not start", "see ONNX Runtime's message; " + LoaderPath);
    }

    private static CudaFailure CpuBuild { get; } = new(
        "this agent ships the CPU build of ONNX Runtime (Microsoft.ML.OnnxRuntime), which has no CUDA provider",
        "build the agent with -p:MlOpsOnnxRuntime=gpu (docs/gpu.md), or set Serving:Host:ExecutionProvider=Cpu");

    private static string FixFor(string library) => library switch
    {
        _ when library.StartsWith("libcudnn", StringComparison.Ordinal) => "install cuDNN 9 for CUDA 13",
        _ when library.StartsWith("libcuda.so", StringComparison.Ordinal) => "install the NVIDIA driver (it provides libcuda.so.1)",
        _ when library.StartsWith("libonnxruntime", StringComparison.Ordinal) => "build the agent with -p:MlOpsOnnxRuntime=gpu (docs/gpu.md), which ships ONNX Runtime's CUDA provider",
        _ => "install the CUDA 13 runtime libraries ONNX Runtime 1.31 GPU needs (libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10) and cuDNN 9",
    };

    [GeneratedRegex(@"(?<lib>lib[\w.+-]*?\.so(\.\d+)*): cannot open shared object file")]
    private static partial Regex MissingLibrary();
}
