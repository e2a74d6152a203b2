using System.Collections.Concurrent;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Models;

namespace MlOps.Serving.Tests.Hosting.Support;

/// <summary>
/// An executor that records each batch it gets (request ids and rows), answers every request with its own id, and
/// can be held at a gate or told to throw, so batcher tests control timing without a model.
/// </summary>
internal sealed class FakeExecutor : IBatchExecutor
{
    private readonly SemaphoreSlim _gate;

    public FakeExecutor(bool gated = false) => _gate = new SemaphoreSlim(gated ? 0 : int.MaxValue);

    public ConcurrentQueue<(string[] Ids, int Rows)> Batches { get; } = new();

    /// <summary>Signalled each time a batch starts executing.</summary>
    public SemaphoreSlim Started { get; } = new(0);

    /// <summary>Requests whose id is listed here make their whole batch throw.</summary>
    public ConcurrentDictionary<string, bool> FailOn { get; } = new();

    public void Release(int batches = 1) => _gate.Release(batches);

    public IReadOnlyList<InferenceResponse> Execute(IReadOnlyList<BatchEntry> batch, int rows)
    {
        var ids = batch.Select(e => e.Request.Id ?? "").ToArray();
        Batches.Enqueue((ids, rows));
        Started.Release();
        _gate.Wait(TimeSpan.FromSeconds(10));
        if (ids.Any(FailOn.ContainsKey))
        {
            throw new InvalidOperationException("boom");
        }

        return [.. batch.Select(e => new InferenceResponse("fake", "1", []) { Id = e.Request.Id })];
    }

    public static InferenceRequest Request(string id) => new("fake", "1", []) { Id = id };
}
