namespace MlOps.LoadTest.InProcess;

/// <summary>
/// What one ONNX Runtime session does on this machine with nothing in between: the limit a served model's
/// throughput is compared with.
/// </summary>
/// <param name="BatchSize">Rows per <c>Run</c>.</param>
/// <param name="Batches">Timed runs (warm-up excluded).</param>
/// <param name="SamplesPerSecond">Rows per second over the timed window.</param>
/// <param name="P50Ms">Median time of one run, in milliseconds.</param>
/// <param name="P99Ms">99th percentile time of one run, in milliseconds.</param>
/// <param name="IntraOpThreads">The intra-op threads the session used.</param>
public sealed record InProcessResult(int BatchSize, long Batches, double SamplesPerSecond, double P50Ms, double P99Ms, int IntraOpThreads)
{
    /// <summary>The execution provider the session was created with: <c>CPU</c> (default) or <c>CUDA</c>.</summary>
    public string Provider { get; init; } = InProcessSettings.CpuProvider;
}
