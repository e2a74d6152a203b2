using MlOps.Serving.Hosting.Batching;

namespace MlOps.Serving.Hosting;

/// <summary>Which ONNX Runtime execution provider a version should run on.</summary>
public enum ExecutionProviderPreference
{
    /// <summary>CUDA when this ONNX Runtime build offers it and it starts; otherwise CPU. The default.</summary>
    Auto,

    /// <summary>Always CPU.</summary>
    Cpu,

    /// <summary>Try CUDA even when the build does not list it; fall back to CPU (logged) when it cannot start.</summary>
    Cuda,
}

/// <summary>
/// How a model version's ONNX Runtime session and batcher are set up. Checked by <see cref="Validate"/>, which lists
/// every problem at once.
/// </summary>
public sealed record OnnxModelVersionOptions
{
    /// <summary>Threads of the session's intra-op pool; 0 (default) = <see cref="Environment.ProcessorCount"/>.
    /// One batch runs at a time per version, so it may use every core.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Whether idle intra-op threads spin before sleeping (ORT's <c>session.intra_op.allow_spinning</c>). Default false:
    /// requests from independent clients arrive spread out, so batches are small and frequent, and threads spinning
    /// between them take the cores Kestrel and gRPC need. Measured with the load harness on 2 cores (docs/loadtest.md):
    /// open arrivals at 18,000 requests/s collapse with spinning (62 % RESOURCE_EXHAUSTED) and hold p99 under 4 ms
    /// without it, and closed-loop saturation rises. Turn it on for a dedicated node fed back-to-back batches.
    /// </summary>
    public bool AllowSpinning { get; init; }

    /// <summary>Default <see cref="ExecutionProviderPreference.Auto"/>.</summary>
    public ExecutionProviderPreference ExecutionProvider { get; init; } = ExecutionProviderPreference.Auto;

    /// <summary>CUDA device ordinal when CUDA is used (ORT's <c>device_id</c>); default 0.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>
    /// Upper bound in bytes of each version's CUDA memory arena (ORT's <c>gpu_mem_limit</c>); 0 (default) = no limit.
    /// Every loaded version has its own session and so its own arena: on a shared GPU set this to the card's memory
    /// divided by the versions it should hold, leaving room for cuDNN/cuBLAS workspaces, which the arena does not count.
    /// </summary>
    public long CudaMemoryLimitBytes { get; init; }

    /// <summary>The version's dynamic batcher.</summary>
    public DynamicBatcherOptions Batching { get; init; } = new();

    /// <summary>
    /// A version loaded from a model directory with a reference profile (<c>profile.json</c>) profiles every N-th
    /// request for drift statistics (<see cref="MlOps.Serving.Monitoring.LiveProfiler"/>); 0 turns that off.
    /// Default 8: one profiled 28×28 image costs a few µs, so 1 in 8 stays within ~2 % of serving CPU
    /// (perf/RESULTS.md, "Serving with live statistics on vs off") while a window of a minute still collects thousands of samples.
    /// </summary>
    public int ProfileSampleEvery { get; init; } = 8;

    /// <summary>At most this many requests a second go into a version's live profile (0: no cap). Default 100: a busy
    /// version then spends about 0.5 ms of CPU a second on statistics (0.05 % of a core) and still collects 6,000
    /// samples a minute.</summary>
    public int ProfileMaxPerSecond { get; init; } = 100;

    /// <summary>The intra-op thread count actually used.</summary>
    public int ResolvedIntraOpThreads => IntraOpThreads > 0 ? IntraOpThreads : Environment.ProcessorCount;

    /// <summary>Every problem with these options, each naming the property; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (IntraOpThreads < 0)
        {
            errors.Add($"{nameof(IntraOpThreads)} must be 0 (all cores) or more, got {IntraOpThreads}");
        }

        if (!Enum.IsDefined(ExecutionProvider))
        {
            errors.Add($"{nameof(ExecutionProvider)} must be Auto, Cpu or Cuda, got {ExecutionProvider}");
        }

        if (CudaDeviceId < 0)
        {
            errors.Add($"{nameof(CudaDeviceId)} must be 0 or more, got {CudaDeviceId}");
        }

        if (CudaMemoryLimitBytes < 0)
        {
            errors.Add($"{nameof(CudaMemoryLimitBytes)} must be 0 (no limit) or more, got {CudaMemoryLimitBytes}");
        }

        if (ProfileSampleEvery < 0)
        {
            errors.Add($"{nameof(ProfileSampleEvery)} must be 0 (off) or more, got {ProfileSampleEvery}");
        }

        if (ProfileMaxPerSecond < 0)
        {
            errors.Add($"{nameof(ProfileMaxPerSecond)} must be 0 (no cap) or more, got {ProfileMaxPerSecond}");
        }

        if (Batching is null)
        {
            errors.Add($"{nameof(Batching)} is required");
        }
        else
        {
            errors.AddRange(Batching.Validate().Select(e => $"{nameof(Batching)}.{e}"));
        }

        return errors;
    }
}
