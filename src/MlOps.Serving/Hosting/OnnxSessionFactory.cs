using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.Serving.Hosting;

/// <summary>
/// Creates a version's session: graph optimisation ALL, sequential execution with one inter-op thread, the
/// configured intra-op threads, CPU arena and memory pattern on; CUDA first when wanted, with a logged fallback
/// to CPU when the CUDA provider or its libraries are missing (this project ships the CPU build of ONNX Runtime;
/// a GPU node's serving process references Microsoft.ML.OnnxRuntime.Gpu.Linux instead).
/// </summary>
internal static class OnnxSessionFactory
{
    public const string CpuProvider = "CPU";
    public const string CudaProvider = "CUDA";
    private const string CudaProviderName = "CUDAExecutionProvider";

    public static (InferenceSession Session, string Provider) Create(byte[] model, OnnxModelVersionOptions options, string name, string version, ILogger logger)
    {
        if (WantsCuda(options, name, version, logger))
        {
            try
            {
                using var cudaOptions = Options(options, name, version);
                AppendCuda(cudaOptions, options);
                return (new InferenceSession(model, cudaOptions), CudaProvider);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                var failure = CudaFailure.From(ex);
                HostingLog.CudaFallback(logger, name, version, failure.Cause, failure.Fix, ex.Message);
            }
        }

        using var cpuOptions = Options(options, name, version);
        return (new InferenceSession(model, cpuOptions), CpuProvider);
    }

    private static bool WantsCuda(OnnxModelVersionOptions options, string name, string version, ILogger logger)
    {
        switch (options.ExecutionProvider)
        {
            case ExecutionProviderPreference.Cpu:
                return false;
            case ExecutionProviderPreference.Cuda:
                return true;
            default:
                var providers = OrtEnv.Instance().GetAvailableProviders();
                if (providers.Contains(CudaProviderName))
                {
                    return true;
                }

                var offered = string.Join(", ", providers); // once per load: not worth guarding
                HostingLog.CudaNotOffered(logger, name, version, offered);

                return false;
        }
    }

    private static SessionOptions Options(OnnxModelVersionOptions options, string name, string version)
    {
        var session = new SessionOptions
        {
            LogId = $"{name}:{version}",
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.ResolvedIntraOpThreads,
            InterOpNumThreads = 1,
            EnableMemoryPattern = true,
            EnableCpuMemArena = true,
        };
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        return session;
    }

    /// <summary>
    /// The CUDA provider's options (ORT's <c>OrtCUDAProviderOptionsV2</c> keys). <c>gpu_mem_limit</c> is left out
    /// when no limit is set: ORT's default is no limit.
    /// </summary>
    internal static Dictionary<string, string> CudaProviderOptions(OnnxModelVersionOptions options)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var cuda = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = options.CudaDeviceId.ToString(invariant),
            // Grow the arena by what a run asks for, not by doubling (kNextPowerOfTwo): with several versions on one
            // card, doubling reserves memory no run uses.
            ["arena_extend_strategy"] = "kSameAsRequested",
            // Batches come in many sizes; EXHAUSTIVE (the default) searches again for every new shape.
            ["cudnn_conv_algo_search"] = "HEURISTIC",
            // Host-to-device copies on the compute stream: ordered with the run, no extra synchronisation.
            ["do_copy_in_default_stream"] = "1",
        };
        if (options.CudaMemoryLimitBytes > 0)
        {
            cuda["gpu_mem_limit"] = options.CudaMemoryLimitBytes.ToString(invariant);
        }

        return cuda;
    }

    private static void AppendCuda(SessionOptions session, OnnxModelVersionOptions options)
    {
        using var cuda = new OrtCUDAProviderOptions();
        cuda.UpdateOptions(CudaProviderOptions(options));
        session.AppendExecutionProvider_CUDA(cuda);
    }
}
