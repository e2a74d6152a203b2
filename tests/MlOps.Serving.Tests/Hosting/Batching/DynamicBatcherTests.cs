using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Models;
using MlOps.Serving.Tests.Hosting.Support;

namespace MlOps.Serving.Tests.Hosting.Batching;

public sealed class DynamicBatcherTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly List<DynamicBatcher> _batchers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var batcher in _batchers)
        {
            await batcher.DisposeAsync();
        }
    }

    [Fact]
    public async Task InferAsync_RequestsWithinDelay_MergedIntoOneBatch()
    {
        var executor = new FakeExecutor();
        var (batcher, statistics) = Create(executor, new DynamicBatcherOptions { MaxQueueDelay = TimeSpan.FromMilliseconds(5) });

        var tasks = Enumerable.Range(0, 5).Select(i => batcher.InferAsync(FakeExecutor.Request($"r{i}"), 1, default).AsTask()).ToArray();
        await AdvanceUntilDone(tasks);

        var batch = Assert.Single(executor.Batches);
        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], batch.Ids);
        Assert.Equal(5, batch.Rows);
        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], (await Task.WhenAll(tasks)).Select(r => r.Id));
        var snapshot = statistics.Snapshot();
        Assert.Equal((5L, 1L, 5L, 0L), (snapshot.InferenceCount, snapshot.ExecutionCount, snapshot.SuccessCount, snapshot.FailureCount));
    }

    [Fact]
    public async Task InferAsync_MaxBatchReached_LeavesWithoutWaitingOutTheDelay()
    {
        var executor = new FakeExecutor();
        var (batcher, _) = Create(executor, new DynamicBatcherOptions { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromSeconds(1) });

        var full = Enumerable.Range(0, 4).Select(i => batcher.InferAsync(FakeExecutor.Request($"r{i}"), 1, default).AsTask()).ToArray();
        await Task.WhenAll(full).WaitAsync(Wait); // no time passes on the fake clock
        var rest = Enumerable.Range(4, 2).Select(i => batcher.InferAsync(FakeExecutor.Request($"r{i}"), 1, default).AsTask()).ToArray();
        await Task.Delay(50);
        Assert.All(rest, t => Assert.False(t.IsCompleted)); // waiting for the delay
        await AdvanceUntilDone(rest);

        Assert.Equal([4, 2], executor.Batches.Select(b => b.Rows));
    }

    [Fact]
    public async Task InferAsync_RequestThatDoesNotFit_StartsTheNextBatch()
    {
        var executor = new FakeExecutor();
        var (batcher, _) = Create(executor, new DynamicBatcherOptions { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromSeconds(1) });

        var three = batcher.InferAsync(FakeExecutor.Request("three"), 3, default).AsTask();
        var two = batcher.InferAsync(FakeExecutor.Request("two"), 2, default).AsTask();
        await three.WaitAsync(Wait); // 3 + 2 > 4: the batch of 3 leaves at once
        await AdvanceUntilDone([two]);

        Assert.Equal([(new[] { "three" }, 3), (new[] { "two" }, 2)], executor.Batches.Select(b => (b.Ids, b.Rows)));
    }

    [Fact]
    public async Task InferAsync_PreferredSizeReached_LeavesWithoutWaitingOutTheDelay()
    {
        var executor = new FakeExecutor();
        var (batcher, _) = Create(executor, new DynamicBatcherOptions { MaxQueueDelay = TimeSpan.FromSeconds(1), PreferredBatchSizes = [2] });

        var tasks = new[] { batcher.InferAsync(FakeExecutor.Request("a"), 1, default).AsTask(), batcher.InferAsync(FakeExecutor.Request("b"), 1, default).AsTask() };
        await Task.WhenAll(tasks).WaitAsync(Wait);

        Assert.Equal(2, Assert.Single(executor.Batches).Rows);
    }

    [Fact]
    public async Task InferAsync_ZeroDelay_LoneRequestRunsAtOnce()
    {
        var executor = new FakeExecutor();
        var (batcher, _) = Create(executor, new DynamicBatcherOptions());

        var response = await batcher.InferAsync(FakeExecutor.Request("alone"), 1, default).AsTask().WaitAsync(Wait);

        Assert.Equal("alone", response.Id);
    }

    [Fact]
    public async Task InferAsync_ZeroDelay_RequestsQueuedDuringABatchFormTheNext()
    {
        var executor = new FakeExecutor(gated: true);
        var (batcher, _) = Create(executor, new DynamicBatcherOptions());
        var first = batcher.InferAsync(FakeExecutor.Request("first"), 1, default).AsTask();
        await executor.Started.WaitAsync(Wait);

        var queued = Enumerable.Range(0, 6).Select(i => batcher.InferAsync(FakeExecutor.Request($"q{i}"), 1, default).AsTask()).ToArray();
        executor.Release(2);
        await Task.WhenAll([first, .. queued]).WaitAsync(Wait);

        Assert.Equal([1, 6], executor.Batches.Select(b => b.Rows));
    }

    [Fact]
    public async Task InferAsync_QueueFull_ResourceExhausted()
    {
        var executor = new FakeExecutor(gated: true);
        var (batcher, statistics) = Create(executor, new DynamicBatcherOptions { MaxQueueSize = 2, MaxBatchSize = 1 });
        var running = batcher.InferAsync(FakeExecutor.Request("running"), 1, default).AsTask();
        await executor.Started.WaitAsync(Wait);
        var queued = new[] { batcher.InferAsync(FakeExecutor.Request("q1"), 1, default).AsTask(), batcher.InferAsync(FakeExecutor.Request("q2"), 1, default).AsTask() };

        var error = await Assert.ThrowsAsync<InferenceException>(() => batcher.InferAsync(FakeExecutor.Request("refused"), 1, default).AsTask());

        Assert.Equal(InferenceErrorKind.ResourceExhausted, error.Kind);
        Assert.Contains("2 requests queued", error.Message);
        Assert.Equal(2, batcher.QueueLength);
        executor.Release(3);
        await Task.WhenAll([running, .. queued]).WaitAsync(Wait);
        Assert.Equal(1, statistics.Snapshot().FailureCount);
        Assert.DoesNotContain(executor.Batches, b => b.Ids.Contains("refused"));
    }

    [Fact]
    public async Task InferAsync_CancelledWhileQueued_NeverExecuted()
    {
        var executor = new FakeExecutor(gated: true);
        var (batcher, statistics) = Create(executor, new DynamicBatcherOptions());
        var running = batcher.InferAsync(FakeExecutor.Request("running"), 1, default).AsTask();
        await executor.Started.WaitAsync(Wait);
        using var cancellation = new CancellationTokenSource();
        var cancelled = batcher.InferAsync(FakeExecutor.Request("cancelled"), 1, cancellation.Token).AsTask();

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        executor.Release(10);
        await running.WaitAsync(Wait);
        await batcher.InferAsync(FakeExecutor.Request("after"), 1, default).AsTask().WaitAsync(Wait);

        Assert.Equal([["running"], ["after"]], executor.Batches.Select(b => b.Ids));
        Assert.Equal(2, statistics.Snapshot().SuccessCount);
    }

    [Fact]
    public async Task InferAsync_CancelledWhileRunning_ResultDropped()
    {
        var executor = new FakeExecutor(gated: true);
        var (batcher, statistics) = Create(executor, new DynamicBatcherOptions());
        using var cancellation = new CancellationTokenSource();
        var running = batcher.InferAsync(FakeExecutor.Request("running"), 1, cancellation.Token).AsTask();
        await executor.Started.WaitAsync(Wait);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Wait));
        executor.Release(10);
        await batcher.InferAsync(FakeExecutor.Request("next"), 1, default).AsTask().WaitAsync(Wait);

        Assert.Equal(1, statistics.Snapshot().SuccessCount); // only "next"
    }

    [Fact]
    public async Task InferAsync_AlreadyCancelled_Throws()
    {
        var (batcher, _) = Create(new FakeExecutor(), new DynamicBatcherOptions());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batcher.InferAsync(FakeExecutor.Request("x"), 1, new CancellationToken(true)).AsTask());
    }

    [Fact]
    public async Task InferAsync_MoreRowsThanMaxBatch_InvalidArgumentNamingTheLimit()
    {
        var executor = new FakeExecutor();
        var (batcher, _) = Create(executor, new DynamicBatcherOptions { MaxBatchSize = 4 });

        var error = await Assert.ThrowsAsync<InferenceException>(() => batcher.InferAsync(FakeExecutor.Request("big"), 5, default).AsTask());

        Assert.Equal(InferenceErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("batch size 5 exceeds the maximum batch size 4", error.Message);
        Assert.Empty(executor.Batches);
    }

    [Fact]
    public async Task InferAsync_BatchThrows_FailsOnlyThatBatch()
    {
        var executor = new FakeExecutor(gated: true);
        executor.FailOn["bad"] = true;
        var (batcher, statistics) = Create(executor, new DynamicBatcherOptions());
        var before = batcher.InferAsync(FakeExecutor.Request("before"), 1, default).AsTask();
        await executor.Started.WaitAsync(Wait);
        var bad = batcher.InferAsync(FakeExecutor.Request("bad"), 1, default).AsTask();
        var sameBatch = batcher.InferAsync(FakeExecutor.Request("same-batch"), 1, default).AsTask();

        executor.Release(10);
        await before.WaitAsync(Wait);
        var errors = new[] { await Assert.ThrowsAsync<InferenceException>(() => bad), await Assert.ThrowsAsync<InferenceException>(() => sameBatch) };
        var after = await batcher.InferAsync(FakeExecutor.Request("after"), 1, default).AsTask().WaitAsync(Wait);

        Assert.All(errors, e => Assert.Equal(InferenceErrorKind.Internal, e.Kind));
        Assert.Contains("boom", errors[0].Message);
        Assert.Equal("after", after.Id);
        var snapshot = statistics.Snapshot();
        Assert.Equal((2L, 2L), (snapshot.SuccessCount, snapshot.FailureCount));
    }

    [Fact]
    public async Task DisposeAsync_RunsQueuedRequestsThenRefusesNewOnes()
    {
        var executor = new FakeExecutor(gated: true);
        var (batcher, _) = Create(executor, new DynamicBatcherOptions { MaxBatchSize = 1 });
        var running = batcher.InferAsync(FakeExecutor.Request("running"), 1, default).AsTask();
        await executor.Started.WaitAsync(Wait);
        var queued = batcher.InferAsync(FakeExecutor.Request("queued"), 1, default).AsTask();

        var disposing = batcher.DisposeAsync().AsTask();
        var refused = await Assert.ThrowsAsync<InferenceException>(() => batcher.InferAsync(FakeExecutor.Request("late"), 1, default).AsTask());
        executor.Release(10);
        await disposing.WaitAsync(Wait);

        Assert.Equal(InferenceErrorKind.Unavailable, refused.Kind);
        Assert.Equal("queued", (await queued).Id);
        Assert.Equal("running", (await running).Id);
    }

    [Fact]
    public async Task InferAsync_MergedBatch_HistogramsObserveEachRequestAndTheExecution()
    {
        var executor = new FakeExecutor();
        var (batcher, statistics) = Create(executor, new DynamicBatcherOptions { MaxQueueDelay = TimeSpan.FromMilliseconds(5) });

        var tasks = Enumerable.Range(0, 5).Select(i => batcher.InferAsync(FakeExecutor.Request($"r{i}"), 1 + (i % 2), default).AsTask()).ToArray();
        await AdvanceUntilDone(tasks);

        var metrics = statistics.Metrics();
        Assert.Equal((5L, 5L, 1L, 1L), (metrics.RequestNanoseconds.Count, metrics.QueueNanoseconds.Count, metrics.ComputeNanoseconds.Count, metrics.BatchSize.Count));
        Assert.Equal(7, metrics.BatchSize.Sum); // 1 + 2 + 1 + 2 + 1 rows in one execution
        Assert.Equal([0L, 0, 0, 1, 1, 1, 1], metrics.BatchSize.CumulativeCounts); // le = 1, 2, 4, 8, ..., 64
        Assert.True(metrics.QueueNanoseconds.Sum >= 5 * 5_000_000L); // each waited out the 5 ms delay on the fake clock
        Assert.True(metrics.RequestNanoseconds.Sum >= metrics.QueueNanoseconds.Sum);
        Assert.Equal(statistics.Snapshot().QueueNanoseconds, metrics.QueueNanoseconds.Sum);
    }

    [Fact]
    public async Task InferAsync_ArrivedEarlier_RequestTimeCountsFromArrival()
    {
        var (batcher, statistics) = Create(new FakeExecutor(), new DynamicBatcherOptions());
        var arrived = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(3)); // e.g. validation, before the batcher saw the request

        await batcher.InferAsync(FakeExecutor.Request("late"), 1, arrived, default).AsTask().WaitAsync(Wait);

        var request = statistics.Metrics().RequestNanoseconds;
        Assert.Equal((1L, 3_000_000L), (request.Count, request.Sum));
        var le = request.UpperBounds.ToList();
        Assert.Equal(0, request.CumulativeCounts[le.IndexOf(2_500_000)]);
        Assert.Equal(1, request.CumulativeCounts[le.IndexOf(5_000_000)]);
        Assert.Equal(1, statistics.Metrics().QueueNanoseconds.CumulativeCounts[0]); // no time queued: le=50µs
    }

    [Fact]
    public async Task InferAsync_SuccessesAndFailures_RequestHistogramCountsBoth()
    {
        var executor = new FakeExecutor();
        executor.FailOn["bad"] = true;
        var (batcher, statistics) = Create(executor, new DynamicBatcherOptions { MaxBatchSize = 1 });

        await batcher.InferAsync(FakeExecutor.Request("good"), 1, default).AsTask().WaitAsync(Wait);
        await Assert.ThrowsAsync<InferenceException>(() => batcher.InferAsync(FakeExecutor.Request("bad"), 1, default).AsTask().WaitAsync(Wait));
        await Assert.ThrowsAsync<InferenceException>(() => batcher.InferAsync(FakeExecutor.Request("big"), 2, default).AsTask());
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batcher.InferAsync(FakeExecutor.Request("gone"), 1, cancellation.Token).AsTask());

        var snapshot = statistics.Snapshot();
        var metrics = statistics.Metrics();
        Assert.Equal((1L, 2L), (snapshot.SuccessCount, snapshot.FailureCount)); // a cancelled request is neither
        Assert.Equal(snapshot.SuccessCount + snapshot.FailureCount, metrics.RequestNanoseconds.Count);
        Assert.Equal((1L, 1L), (metrics.QueueNanoseconds.Count, metrics.ComputeNanoseconds.Count)); // the failed run is not an execution
    }

    [Fact]
    public void Options_Invalid_EveryErrorListed()
    {
        var errors = new DynamicBatcherOptions { MaxBatchSize = 0, MaxQueueDelay = TimeSpan.FromSeconds(-1), PreferredBatchSizes = [0], MaxQueueSize = 0 }.Validate();

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("MaxBatchSize"));
        Assert.Contains(errors, e => e.StartsWith("MaxQueueDelay"));
        Assert.Contains(errors, e => e.StartsWith("PreferredBatchSizes"));
        Assert.Contains(errors, e => e.StartsWith("MaxQueueSize"));
    }

    private (DynamicBatcher Batcher, ModelStatistics Statistics) Create(FakeExecutor executor, DynamicBatcherOptions options)
    {
        var statistics = new ModelStatistics(options.MaxBatchSize, _time);
        var batcher = new DynamicBatcher("fake", "1", executor, options, statistics, _time, NullLogger.Instance);
        _batchers.Add(batcher);
        return (batcher, statistics);
    }

    /// <summary>Moves the fake clock until the tasks finish: the loop may arm its timer just after an advance.</summary>
    private async Task AdvanceUntilDone(Task[] tasks)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!tasks.All(t => t.IsCompleted))
        {
            Assert.True(DateTime.UtcNow < deadline, "requests did not complete");
            _time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(5);
        }

        await Task.WhenAll(tasks);
    }
}
