using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting.Batching;

/// <summary>
/// The queue and batching loop of one model version. Callers enqueue validated requests of any batch size up to
/// <see cref="DynamicBatcherOptions.MaxBatchSize"/>; one background loop takes the oldest request, adds whatever else
/// is queued until the batch is full, a preferred size is reached with nothing more waiting, or the oldest request
/// has waited <see cref="DynamicBatcherOptions.MaxQueueDelay"/>, and hands the batch to the executor. A request
/// that does not fit starts the next batch. Only one batch runs at a time: the session already uses every core
/// it was given, and requests arriving meanwhile form the next, larger batch.
/// </summary>
internal sealed class DynamicBatcher : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly string _name;
    private readonly string _version;
    private readonly IBatchExecutor _executor;
    private readonly DynamicBatcherOptions _options;
    private readonly HashSet<int> _preferred;
    private readonly ModelStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private int _queued;

    public DynamicBatcher(string name, string version, IBatchExecutor executor, DynamicBatcherOptions options,
        ModelStatistics statistics, TimeProvider time, ILogger logger)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid batching options for model '{name}' version '{version}': {string.Join("; ", errors)}", nameof(options));
        }

        (_name, _version, _executor, _options, _statistics, _time, _logger) = (name, version, executor, options, statistics, time, logger);
        _preferred = [.. options.PreferredBatchSizes];
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Requests waiting for a batch (cancelled ones included until the loop drops them).</summary>
    public int QueueLength => Volatile.Read(ref _queued);

    /// <summary>Queues a validated request of <paramref name="rows"/> rows and waits for its own rows of the result.</summary>
    /// <exception cref="InferenceException">InvalidArgument when <paramref name="rows"/> exceeds the maximum batch
    /// size; ResourceExhausted when the queue is full; Unavailable once the batcher is shutting down; the batch's
    /// error when its execution failed.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled before the result arrived; a request still
    /// queued is dropped before execution, the result of one already running is discarded.</exception>
    public ValueTask<InferenceResponse> InferAsync(InferenceRequest request, int rows, CancellationToken cancellationToken) =>
        InferAsync(request, rows, _time.GetTimestamp(), cancellationToken);

    /// <inheritdoc cref="InferAsync(InferenceRequest, int, CancellationToken)"/>
    /// <param name="request">The validated request.</param>
    /// <param name="rows">Its batch dimension.</param>
    /// <param name="arrivedTimestamp">When the caller received the request (<see cref="TimeProvider.GetTimestamp"/>
    /// of this batcher's clock); the request's end-to-end time is measured from there.</param>
    /// <param name="cancellationToken">Cancels the caller's wait.</param>
    public async ValueTask<InferenceResponse> InferAsync(InferenceRequest request, int rows, long arrivedTimestamp, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (rows > _options.MaxBatchSize)
        {
            _statistics.RecordFailure(_time.GetElapsedTime(arrivedTimestamp));
            throw new InferenceException(InferenceErrorKind.InvalidArgument,
                $"batch size {rows} exceeds the maximum batch size {_options.MaxBatchSize} of model '{_name}' version '{_version}'");
        }

        if (Interlocked.Increment(ref _queued) > _options.MaxQueueSize)
        {
            Interlocked.Decrement(ref _queued);
            _statistics.RecordFailure(_time.GetElapsedTime(arrivedTimestamp));
            throw new InferenceException(InferenceErrorKind.ResourceExhausted,
                $"model '{_name}' version '{_version}' has {_options.MaxQueueSize} requests queued, its limit; retry later");
        }

        var pending = new Pending(request, rows, arrivedTimestamp, _time.GetTimestamp());
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _queued);
            throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{_name}' version '{_version}' is unloading");
        }

        using var registration = cancellationToken.UnsafeRegister(
            static (state, token) => ((Pending)state!).TrySetCanceled(token), pending);
        return await pending.Task;
    }

    /// <summary>Stops accepting requests, runs every request already queued, then ends the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>();
        Pending? carried = null;
        while (true)
        {
            try
            {
                var first = carried ?? await NextLiveAsync();
                carried = null;
                if (first is null)
                {
                    return;
                }

                batch.Clear();
                batch.Add(first);
                carried = await FillAsync(batch, first);
                Execute(batch);
            }
            catch (Exception ex)
            {
                // The executor's errors are handled per batch; anything reaching here is a bug. Fail what was taken
                // and keep serving.
                HostingLog.BatcherFault(_logger, ex, _name, _version);
                var failed = _time.GetTimestamp();
                foreach (var pending in batch)
                {
                    if (!pending.Task.IsCompleted)
                    {
                        _statistics.RecordFailure(_time.GetElapsedTime(pending.ArrivedTimestamp, failed));
                        pending.TrySetException(new InferenceException(InferenceErrorKind.Internal,
                            $"model '{_name}' version '{_version}': batching failed: {ex.Message}", ex));
                    }
                }

                batch.Clear();
            }
        }
    }

    /// <summary>Takes queued requests into <paramref name="batch"/> until it is due; returns a request that was
    /// taken but did not fit, to start the next batch.</summary>
    private async ValueTask<Pending?> FillAsync(List<Pending> batch, Pending first)
    {
        var rows = first.Rows;
        while (rows < _options.MaxBatchSize)
        {
            if (_queue.Reader.TryRead(out var next))
            {
                Interlocked.Decrement(ref _queued);
                if (next.Task.IsCompleted)
                {
                    continue; // cancelled while queued
                }

                if (rows + next.Rows > _options.MaxBatchSize)
                {
                    return next;
                }

                batch.Add(next);
                rows += next.Rows;
                continue;
            }

            if (_preferred.Contains(rows))
            {
                break;
            }

            var remaining = _options.MaxQueueDelay - _time.GetElapsedTime(first.EnqueuedTimestamp);
            if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(remaining))
            {
                break;
            }
        }

        return null;
    }

    private async ValueTask<Pending?> NextLiveAsync()
    {
        // No cancellation: the loop ends when the writer is completed and everything queued has been taken.
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (_queue.Reader.TryRead(out var pending))
            {
                Interlocked.Decrement(ref _queued);
                if (!pending.Task.IsCompleted)
                {
                    return pending;
                }
            }
        }

        return null;
    }

    private async ValueTask<bool> WaitForMoreAsync(TimeSpan timeout)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        try
        {
            return await _queue.Reader.WaitToReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Execute(List<Pending> batch)
    {
        batch.RemoveAll(p => p.Task.IsCompleted); // cancelled while the batch was forming
        if (batch.Count == 0)
        {
            return;
        }

        var rows = 0;
        var entries = new BatchEntry[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            entries[i] = new BatchEntry(batch[i].Request, batch[i].Rows);
            rows += batch[i].Rows;
        }

        var started = _time.GetTimestamp();
        IReadOnlyList<InferenceResponse> responses;
        try
        {
            responses = _executor.Execute(entries, rows);
            if (responses.Count != batch.Count)
            {
                throw new InvalidOperationException($"the executor returned {responses.Count} responses for {batch.Count} requests");
            }
        }
        catch (Exception ex)
        {
            HostingLog.BatchFailed(_logger, ex, _name, _version, rows, batch.Count);
            var failed = _time.GetTimestamp();
            var error = ex as InferenceException ?? new InferenceException(InferenceErrorKind.Internal,
                $"model '{_name}' version '{_version}' failed to run a batch of {rows} row(s): {ex.Message}", ex);
            foreach (var pending in batch)
            {
                // Counters first, then completion: whoever awaits the result sees statistics that include it.
                if (!pending.Task.IsCompleted)
                {
                    _statistics.RecordFailure(_time.GetElapsedTime(pending.ArrivedTimestamp, failed));
                    pending.TrySetException(error);
                }
            }

            return;
        }

        var finished = _time.GetTimestamp();
        _statistics.RecordExecution(rows, _time.GetElapsedTime(started, finished));
        for (var i = 0; i < batch.Count; i++)
        {
            if (!batch[i].Task.IsCompleted)
            {
                _statistics.RecordSuccess(batch[i].Rows, _time.GetElapsedTime(batch[i].EnqueuedTimestamp, started),
                    _time.GetElapsedTime(batch[i].ArrivedTimestamp, finished));
                batch[i].TrySetResult(responses[i]);
            }
        }
    }

    /// <summary>A queued request; completed by the loop, or cancelled by its caller.</summary>
    private sealed class Pending(InferenceRequest request, int rows, long arrivedTimestamp, long enqueuedTimestamp)
        : TaskCompletionSource<InferenceResponse>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public InferenceRequest Request { get; } = request;

        public int Rows { get; } = rows;

        public long ArrivedTimestamp { get; } = arrivedTimestamp;

        public long EnqueuedTimestamp { get; } = enqueuedTimestamp;
    }
}
