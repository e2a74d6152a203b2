using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using MlOps.Core.Digests;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting;

/// <summary>
/// One loaded model version: its own ONNX Runtime session (Run is thread-safe; one session per version lets several
/// versions run side by side), its own dynamic batcher and statistics. <see cref="LoadAsync"/> verifies the file's
/// SHA-256 before ONNX Runtime sees it, creates the session from the verified bytes, and runs a warm-up inference;
/// only then is <see cref="IsReady"/> true. <see cref="DisposeAsync"/> refuses new requests, runs the queued ones,
/// then releases the session and its memory.
/// </summary>
public sealed class OnnxModelVersion : IServedModel, IAsyncDisposable
{
    private const int Opened = 0, Ready = 1, Draining = 2, Released = 3;

    private readonly InferenceSession _session;
    private readonly OnnxSignature _signature;
    private readonly OrtBatchExecutor _executor;
    private readonly RequestValidator _validator;
    private readonly DynamicBatcher _batcher;
    private readonly ModelStatistics _statistics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly int _threads;
    private readonly TimeSpan _sessionTime;
    private readonly Lock _disposeLock = new();
    private Task? _disposal;
    private MlOps.Serving.Monitoring.LiveProfiler? _profiler;
    private int _state = Opened;

    private OnnxModelVersion(string name, string version, string digest, InferenceSession session, string provider,
        OnnxModelVersionOptions options, TimeSpan sessionTime, TimeProvider time, ILogger logger)
    {
        _session = session;
        _logger = logger;
        _time = time;
        _threads = options.ResolvedIntraOpThreads;
        _sessionTime = sessionTime;
        _signature = OnnxSignature.Read(session, name, version);
        Digest = digest;
        ExecutionProvider = provider;
        ModelMetadata = ReadMetadata(session, name, version);

        // An unbatchable model (a static or missing batch dimension) runs each request alone, still queued.
        var maxBatch = _signature.Batchable ? options.Batching.MaxBatchSize : 0;
        var batching = _signature.Batchable ? options.Batching : options.Batching with { MaxBatchSize = 1, PreferredBatchSizes = [] };
        Descriptor = new ModelDescriptor(name, version, [.. _signature.Inputs.Select(i => i.ToSpec())], [.. _signature.Outputs.Select(o => o.ToSpec())])
        {
            MaxBatchSize = maxBatch,
            Parameters = ModelMetadata,
        };

        _statistics = new ModelStatistics(batching.MaxBatchSize, time);
        _validator = new RequestValidator(_signature, name, version, Math.Max(1, maxBatch));
        _executor = new OrtBatchExecutor(session, _signature, name, version, bindIo: provider == OnnxSessionFactory.CudaProvider);
        _batcher = new DynamicBatcher(name, version, _executor, batching, _statistics, time, logger);
    }

    public ModelDescriptor Descriptor { get; }

    public bool IsReady => Volatile.Read(ref _state) == Ready;

    public ModelStatisticsSnapshot Statistics => _statistics.Snapshot();

    public InferenceMetricsSnapshot Metrics => _statistics.Metrics();

    /// <summary>Executions per formed batch size (rows), smallest first.</summary>
    public IReadOnlyList<BatchSizeCount> BatchStatistics => _statistics.BatchSizes();

    /// <summary>Requests waiting in the batcher's queue.</summary>
    public int QueueLength => _batcher.QueueLength;

    /// <summary><c>CPU</c> or <c>CUDA</c>: where the session runs.</summary>
    public string ExecutionProvider { get; }

    /// <summary>The verified <c>sha256:</c> digest of the ONNX file.</summary>
    public string Digest { get; }

    /// <summary>The model's <c>metadata_props</c> (e.g. <c>mlops.input_mean</c>, <c>mlops.input_std</c>, <c>mlops.output</c>).</summary>
    public IReadOnlyDictionary<string, string> ModelMetadata { get; }

    /// <summary>True once <see cref="DisposeAsync"/> has disposed the session (and with it ORT's CPU or CUDA arena).</summary>
    internal bool SessionReleased { get; private set; }

    /// <summary>How long the warm-up inference took; zero until it ran.</summary>
    public TimeSpan WarmUpTime { get; private set; }

    /// <summary>
    /// Verifies <paramref name="onnxPath"/> against <paramref name="expectedSha256"/> (<c>sha256:hex</c> or bare hex),
    /// creates the session, runs the warm-up and returns a ready version.
    /// </summary>
    /// <exception cref="InferenceException">NotFound: no such file. Internal: the digest does not match, ONNX Runtime
    /// cannot load the model, it has inputs or outputs that cannot be served, or the warm-up failed.</exception>
    /// <exception cref="ArgumentException">Invalid options or digest format (every problem listed).</exception>
    public static async Task<OnnxModelVersion> LoadAsync(string onnxPath, string expectedSha256, string name, string version,
        OnnxModelVersionOptions? options = null, ILogger? logger = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var model = await OpenAsync(onnxPath, expectedSha256, name, version, options, logger, time, cancellationToken);
        try
        {
            await model.WarmUpAsync(cancellationToken);
            return model;
        }
        catch
        {
            await model.DisposeAsync();
            throw;
        }
    }

    /// <summary>Verifies and opens the model; not ready until <see cref="WarmUpAsync"/> has run.</summary>
    internal static async Task<OnnxModelVersion> OpenAsync(string onnxPath, string expectedSha256, string name, string version,
        OnnxModelVersionOptions? options, ILogger? logger, TimeProvider? time, CancellationToken cancellationToken)
    {
        options ??= new OnnxModelVersionOptions();
        logger ??= NullLogger.Instance;
        var errors = options.Validate().ToList();
        var expected = NormalizeDigest(expectedSha256);
        if (expected is null)
        {
            errors.Add($"expected digest must be 'sha256:' and 64 hex digits, got '{expectedSha256}'");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"cannot load model '{name}' version '{version}': {string.Join("; ", errors)}");
        }

        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(onnxPath, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' version '{version}': {onnxPath} does not exist", ex);
        }

        // Hash the very bytes the session is built from, so the file cannot change between check and load.
        var actual = Sha256Digest.OfBytes(bytes);
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"model '{name}' version '{version}': {onnxPath} has digest {actual}, expected {expected}; refusing to load it");
        }

        var watch = Stopwatch.StartNew();
        var (session, provider) = await Task.Run(() =>
        {
            try
            {
                return OnnxSessionFactory.Create(bytes, options, name, version, logger);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new InferenceException(InferenceErrorKind.Internal, $"model '{name}' version '{version}': ONNX Runtime cannot load {onnxPath}: {ex.Message}", ex);
            }
        }, cancellationToken);

        try
        {
            return new OnnxModelVersion(name, version, actual, session, provider, options, watch.Elapsed, time ?? TimeProvider.System, logger);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs zero-filled inputs through the session (batch 1 and the maximum batch) and makes the version ready.</summary>
    internal async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var sizes = Descriptor.MaxBatchSize > 1 ? new[] { 1, Descriptor.MaxBatchSize } : [1];
        await Task.Run(() =>
        {
            // Checked for the largest batch before anything is allocated: a tensor of the maximum batch must fit one buffer.
            var largest = sizes[^1];
            if (_signature.Inputs.Concat(_signature.Outputs).FirstOrDefault(t => t.RowBytes > Array.MaxLength / largest) is { } large)
            {
                throw new InferenceException(InferenceErrorKind.Internal,
                    $"model '{Descriptor.Name}' version '{Descriptor.Version}': '{large.Name}' at batch {largest} needs more than {Array.MaxLength} bytes, beyond one buffer; lower the maximum batch size");
            }

            foreach (var rows in sizes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var inputs = _signature.Inputs.Select(i => ZeroTensor(i, rows)).ToList();
                try
                {
                    _executor.Execute([new BatchEntry(new InferenceRequest(Descriptor.Name, Descriptor.Version, inputs), rows)], rows);
                }
                catch (OnnxRuntimeException ex)
                {
                    throw new InferenceException(InferenceErrorKind.Internal,
                        $"model '{Descriptor.Name}' version '{Descriptor.Version}': warm-up inference at batch {rows} failed: {ex.Message}", ex);
                }
            }
        }, cancellationToken);

        WarmUpTime = watch.Elapsed;
        if (Interlocked.CompareExchange(ref _state, Ready, Opened) != Opened)
        {
            throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{Descriptor.Name}' version '{Descriptor.Version}' was unloaded while warming up");
        }

        HostingLog.Ready(_logger, Descriptor.Name, Descriptor.Version, ExecutionProvider, _threads, Descriptor.MaxBatchSize, Digest,
            (long)_sessionTime.TotalMilliseconds, (long)WarmUpTime.TotalMilliseconds);
    }

    public async ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arrived = _time.GetTimestamp();
        var state = Volatile.Read(ref _state);
        if (state != Ready)
        {
            throw new InferenceException(InferenceErrorKind.Unavailable,
                $"model '{Descriptor.Name}' version '{Descriptor.Version}' is not ready ({(state == Opened ? "warming up" : "unloaded")})");
        }

        (InferenceRequest Request, int Rows) validated;
        try
        {
            validated = _validator.Validate(request);
        }
        catch (InferenceException)
        {
            _statistics.RecordFailure(_time.GetElapsedTime(arrived));
            throw;
        }

        var response = await _batcher.InferAsync(validated.Request, validated.Rows, arrived, cancellationToken);
        if (!string.IsNullOrEmpty(request.Id))
        {
            RememberPrediction(request.Id, response, validated.Rows);
        }

        _profiler?.Observe(validated.Request, response, validated.Rows);
        return response;
    }

    /// <summary>The live data profile of this version; null when it was loaded without a reference profile.</summary>
    public MlOps.Serving.Monitoring.LiveProfiler? Profiler => _profiler;

    /// <summary>Profiles requests from now on; called before the version is ready.</summary>
    internal void UseProfiler(MlOps.Serving.Monitoring.LiveProfiler? profiler) => _profiler = profiler;

    public MlOps.Serving.Feedback.PredictionLog Predictions { get; } = new();

    /// <summary>The first FP32 output shaped [rows, classes] holds the scores whose argmax is the prediction.</summary>
    private void RememberPrediction(string id, InferenceResponse response, int rows)
    {
        foreach (var output in response.Outputs)
        {
            if (output.DataType == "FP32" && output.Shape is [var batch, > 1] && batch == rows)
            {
                Predictions.Record(id, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(output.Data.Span), rows);
                return;
            }
        }
    }

    /// <summary>Stops taking requests, completes every queued one, then releases the session (and its memory arena).
    /// Concurrent and repeated calls wait for the same release.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_disposeLock)
        {
            _disposal ??= ReleaseAsync();
        }

        return new ValueTask(_disposal);
    }

    private async Task ReleaseAsync()
    {
        Volatile.Write(ref _state, Draining);
        await _batcher.DisposeAsync();
        _executor.Dispose();
        // ORT returns a CUDA session's device arena to the driver only here, when the session is disposed.
        _session.Dispose();
        SessionReleased = true;
        Volatile.Write(ref _state, Released);
        HostingLog.Released(_logger, Descriptor.Name, Descriptor.Version);
    }

    internal static string? NormalizeDigest(string? digest)
    {
        if (string.IsNullOrWhiteSpace(digest))
        {
            return null;
        }

        var normalized = digest.Trim().ToLowerInvariant();
        if (!normalized.StartsWith(Sha256Digest.Prefix, StringComparison.Ordinal))
        {
            normalized = Sha256Digest.Prefix + normalized;
        }

        return Sha256Digest.IsValid(normalized) ? normalized : null;
    }

    /// <summary>The model's <c>metadata_props</c>.</summary>
    /// <exception cref="InferenceException">Internal when ONNX Runtime cannot read them.</exception>
    private static Dictionary<string, string> ReadMetadata(InferenceSession session, string name, string version)
    {
        try
        {
            return new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or NullReferenceException or ArgumentException)
        {
            // ONNX Runtime's managed ModelMetadata throws NullReferenceException on a metadata_props key holding a NUL
            // byte, which the native loader accepts (found by fuzzing); a duplicate key would be an ArgumentException.
            throw new InferenceException(InferenceErrorKind.Internal,
                $"model '{name}' version '{version}': its metadata_props cannot be read: {ex.Message}", ex);
        }
    }

    private static InferenceTensor ZeroTensor(TensorBinding input, int rows)
    {
        long[] shape = [.. input.Shape.Select((d, i) => i == 0 && input.Shape[0] == -1 ? rows : Math.Max(d, 1))];
        var bytes = shape.Aggregate((long)input.ElementSize, (a, b) => a * b);
        return new InferenceTensor(input.Name, input.DataType, shape, new byte[bytes]);
    }
}
