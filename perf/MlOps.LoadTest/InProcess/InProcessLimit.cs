using System.Diagnostics;
using HdrHistogram;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.LoadTest.InProcess;

/// <summary>
/// The limit a served model's throughput is compared with: one <see cref="InferenceSession"/> on the ONNX file, set
/// up as the server sets up its sessions, run back to back from one thread on input and output values created once.
/// No network, no serialisation, no batcher: whatever a server reaches below this is the server's own cost.
/// </summary>
public static class InProcessLimit
{
    private const string CudaProviderName = "CUDAExecutionProvider";

    /// <summary>Loads the model, runs it for <see cref="InProcessSettings.WarmUp"/>, then times every run for
    /// <paramref name="duration"/> (at least one run).</summary>
    /// <param name="onnxPath">The ONNX file; its single input must be an FP32 tensor whose only dynamic dimension,
    /// if any, is the first (the batch).</param>
    /// <param name="batchSize">Rows per run.</param>
    /// <param name="duration">How long to time runs for, after the warm-up.</param>
    /// <param name="settings">Session settings; the defaults are the server's.</param>
    /// <param name="cancellationToken">Stops the loop between runs.</param>
    /// <exception cref="LoadTestException">The file is missing or not a loadable model, its input does not qualify,
    /// or it fails to run; the message names the file.</exception>
    /// <exception cref="ArgumentException">The arguments or settings are invalid (every problem listed).</exception>
    public static InProcessResult Measure(
        string onnxPath, int batchSize, TimeSpan duration, InProcessSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(onnxPath);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid in-process settings: {string.Join("; ", errors)}", nameof(settings));
        }

        var (session, provider) = Open(onnxPath, settings);
        using (session)
        {
            try
            {
                using var bindings = LimitBindings.Create(session, onnxPath, batchSize, settings.Seed);
                WarmUp(bindings, settings.WarmUp, cancellationToken);
                return Timed(bindings, batchSize, duration, settings.ResolvedIntraOpThreads, cancellationToken) with { Provider = provider };
            }
            catch (OnnxRuntimeException ex)
            {
                throw new LoadTestException($"'{onnxPath}' failed to run a batch of {batchSize} on {provider}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Whether this process's ONNX Runtime build offers the CUDA provider (the GPU build does, the CPU
    /// package this project references does not).</summary>
    public static bool CudaOffered() => OrtEnv.Instance().GetAvailableProviders().Contains(CudaProviderName);

    private static (InferenceSession Session, string Provider) Open(string onnxPath, InProcessSettings settings)
    {
        if (!File.Exists(onnxPath))
        {
            throw new LoadTestException($"ONNX model '{onnxPath}' not found");
        }

        var cuda = settings.Provider != InProcessProvider.Cpu && CudaOffered();
        if (settings.Provider == InProcessProvider.Cuda && !cuda)
        {
            throw new LoadTestException(
                $"this ONNX Runtime build offers {string.Join(", ", OrtEnv.Instance().GetAvailableProviders())}, not CUDA: " +
                "the GPU build (Microsoft.ML.OnnxRuntime.Gpu.Linux) and the CUDA 13 runtime, cuBLAS 13, cuRAND 10 and cuDNN 9 are needed");
        }

        return (Open(onnxPath, settings, cuda), cuda ? InProcessSettings.CudaProvider : InProcessSettings.CpuProvider);
    }

    private static InferenceSession Open(string onnxPath, InProcessSettings settings, bool cuda)
    {
        using var options = settings.CreateSessionOptions();
        try
        {
            if (cuda)
            {
                settings.AppendCuda(options);
            }

            return new InferenceSession(onnxPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new LoadTestException($"'{onnxPath}' is not a model ONNX Runtime can load{(cuda ? " on CUDA" : "")}: {ex.Message}", ex);
        }
    }

    private static void WarmUp(LimitBindings bindings, TimeSpan warmUp, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + Ticks(warmUp);
        while (Stopwatch.GetTimestamp() < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bindings.Run();
        }
    }

    private static InProcessResult Timed(LimitBindings bindings, int batchSize, TimeSpan duration, int threads, CancellationToken cancellationToken)
    {
        // Stopwatch ticks (nanoseconds on Linux) rather than microseconds: a small model runs a batch in a few µs.
        var highest = 3600 * Stopwatch.Frequency;
        var histogram = new LongHistogram(highest, 3);
        var start = Stopwatch.GetTimestamp();
        var end = start + Ticks(duration);
        var now = start;
        long batches = 0;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = now;
            bindings.Run();
            now = Stopwatch.GetTimestamp();
            histogram.RecordValue(Math.Clamp(now - before, 1, highest));
            batches++;
        }
        while (now < end);

        var seconds = (now - start) / (double)Stopwatch.Frequency;
        return new InProcessResult(
            batchSize,
            batches,
            batches * (double)batchSize / seconds,
            Millis(histogram.GetValueAtPercentile(50)),
            Millis(histogram.GetValueAtPercentile(99)),
            threads);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static double Millis(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
