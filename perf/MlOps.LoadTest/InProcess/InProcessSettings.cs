using Microsoft.ML.OnnxRuntime;

namespace MlOps.LoadTest.InProcess;

/// <summary>
/// How the in-process session is set up. The defaults are the serving host's (<c>OnnxModelVersionOptions</c> and
/// <c>OnnxSessionFactory</c> in src/MlOps.Serving), so the limit is measured on the session a server would build;
/// change one only to match a server started with other options. Checked by <see cref="Validate"/>, which lists
/// every problem at once.
/// </summary>
public sealed record InProcessSettings
{
    /// <summary>The provider name reported for a CPU session.</summary>
    public const string CpuProvider = "CPU";

    /// <summary>The provider name reported for a CUDA session.</summary>
    public const string CudaProvider = "CUDA";

    /// <summary>Which execution provider to use; default <see cref="InProcessProvider.Cpu"/> (the server's CPU
    /// session). <see cref="InProcessProvider.Auto"/> and <see cref="InProcessProvider.Cuda"/> mirror the serving
    /// host's <c>ExecutionProvider</c> setting.</summary>
    public InProcessProvider Provider { get; init; } = InProcessProvider.Cpu;

    /// <summary>CUDA device ordinal when CUDA is used; default 0.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>Threads of the session's intra-op pool; 0 (default) = <see cref="Environment.ProcessorCount"/>.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads of the inter-op pool; default 1 (the server runs the graph sequentially).</summary>
    public int InterOpThreads { get; init; } = 1;

    /// <summary>Whether idle intra-op threads spin before sleeping (<c>session.intra_op.allow_spinning</c>); default
    /// false, as the server's <c>Serving:Host:AllowSpinning</c>.</summary>
    public bool AllowSpinning { get; init; }

    /// <summary>Graph optimisation; default <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>How long the session runs before timing starts (thread pools, arena, caches); default 1 s.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Seed of the pseudo-random input values; default 1. Speed does not depend on them, but runs are repeatable.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The intra-op thread count actually used.</summary>
    public int ResolvedIntraOpThreads => IntraOpThreads > 0 ? IntraOpThreads : Environment.ProcessorCount;

    /// <summary>Every problem with these settings, each naming the property; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (IntraOpThreads < 0)
        {
            errors.Add($"{nameof(IntraOpThreads)} must be 0 (all cores) or more, got {IntraOpThreads}");
        }

        if (InterOpThreads < 1)
        {
            errors.Add($"{nameof(InterOpThreads)} must be 1 or more, got {InterOpThreads}");
        }

        if (!Enum.IsDefined(GraphOptimizationLevel))
        {
            errors.Add($"{nameof(GraphOptimizationLevel)} is not a known level: {GraphOptimizationLevel}");
        }

        if (!Enum.IsDefined(Provider))
        {
            errors.Add($"{nameof(Provider)} is not a known provider: {Provider}");
        }

        if (CudaDeviceId < 0)
        {
            errors.Add($"{nameof(CudaDeviceId)} must be 0 or more, got {CudaDeviceId}");
        }

        if (WarmUp < TimeSpan.Zero)
        {
            errors.Add($"{nameof(WarmUp)} must not be negative, got {WarmUp}");
        }

        return errors;
    }

    /// <summary>
    /// Appends the CUDA provider with the serving host's options (<c>OnnxSessionFactory.AppendCuda</c> in
    /// src/MlOps.Serving, copied for the same reason as <see cref="CreateSessionOptions"/>).
    /// </summary>
    internal void AppendCuda(SessionOptions options)
    {
        using var cuda = new OrtCUDAProviderOptions();
        cuda.UpdateOptions(new Dictionary<string, string>
        {
            ["device_id"] = CudaDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cudnn_conv_algo_search"] = "HEURISTIC",
            ["do_copy_in_default_stream"] = "1",
            ["arena_extend_strategy"] = "kSameAsRequested",
        });
        options.AppendExecutionProvider_CUDA(cuda);
    }

    /// <summary>
    /// The session options, built as the server's <c>OnnxSessionFactory.Options</c> builds them (CPU). Copied rather
    /// than referenced: MlOps.Serving brings the ASP.NET Core framework with it, and the factory is internal.
    /// </summary>
    internal SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions
        {
            LogId = "mlops-loadtest:in-process",
            GraphOptimizationLevel = GraphOptimizationLevel,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = ResolvedIntraOpThreads,
            InterOpNumThreads = InterOpThreads,
            EnableMemoryPattern = true,
            EnableCpuMemArena = true,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", AllowSpinning ? "1" : "0");
        return options;
    }
}

/// <summary>The execution provider of the in-process session.</summary>
public enum InProcessProvider
{
    /// <summary>CUDA when this ONNX Runtime build offers it; otherwise CPU.</summary>
    Auto,

    /// <summary>Always CPU.</summary>
    Cpu,

    /// <summary>CUDA or fail: a measurement that silently fell back to CPU would be reported as a GPU number.</summary>
    Cuda,
}
