using System.Collections.Concurrent;
using System.Text;
using MlOps.Core.Digests;
using MlOps.Pipelines.Running;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Tests.Running;

/// <summary>
/// A step executor whose outputs are a pure function of the cache key (digest = sha256(key/output)), as a
/// deterministic real step would be. Per step it can fail, or hold until the test releases it.
/// </summary>
internal sealed class FakeStepExecutor : IStepExecutor
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);
    private int _running;

    public ConcurrentQueue<StepExecution> Executions { get; } = new();

    public ConcurrentDictionary<string, string> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>Steps that wait for <see cref="Release"/> (or cancellation) before finishing.</summary>
    public ConcurrentDictionary<string, bool> Held { get; } = new(StringComparer.Ordinal);

    /// <summary>Output names to leave out of a step's result.</summary>
    public ConcurrentDictionary<string, string> Omit { get; } = new(StringComparer.Ordinal);

    /// <summary>Signalled once per started execution (for tests that wait for a step to be running).</summary>
    public SemaphoreSlim Started { get; } = new(0);

    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(1);

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider? Clock { get; init; }

    public string Version { get; set; } = "fake-agent/1.0";

    public int MaxConcurrent { get; private set; }

    public IEnumerable<string> Executed => Executions.Select(e => e.Step.Name);

    public string GetCodeVersion(StepKind kind) => $"{Version} {kind.ToName()}";

    public async Task<IReadOnlyDictionary<string, ResolvedArtifact>> ExecuteAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var name = execution.Step.Name;
        Executions.Enqueue(execution);
        var running = Interlocked.Increment(ref _running);
        lock (_gates)
        {
            MaxConcurrent = Math.Max(MaxConcurrent, running);
        }

        try
        {
            Started.Release();
            if (Held.ContainsKey(name))
            {
                var gate = _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                await gate.Task.WaitAsync(cancellationToken);
            }

            Clock?.Advance(Duration);
            if (Failures.TryGetValue(name, out var failure))
            {
                throw new InvalidOperationException(failure);
            }

            return execution.Step.Outputs
                .Where(o => !Omit.TryGetValue(name, out var omitted) || omitted != o)
                .ToDictionary(
                    o => o,
                    o => new ResolvedArtifact($"artifact:runs/{name}-{o}", Sha256Digest.OfBytes(Encoding.UTF8.GetBytes($"{execution.CacheKey}/{o}"))),
                    StringComparer.Ordinal);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public void Release(string step) =>
        _gates.GetOrAdd(step, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>Resolves a reference to sha256 of its text, unless the test set another digest (a new version behind
/// a floating reference) or a failure.</summary>
internal sealed class FakeArtifactResolver : IArtifactResolver
{
    public ConcurrentDictionary<string, string> Digests { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, string> Missing { get; } = new(StringComparer.Ordinal);

    public ValueTask<ResolvedArtifact> ResolveAsync(ArtifactReference reference, CancellationToken cancellationToken)
    {
        var text = reference.ToString();
        if (Missing.TryGetValue(text, out var why))
        {
            throw new KeyNotFoundException(why);
        }

        var digest = Digests.TryGetValue(text, out var set) ? set : Sha256Digest.OfBytes(Encoding.UTF8.GetBytes(text));
        return ValueTask.FromResult(new ResolvedArtifact(text, digest));
    }
}

/// <summary>Keeps every record it is given.</summary>
internal sealed class RecordingObserver : IPipelineRunObserver
{
    public List<PipelineRunRecord> Records { get; } = [];

    public Func<PipelineRunRecord, Exception?>? FailWith { get; init; }

    public ValueTask OnRunChangedAsync(PipelineRunRecord record, CancellationToken cancellationToken)
    {
        Records.Add(record);
        if (FailWith?.Invoke(record) is { } failure)
        {
            throw failure;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The states one step went through, without repeats.</summary>
    public IEnumerable<StepRunState> StatesOf(string step)
    {
        StepRunState? last = null;
        foreach (var record in Records)
        {
            var state = record[step].State;
            if (state != last)
            {
                yield return state;
                last = state;
            }
        }
    }
}
