using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting.Batching;

/// <summary>One validated request in a batch and the rows (batch dimension) it brings.</summary>
internal readonly record struct BatchEntry(InferenceRequest Request, int Rows);

/// <summary>Runs a formed batch as one model execution.</summary>
internal interface IBatchExecutor
{
    /// <summary>
    /// Runs <paramref name="batch"/> (its requests' inputs stacked along the batch dimension, <paramref name="rows"/>
    /// rows in all) and returns one response per entry, in the same order, each holding exactly that entry's rows.
    /// Throwing fails every request of this batch and no other.
    /// </summary>
    IReadOnlyList<InferenceResponse> Execute(IReadOnlyList<BatchEntry> batch, int rows);
}
