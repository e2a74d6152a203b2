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
                AppendCuda(cudaOptions, options.CudaDeviceId);
                return (new InferenceSession(model, cudaOptions), CudaProvider);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                HostingLog.CudaFallback(logger, name, version, ex.Message);
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

    private static void AppendCuda(SessionOptions session, int deviceId)
    {
        using var cuda = new OrtCUDAProviderOptions();
        cuda.UpdateOptions(new Dictionary<string, string>
        {
            ["device_id"] = deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Batches come in many sizes; EXHAUSTIVE (the default) searches again for every new shape.
            ["cudnn_conv_algo_search"] = "HEURISTIC",
            ["do_copy_in_default_stream"] = "1",
            ["arena_extend_strategy"] = "kSameAsRequested",
        });
        session.AppendExecutionProvider_CUDA(cuda);
    }
}
